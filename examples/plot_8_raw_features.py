r"""
=================================================
Raw features: descent in standardized coordinates
=================================================

Gradient descent is not blind to units. A feature measured in thousands
(an area in square micrometres) and one measured in units (a texture score)
give the objective a long, thin valley: the step that is safe across it
crawls along it. The estimators therefore descend, by default, in
standardized coordinates (``precondition="auto"``): the coefficients scaled
by the columns' spreads and the intercept shifted by their means, computed
from ``X`` without a copy of it; where the coefficients are few and the
columns correlated, the coordinates are whitened too (the Hessian
decorrelated by its Cholesky factor). The objective is the same; only the
coordinates the steps are taken in change, and ``coef_``, ``intercept_``, the
path and the loss curve are reported in the original ones.
"""

# %%
# Two features of very different units
# ------------------------------------
#
# The breast cancer data, raw, with two of its columns: the mean texture
# (standard deviation about 4) and the mean area (about 350). The same
# default fit, with and without preconditioning, both recording their path.

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning

from sklearn_gd import DescentPathDisplay, GDLogisticRegressor, LossCurveDisplay

data = load_breast_cancer()
X2, y = data.data[:, [1, 3]], data.target
fits = {}
for precondition in (False, True):
    fits[precondition] = GDLogisticRegressor(
        precondition=precondition, record_path=True).fit(X2, y)
    print(f"precondition={precondition!s:5}: {fits[precondition].n_iter_:4d} iterations, "
          f"objective {fits[precondition].loss_curve_[-1]:.10f}")

# %%
# The paths of the two coefficients over the objective (the intercept held
# at its final value). In the original coordinates the contours are thin
# ellipses and the steps fight across them; in standardized ones they are
# round, and the steps go straight to the minimum.

fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharex=True, sharey=True)
for ax, (precondition, est) in zip(axes, fits.items()):
    disp = DescentPathDisplay.from_estimator(est, X2, y, coords=(0, 1), ax=ax)
    ax.set(title=f"precondition={precondition}: {est.n_iter_} iterations",
           xlabel="coefficient of mean texture", ylabel="coefficient of mean area")
plt.tight_layout()
plt.show()

# %%
# All thirty features
# -------------------
#
# On all the raw columns (units from 1e-3 to 1e3) the difference is the one
# between converging and not: without preconditioning the default fit runs
# out of its 1000 iterations far from the optimum; with it, it converges, and
# its stopping test (relative to the objective, in the new coordinates)
# means it is close.

X, y = data.data, data.target
curves = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for precondition in (False, True):
        curves[precondition] = GDLogisticRegressor(precondition=precondition).fit(X, y)
# The optimum, to judge them by: a fit run much further.
best = GDLogisticRegressor(tol=1e-9, max_iter=5000).fit(X, y).loss_curve_[-1]
for precondition, est in curves.items():
    how = "converged" if est.stop_reason_.startswith("Converged") else "max_iter"
    print(f"precondition={precondition!s:5}: {est.n_iter_:4d} iterations ({how}), "
          f"relative gap to the optimum {(est.loss_curve_[-1] - best) / best:.1e}")

disp = LossCurveDisplay.from_estimator(
    list(curves.values()), labels=[f"precondition={p}" for p in curves])
disp.ax_.set(title="Raw breast cancer, all 30 features")
plt.show()
