r"""
===================================================
One sigmoid neuron: random guessing against descent
===================================================

The second tutorial fits a single sigmoid neuron,

.. math::

    f(x) = \frac{1}{1 + e^{-(w x + b)}},

to two points, :math:`(0.5, 0.2)` and :math:`(2.5, 0.9)`, with the squared
error

.. math::

    L(w, b) = \sum_{i} \tfrac12 \big(f(x_i) - y_i\big)^2 .

It first guesses :math:`(w, b)` by hand, then runs gradient descent from
:math:`w = b = -2` with :math:`\eta = 0.3` for 1000 epochs, and draws the
error surface. This example does the same with :func:`sklearn_gd.minimize`.
"""

# %%
# The neuron, its loss and its gradient
# -------------------------------------
#
# By the chain rule, with :math:`f_i = f(x_i)`,
#
# .. math::
#
#     \frac{\partial L}{\partial w} = \sum_i (f_i - y_i)\, f_i (1 - f_i)\, x_i,
#     \qquad
#     \frac{\partial L}{\partial b} = \sum_i (f_i - y_i)\, f_i (1 - f_i).
#
# :func:`~sklearn_gd.minimize` takes the loss and the gradient as functions of
# one array, here ``p = (w, b)``.

import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm
from sklearn.exceptions import ConvergenceWarning

from sklearn_gd import DescentPathDisplay, LossCurveDisplay, minimize

X = np.array([0.5, 2.5])
Y = np.array([0.2, 0.9])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def loss(p):
    w, b = p
    fx = sigmoid(w * X + b)
    return np.sum(0.5 * (fx - Y) ** 2)


def grad(p):
    w, b = p
    fx = sigmoid(w * X + b)
    d = (fx - Y) * fx * (1 - fx)
    return np.array([np.sum(d * X), np.sum(d)])


# %%
# Guessing by hand
# ----------------
#
# The tutorial's guesses, each chosen by looking at the loss of the last one.
# It gets there, but only by brute force.

for w, b in [(0.5, 0.0), (-0.1, 0.0), (0.94, -0.94), (1.42, -1.73), (1.65, -2.08),
             (1.78, -2.27)]:
    print(f"w = {w:5.2f}  b = {b:5.2f}  L(w, b) = {loss((w, b)):.4f}")

# %%
# Gradient descent
# ----------------
#
# The tutorial's loop, ``w, b, eta, max_epochs = -2, -2, 0.3, 1000``, is one
# call. ``tol=0`` asks for all 1000 epochs, as the tutorial runs them, so
# :func:`~sklearn_gd.minimize` warns that it stopped at ``max_iter`` rather
# than at a flat gradient; that is expected here, and silenced.

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    result = minimize(loss, [-2.0, -2.0], jac=grad, learning_rate=0.3,
                      max_iter=1000, tol=0, record_path=True)
w, b = result.x
print(f"after {result.nit} epochs: w = {w:.3f}, b = {b:.3f}, L = {result.fun:.2e}")

# %%
# Random guessing, with the same budget
# -------------------------------------
#
# Descent evaluated the gradient 1000 times. Give random guessing 1000
# evaluations of the loss instead: :math:`(w, b)` drawn uniformly over the
# square :math:`[-6, 6]^2` around the solution, keeping the best.

rng = np.random.default_rng(0)
guesses = rng.uniform(-6, 6, size=(1000, 2))
guess_losses = np.array([loss(p) for p in guesses])
best = guesses[guess_losses.argmin()]
print(f"best of 1000 guesses: w = {best[0]:.3f}, b = {best[1]:.3f}, "
      f"L = {guess_losses.min():.2e}")

# %%
# The error surface
# -----------------
#
# The loss over the plane of :math:`(w, b)`, with one colour band per factor
# of about 1.6 in the loss (the levels are spaced on a log scale, so the
# bottom of the valley shows). The whole left half is a plateau at about
# 0.42, where the neuron outputs nearly 0 for both points; the start
# :math:`(-2, -2)` lies on it. The valley where the loss is near zero is a
# narrow dark band running down to the solution near :math:`(1.8, -2.3)`.
#
# The red line is the descent, with a dot every 25 epochs. For its first 250
# epochs it creeps across the plateau (the dots close together on the
# left), a little faster as it nears the plateau's edge; then, within 25
# epochs, it drops over the edge into the valley (the long gap between two
# dots), and spends its remaining 700 epochs sliding along the valley floor
# towards the solution, ever more slowly as the floor flattens out (the dots
# bunch up again at the end).
#
# The grey dots are the 1000 random guesses: spread evenly over the whole
# square, they mostly land on the plateau, and only a handful in the valley.
# The best of them (the orange star) is still about 20 times worse than
# where descent ends (the gold star).

levels = np.geomspace(1e-5, 1, 26)
disp = DescentPathDisplay.from_result(
    result, fun=loss, ranges=[(-6, 6), (-6, 6)], grid_size=150, levels=levels,
    contour_kwargs={"norm": LogNorm(), "extend": "both"},
    path_kwargs={"markevery": 25},
)
disp.figure_.colorbar(disp.contour_, ax=disp.ax_, label="L(w, b)")
disp.ax_.scatter(guesses[:, 0], guesses[:, 1], s=3, color="0.4", alpha=0.5,
                 label="random guesses", zorder=1)
disp.ax_.plot(*best, "*", color="tab:orange", ms=14, mec="k",
              label="best guess", zorder=5)
disp.ax_.set(xlabel="w", ylabel="b", title="Error surface of the sigmoid neuron")
disp.ax_.legend(loc="upper right")

# %%
# The loss, epoch by epoch
# ------------------------
#
# The same run as a loss curve. For the first 250 epochs the loss hardly
# moves, from 0.42 to 0.40: on the plateau the sigmoid is saturated, its
# slope :math:`f (1 - f)` is near zero, and so is the gradient. Then it falls
# to 0.05 within 25 epochs, the drop into the valley, and goes on falling,
# more and more slowly, to :math:`6 \cdot 10^{-5}` at epoch 1000. It passes
# the best of the 1000 random guesses (the dashed line) at about epoch 600.
# The tutorial's :math:`\eta = 0.3` is slow on the plateau and on the valley
# floor alike; one fixed step has to serve the steep parts and the flat ones.

curve = LossCurveDisplay.from_result(result, labels=["gradient descent, eta = 0.3"])
curve.ax_.axhline(guess_losses.min(), color="tab:orange", ls="--",
                  label="best of 1000 random guesses")
curve.ax_.legend()
plt.show()
