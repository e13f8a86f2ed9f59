r"""
==========================================
Solvers compared: iterations and time
==========================================

Plain gradient descent takes the step :math:`-\eta \nabla J` and nothing
else. The other solvers change the direction (momentum, Nesterov's
acceleration, Adam's per-coordinate scaling) or the step size
(Barzilai-Borwein) to get to the minimum in fewer iterations. This example
fits the same logistic regression with five of them and draws the objective
against the iterations and against the time.
"""

# %%
# Five fits of one problem
# ------------------------
#
# The breast cancer data, standardized, and
# :class:`~sklearn_gd.GDLogisticRegressor` with the constant step
# ``learning_rate="lipschitz"``, :math:`1/L`, for ``"gd"``, ``"momentum"``,
# ``"nesterov"`` and ``"adam"`` (for the last three it is also what the
# default ``"auto"`` gives; Adam scales it by the size of the first
# gradient), so that only the direction differs, and the Barzilai-Borwein
# step ``learning_rate="bb"`` with plain ``"gd"``, which is what the default
# ``"auto"`` chooses for plain descent.
# Each gets at most 1000 iterations to bring the gradient under
# ``tol=1e-6``; all but Barzilai-Borwein need more, and warn that they
# stopped at ``max_iter`` (expected here, and silenced). Each fit records
# the objective at every iterate (``loss_curve_``) and the seconds since its
# start (``times_``).

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDLogisticRegressor, LossCurveDisplay

X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)

configs = {
    "gd": dict(solver="gd", learning_rate="lipschitz"),
    "momentum": dict(solver="momentum", learning_rate="lipschitz"),
    "nesterov": dict(solver="nesterov", learning_rate="lipschitz"),
    "adam": dict(solver="adam", learning_rate="lipschitz"),
    "gd, learning_rate='bb'": dict(solver="gd", learning_rate="bb"),
}
fits = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, params in configs.items():
        fits[name] = GDLogisticRegressor(max_iter=1000, tol=1e-6, **params).fit(X, y)
for name, est in fits.items():
    print(f"{name:>22}: {est.n_iter_:4d} iterations, objective "
          f"{est.loss_curve_[-1]:.8f}, {est.times_[-1] * 1000:.0f} ms")

# %%
# The objective
# -------------
#
# :class:`~sklearn_gd.LossCurveDisplay` draws the ``loss_curve_`` of each
# fit. All five start at the same objective, :math:`\log 2 \approx 0.69`,
# the log loss of predicting one half for every sample, and all fall below
# 0.1 within the first hundred iterations, towards a minimum near 0.043; on
# this scale the rest of the race is hard to see.

disp = LossCurveDisplay.from_estimator(list(fits.values()), labels=list(fits))
disp.ax_.set_title("Objective against iterations")

# %%
# How far from the minimum
# ------------------------
#
# What tells the solvers apart is the last digits: the distance to the
# minimum, :math:`J(\theta_k) - J^*`, on a log scale. :math:`J^*` comes from
# one more fit, run to ``tol=1e-10``. The display takes any curves, so the
# differences go in directly, with their times.
#
# Plain descent is still :math:`10^{-2}` above the minimum after 1000
# iterations: it creeps along the flat directions of an ill-conditioned
# problem. Heavy-ball momentum gets ten times closer on the same steps, and
# Adam ten times closer again, both still falling slowly at the end.
# Nesterov's method falls much faster, with a pause near iteration 550, to
# below :math:`10^{-6}`. The Barzilai-Borwein step, jagged from its
# non-monotone steps, reaches :math:`10^{-8}` and stops, converged, in fewer
# than 300 iterations.

reference = GDLogisticRegressor(learning_rate="bb", tol=1e-10, max_iter=10_000)
j_star = reference.fit(X, y).loss_curve_.min()
gaps = [est.loss_curve_ - j_star for est in fits.values()]
times = [est.times_ for est in fits.values()]

fig, ax = plt.subplots(figsize=(6.5, 4.5))
LossCurveDisplay(gaps, labels=list(fits), times=times).plot(ax, log_scale=True)
ax.set(ylabel="objective - minimum", title="Distance to the minimum, per iteration")

# %%
# Against the time
# ----------------
#
# An iteration does not cost the same for every solver: Adam computes square
# roots and divisions per coordinate, and the Barzilai-Borwein step is
# checked against the objective (and halved when it fails the check). Drawn
# against the wall-clock time (``x="time"``, from ``times_``; with
# ``from_estimator``, ``LossCurveDisplay.from_estimator(estimators, x="time")``),
# the picture keeps its shape on this small problem, where every step is
# dominated by the one pass over the data for the gradient:
# Barzilai-Borwein still finishes first, in a fraction of the time the
# others spend on their 1000 iterations. The times are those of the machine
# that built this page and will differ on yours.

fig, ax = plt.subplots(figsize=(6.5, 4.5))
LossCurveDisplay(gaps, labels=list(fits), times=times).plot(ax, x="time", log_scale=True)
ax.set(ylabel="objective - minimum", title="Distance to the minimum, against time")
plt.show()
