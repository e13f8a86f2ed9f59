r"""
===========================================
Choosing the learning rate by grid search
===========================================

The estimators are ordinary scikit-learn estimators, so the learning rate is
a hyper-parameter like any other: put the estimator in a pipeline after a
:class:`~sklearn.preprocessing.StandardScaler` and let
:class:`~sklearn.model_selection.GridSearchCV` try a range of values by
cross-validation. This example does that for
:class:`~sklearn_gd.GDLinearRegressor` on the diabetes data and plots the
cross-validated :math:`R^2` against the learning rate, including the
candidates that diverge.
"""

# %%
# The search
# ----------
#
# Thirteen learning rates from :math:`10^{-3}` to 1, evenly spaced on a log
# scale, each fitted with a budget of 200 steps on four fifths of the data
# and scored on the rest, five times. A learning rate that is too large
# makes the fit diverge, and :class:`~sklearn_gd.GDLinearRegressor` raises
# :class:`~sklearn_gd.DivergenceError`; with ``error_score=np.nan`` the grid
# search records the score of that fit as NaN and carries on (it also warns
# that some fits failed, and the small learning rates warn that 200 steps
# were not enough; both are expected here and silenced).

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDLinearRegressor

X, y = load_diabetes(return_X_y=True)
pipe = make_pipeline(StandardScaler(), GDLinearRegressor(max_iter=200))
learning_rates = np.logspace(-3, 0, 13)
search = GridSearchCV(
    pipe,
    {"gdlinearregressor__learning_rate": learning_rates},
    cv=5,
    error_score=np.nan,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("ignore", FitFailedWarning)
    warnings.filterwarnings("ignore", "One or more of the test scores are non-finite")
    search.fit(X, y)

mean = search.cv_results_["mean_test_score"]
std = search.cv_results_["std_test_score"]
for lr, m in zip(learning_rates, mean):
    print(f"learning_rate = {lr:.4f}: mean R^2 = {m:.3f}")
print("best:", search.best_params_)

# %%
# Where divergence starts
# -----------------------
#
# On the standardized data the objective is a quadratic bowl whose steepest
# curvature is :math:`L`, the largest eigenvalue of :math:`A^\top A / n` with
# :math:`A` the standardized features and a column of ones for the
# intercept. A constant step converges exactly when :math:`\eta < 2 / L`
# (the bowl :math:`w^2` of the learning-rate example has :math:`L = 2` and
# diverges above :math:`\eta = 1`). ``learning_rate="lipschitz"`` takes
# :math:`\eta = 1 / L`, half way to the edge. (The default ``"auto"`` is
# not a constant step here: for full-batch plain descent it is the
# Barzilai-Borwein step, which its line search keeps from diverging.)

A = np.c_[StandardScaler().fit_transform(X), np.ones(len(X))]
L = np.linalg.eigvalsh(A.T @ A / len(X)).max()
print(f"L = {L:.3f}: steps above 2/L = {2 / L:.3f} diverge, "
      f"'lipschitz' takes 1/L = {1 / L:.3f}")

# %%
# The picture
# -----------
#
# The cross-validated :math:`R^2` (mean and one standard deviation over the
# five folds) against the learning rate. On the left, the steps are so small
# that 200 of them do not get near the minimum, and the score is poor, even
# negative (worse than predicting the mean). It rises to a plateau of about
# 0.48, the score of least squares itself, from about 0.02 on: there 200 steps
# are enough to arrive, and every learning rate up to the edge scores the
# same. Past the dashed line at :math:`2/L` every fit diverges: those
# candidates have no score (NaN), drawn as red crosses on the bottom edge,
# and the grid search ranks them last. The plateau is wide, so any learning
# rate well inside it is a safe choice; ``"lipschitz"`` (:math:`1/L`) is one.

fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
ok = np.isfinite(mean)
ax.errorbar(learning_rates[ok], mean[ok], yerr=std[ok], marker="o", capsize=3,
            label="cross-validated $R^2$")
ax.plot(learning_rates[~ok], np.zeros((~ok).sum()), "x", color="tab:red", ms=10,
        mew=2, clip_on=False, transform=ax.get_xaxis_transform(),
        label="diverged (score NaN)")
ax.axvline(2 / L, color="k", ls="--", label="2 / L")
ax.set_xscale("log")
ax.set(xlabel="learning rate", ylabel="$R^2$",
       title="GDLinearRegressor, 200 steps, diabetes")
ax.legend(loc="lower center")
plt.show()
