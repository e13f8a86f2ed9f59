"""
=====================================================
Averaging stochastic iterates: the jitter goes away
=====================================================

Stochastic descent steps along the gradient of a few samples at a time. With a
constant step its iterates never settle: each batch pulls them its own way,
and they keep jittering about the minimum by about the step times the spread
of the batch gradients. Their running mean does not jitter (Polyak and
Ruppert's averaging): ``average=True`` reports the mean of the iterates
instead of the last one, while the descent itself goes on unchanged.

This example fits the first tutorial's line :math:`y = m x + b` by
mini-batches of 5 of its 50 points, once as it is and once averaged, and draws
both paths of :math:`(m, b)` on the error surface.
"""

# %%
# The same descent, twice
# -----------------------
#
# The same ``random_state`` shuffles the batches alike, so both fits take the
# very same steps; the averaged one reports, after each epoch, the mean
#
# .. math::
#
#     \bar\theta_m = \bar\theta_{m-1} + \frac{\theta_k - \bar\theta_{m-1}}{m}
#
# of the :math:`m` iterates :math:`\theta_k` of the updates since it began.
# ``average=250`` begins it once 250 samples (5 epochs) have been seen, so that
# the mean leaves out the first slide down from the start (``average=True``
# would average from the first update, and drag that slide along for long).
# ``tol=0`` with a patience of 100 epochs lets both run all their 100 epochs.

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_gd import DescentPathDisplay, GDLinearRegressor

rng = np.random.default_rng(0)
x = rng.uniform(0, 2, size=50)
y = 3 * x + 1 + rng.normal(scale=0.5, size=50)
X = x.reshape(-1, 1)

params = dict(batch_size=5, learning_rate=0.3, max_iter=100, tol=0, n_iter_no_change=100,
              penalty=None, random_state=0, record_path=True)
with warnings.catch_warnings():
    # Cut at 100 epochs on purpose: a constant step never stops improving.
    warnings.simplefilter("ignore", ConvergenceWarning)
    raw = GDLinearRegressor(**params).fit(X, y)
    averaged = GDLinearRegressor(average=250, **params).fit(X, y)

m_exact, b_exact = np.polyfit(x, y, deg=1)
for name, reg in (("last iterate", raw), ("averaged", averaged)):
    error = np.hypot(reg.coef_[0] - m_exact, reg.intercept_ - b_exact)
    print(f"{name:13s} m = {reg.coef_[0]:.4f}, b = {reg.intercept_:.4f}, "
          f"distance to the least-squares line {error:.1e}")

# %%
# On the error surface
# --------------------
#
# Near the minimum, the cross: the raw iterates, in blue, reach the valley
# floor in a few epochs (from the start at the origin, off the picture) and
# then wander about the minimum. The averaged ones, in orange, follow them for
# the first 5 epochs (the mean has not begun), then close in on the minimum
# and stay there.

disp = DescentPathDisplay.from_estimator(
    raw, X, y, coords=(0, -1), ranges=((2.5, 3.8), (0.3, 1.7)),
    path_kwargs={"label": "last iterate", "color": "tab:blue", "linewidth": 0.8, "markersize": 2})
disp.ax_.plot(averaged.coef_path_[:, 0], averaged.intercept_path_, "o-", ms=3, lw=2,
              color="tab:orange", label="averaged", zorder=5)
disp.ax_.plot(m_exact, b_exact, "kx", ms=10, mew=2, label="least squares")
disp.ax_.set(xlabel="m (slope)", ylabel="b (intercept)", xlim=(2.5, 3.8),
             ylim=(0.3, 1.7), title="Mini-batch paths of (m, b) near the minimum")
disp.ax_.legend()

# %%
# Distance to the minimum, epoch by epoch
# ---------------------------------------
#
# The raw iterates stall at the size of their jitter; the mean keeps closing
# in on the minimum.

fig, ax = plt.subplots(figsize=(5.5, 4))
for name, reg in (("last iterate", raw), ("averaged", averaged)):
    distance = np.hypot(reg.coef_path_[:, 0] - m_exact, reg.intercept_path_ - b_exact)
    ax.semilogy(distance, label=name)
ax.set(xlabel="epoch", ylabel="distance to the least-squares (m, b)")
ax.legend()
plt.show()

# sphinx_gallery_thumbnail_number = 1
