r"""
==============================================
The learning rate, from too small to too large
==============================================

Two of the tutorials show the learning rate :math:`\eta` at work on the
simplest convex function there is, the bowl

.. math::

    f(w) = w^2, \qquad f'(w) = 2 w,

descended from :math:`w = 4`. One step is

.. math::

    w \leftarrow w - \eta f'(w) = (1 - 2 \eta)\, w,

so every step multiplies :math:`w` by the same factor :math:`1 - 2 \eta`:
below 1 in size the descent reaches the bottom, above 1 it flies off, and a
negative factor means it jumps to the other side of the bowl each time.
This example runs six learning rates through :func:`sklearn_gd.minimize` and
draws them as loss curves, as paths on the bowl, and as an animation.
"""

# %%
# Six learning rates
# ------------------
#
# Each run is at most 50 steps. Only :math:`\eta = 0.35` meets the stopping
# test (:math:`|f'(w)| \le 10^{-6}`) within them; the others stop at
# ``max_iter`` (and :func:`~sklearn_gd.minimize` warns about it, silenced
# here because that is the point of the example) or diverge.
# :func:`~sklearn_gd.minimize` does not raise when a descent diverges: it
# stops and says so in ``status``.

import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning

from sklearn_gd import DescentPathDisplay, LossCurveDisplay, minimize


def bowl(w):
    return w**2


def slope(w):
    return 2 * w


etas = [0.01, 0.05, 0.35, 0.9, 1.0, 1.1]
results = []
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for eta in etas:
        results.append(minimize(bowl, 4.0, jac=slope, learning_rate=eta,
                                max_iter=50, record_path=True))

for eta, res in zip(etas, results):
    print(f"eta = {eta:<4}  factor {1 - 2 * eta:+.2f}  {res.status:<9} after "
          f"{res.nit:2d} steps, w = {res.x:.3g}")

# %%
# The loss curves
# ---------------
#
# :math:`f(w)` after each step, on a log scale, where a constant factor per
# step is a straight line. :math:`\eta = 0.01` (factor 0.98) and
# :math:`\eta = 0.05` (0.9) crawl: after 30 steps 0.05 is at
# :math:`w \approx 0.17`, and 0.01 is still at :math:`w \approx 1.5` after 50.
# :math:`\eta = 0.35` (factor 0.3) is the steepest line and stops in 14
# steps. :math:`\eta = 0.9` (factor :math:`-0.8`) bounces from side to side
# but each bounce is smaller, so it settles too (the bounces do not show
# here, since :math:`f` is the same on both sides; the paths below show
# them). :math:`\eta = 1` (factor
# :math:`-1`) bounces between 4 and :math:`-4` forever: a flat line at 16.
# :math:`\eta = 1.1` (factor :math:`-1.2`) climbs until the divergence test
# stops it; its curve ends in a marker at its last finite value.

LossCurveDisplay.from_result(results, labels=[f"eta = {eta}" for eta in etas])

# %%
# The paths on the bowl
# ---------------------
#
# The same six runs as steps on the curve :math:`f(w)`: each dot is an
# iterate, each segment one step. Small steps march down one side; 0.35 gets
# to the bottom in a few strides; 0.9 zig-zags across the bottom, landing a
# little lower each time; 1.0 hops between the same two points; 1.1 lands a
# little higher each time and leaves the bowl (note its axes: hundreds, not
# units).

fig, axes = plt.subplots(2, 3, figsize=(11, 6.5), layout="constrained")
for ax, eta, res in zip(axes.ravel(), etas, results):
    DescentPathDisplay.from_result(res, fun=bowl, ax=ax)
    ax.set(title=f"eta = {eta}: {res.status}, {res.nit} steps", xlabel="w",
           ylabel="f(w)")
    if ax is not axes[0, 0]:
        ax.get_legend().remove()  # the first one's legend serves all six

# %%
# An animation
# ------------
#
# The third tutorial animates the path. :meth:`DescentPathDisplay.animate`
# draws one more step per frame and returns a matplotlib ``FuncAnimation``,
# which can be saved as a GIF with the Pillow writer. Here is
# :math:`\eta = 0.9`, bouncing and settling, for 25 steps.

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    res_09 = minimize(bowl, 4.0, jac=slope, learning_rate=0.9, max_iter=25,
                      record_path=True)
fig, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
disp = DescentPathDisplay.from_result(res_09, fun=bowl, ax=ax)
disp.ax_.set(title="eta = 0.9", xlabel="w", ylabel="f(w)")
anim = disp.animate(interval=200)
anim.save("descent_eta_0.9.gif", writer="pillow")
plt.show()
