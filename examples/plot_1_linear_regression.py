"""
=====================================================
Fitting a line by gradient descent: y = m x + b
=====================================================

The first tutorial this library grew from fits a straight line
:math:`y = m x + b` to points by gradient descent on the mean squared error.
This example writes its cost, its two partial derivatives and its update out,
runs them by hand, and then lets :class:`~sklearn_gd.GDLinearRegressor` take
the same steps, against the closed-form least-squares line. The last picture
shows where the steps went: the path of :math:`(m, b)` on the error surface.
"""

# %%
# The cost and its gradient
# -------------------------
#
# For :math:`N` points :math:`(x_i, y_i)` the cost of a line is the mean
# squared error
#
# .. math::
#
#     J(m, b) = \frac{1}{N} \sum_{i=1}^{N} \big(y_i - (m x_i + b)\big)^2 .
#
# It has two parameters, so its gradient has two partial derivatives, one per
# parameter:
#
# .. math::
#
#     \frac{\partial J}{\partial m} = \frac{1}{N} \sum_{i=1}^{N}
#         -2 x_i \big(y_i - (m x_i + b)\big), \qquad
#     \frac{\partial J}{\partial b} = \frac{1}{N} \sum_{i=1}^{N}
#         -2 \big(y_i - (m x_i + b)\big).
#
# The gradient points uphill, so each step goes the other way, by a length
# set by the learning rate :math:`\eta`:
#
# .. math::
#
#     m \leftarrow m - \eta \frac{\partial J}{\partial m}, \qquad
#     b \leftarrow b - \eta \frac{\partial J}{\partial b}.
#
# Here is the tutorial's ``update_weights``, one step, written as it is there:

import matplotlib.pyplot as plt
import numpy as np


def update_weights(m, b, X, Y, learning_rate):
    m_deriv = 0
    b_deriv = 0
    N = len(X)
    for i in range(N):
        # -2x(y - (mx + b))
        m_deriv += -2 * X[i] * (Y[i] - (m * X[i] + b))
        # -2(y - (mx + b))
        b_deriv += -2 * (Y[i] - (m * X[i] + b))
    # We subtract because the derivatives point in the direction of steepest ascent.
    m -= (m_deriv / float(N)) * learning_rate
    b -= (b_deriv / float(N)) * learning_rate
    return m, b


# %%
# Fifty points scattered around the line :math:`y = 3 x + 1`:

rng = np.random.default_rng(0)
x = rng.uniform(0, 2, size=50)
y = 3 * x + 1 + rng.normal(scale=0.5, size=50)

m, b = 0.0, 0.0
for step in range(1, 4):
    m, b = update_weights(m, b, x, y, learning_rate=0.25)
    print(f"step {step}: m = {m:.4f}, b = {b:.4f}")

# %%
# The same steps by the estimator
# -------------------------------
#
# :class:`~sklearn_gd.GDLinearRegressor` starts from :math:`m = b = 0` as
# well and takes the same plain step, on the cost with the customary factor
# :math:`\tfrac12` in front, :math:`\tfrac{1}{2N} \sum_i (y_i - (m x_i + b))^2`.
# Its gradient is half the one above, so its ``learning_rate=0.5`` is the
# tutorial's 0.25: the first three iterates are the same numbers.
# ``record_path=True`` keeps every iterate in ``coef_path_`` and
# ``intercept_path_``.

from sklearn_gd import GDLinearRegressor

X = x.reshape(-1, 1)  # scikit-learn wants a 2-D X: one column, one feature
reg = GDLinearRegressor(learning_rate=0.5, record_path=True).fit(X, y)
for step in range(1, 4):
    print(
        f"step {step}: m = {reg.coef_path_[step].item():.4f}, "
        f"b = {reg.intercept_path_[step].item():.4f}"
    )
print(f"{reg.n_iter_} steps in all: {reg.stop_reason_}")

# %%
# Against the closed form
# -----------------------
#
# Least squares also has an exact answer, which ``np.polyfit`` computes
# directly. Descent stops once both partial derivatives are below ``tol``
# (``1e-4``), so it agrees with it to about four digits: the two lines below
# lie on top of each other.

m_exact, b_exact = np.polyfit(x, y, deg=1)
print(f"gradient descent: m = {reg.coef_[0]:.4f}, b = {reg.intercept_:.4f}")
print(f"closed form:      m = {m_exact:.4f}, b = {b_exact:.4f}")

fig, ax = plt.subplots(figsize=(5.5, 4))
ax.scatter(x, y, s=12, color="0.5", label="data")
grid = np.linspace(0, 2, 2)
ax.plot(grid, reg.predict(grid.reshape(-1, 1)), lw=3, label="gradient descent")
ax.plot(grid, m_exact * grid + b_exact, "k--", label="closed form (np.polyfit)")
ax.set(xlabel="x", ylabel="y", title="The fitted line")
ax.legend()

# %%
# The path on the error surface
# -----------------------------
#
# Every pair :math:`(m, b)` has a cost; drawn as coloured bands over the plane
# of :math:`(m, b)` it is the *error surface*, here a long, narrow valley
# running from upper left to lower right (dark is low). The descent starts at
# :math:`(0, 0)`, the white circle, and each dot is one step. The surface is
# steep there, so the first step is long, and it goes straight down the
# steepest slope, which points across the valley, not along it towards the
# minimum: it lands just past the valley floor, near :math:`(2.7, 2.1)`, and
# the second step comes back. From then on the slope is gentle and points
# along the floor, and the steps shrink as they slide down it to the minimum,
# the star, on top of the closed-form answer, the cross. Most of the 96 steps
# are spent on that slide: a long, flat valley is what makes plain gradient
# descent slow.
#
# ``coords=(0, -1)`` picks the two parameters to draw: the first coefficient
# (:math:`m`) and the intercept (:math:`b`). The estimator's cost carries the
# factor :math:`\tfrac12`, half the mean squared error.

from sklearn_gd import DescentPathDisplay

disp = DescentPathDisplay.from_estimator(reg, X, y, coords=(0, -1))
disp.ax_.plot(m_exact, b_exact, "kx", ms=10, mew=2, label="closed form")
disp.ax_.set(xlabel="m (slope)", ylabel="b (intercept)",
             title="The path of (m, b) on the error surface")
disp.ax_.legend()
disp.figure_.colorbar(disp.contour_, ax=disp.ax_, label="cost (half the MSE)")
plt.show()

# sphinx_gallery_thumbnail_number = 2
