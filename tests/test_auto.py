"""learning_rate="auto", the library's choice, and "lipschitz", the constant 1/L.

"auto" is the Barzilai-Borwein step (``"bb"``, started at 1/L) for full-batch
plain descent on the constant schedule in ``fit``, and ``"lipschitz"`` in
every other case: other solvers, mini-batches, other schedules, ``partial_fit``.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import log_loss
from standardized_data import standardized

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor
from sklearn_gd._linear.losses import HalfSquaredError
from sklearn_gd._linear.objective import LinearModelObjective
from sklearn_gd._optim.config import make_rule_and_step, resolve_auto
from sklearn_gd._optim.step_sizes import (
    AdaptiveStep,
    BarzilaiBorwein,
    ConstantStep,
    InvScalingStep,
)

MOMENTUM = 0.9


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def diabetes_objective(alpha=0.1):
    X, y = standardized("diabetes")
    return LinearModelObjective(X, y[:, None].astype(float), np.ones(len(y)),
                                HalfSquaredError(), alpha=alpha, l1_ratio=0.0,
                                fit_intercept=True, n_outputs=1)


def dense_lipschitz(X, alpha):
    """L of the least-squares gradient with an intercept, computed densely."""
    A = np.column_stack([X, np.ones(len(X))])
    return np.linalg.eigvalsh(A.T @ A / len(X)).max() + alpha


# --- Which step "auto" resolves to ----------------------------------------------

@pytest.mark.parametrize("solver, schedule, batch_size, stream, expected", [
    ("gd", "constant", None, False, "bb"),
    ("gd", "invscaling", None, False, "lipschitz"),
    ("gd", "adaptive", None, False, "lipschitz"),
    ("gd", "constant", 32, False, "lipschitz"),
    ("gd", "constant", None, True, "lipschitz"),
    ("momentum", "constant", None, False, "lipschitz"),
    ("nesterov", "constant", None, False, "lipschitz"),
    ("adam", "constant", None, False, "lipschitz"),
    ("rmsprop", "constant", None, False, "lipschitz"),
])
def test_resolve_auto(solver, schedule, batch_size, stream, expected):
    assert resolve_auto(solver, schedule, batch_size, stream) == expected


def expected_step(objective, x0, solver, batch_size, stream):
    """The step type and base step of "lipschitz" (today's 1/L rules)."""
    L = objective.lipschitz()
    noisy = stream or batch_size is not None
    if solver in ("adam", "rmsprop"):
        _, g0 = objective.value_and_grad(x0)
        return AdaptiveStep, np.abs(g0).max() / L
    if batch_size is not None:
        rate = 1 / objective.batch_lipschitz(batch_size)
        if solver in ("momentum", "nesterov"):
            rate *= 1 - MOMENTUM
        return AdaptiveStep, rate
    if noisy and solver == "momentum":
        return ConstantStep, (1 - MOMENTUM) / L
    return ConstantStep, 1 / L


def rule_and_step(objective, x0, learning_rate, solver, schedule="constant",
                  batch_size=None, stream=False):
    return make_rule_and_step(
        objective, x0, learning_rate=learning_rate, solver=solver, momentum=MOMENTUM,
        beta_1=0.9, beta_2=0.999, epsilon=1e-8, schedule=schedule, power_t=0.5,
        n_iter_no_change=10, batch_size=batch_size, stream=stream)


def test_auto_is_bb_from_one_over_l_for_full_batch_gd():
    objective = diabetes_objective()
    x0 = objective.initial_params()
    _, step = rule_and_step(objective, x0, "auto", "gd")
    assert type(step) is BarzilaiBorwein
    # Only BB's first step uses L: a power iteration stopped at 1% does.
    assert step.eta == pytest.approx(1 / objective.lipschitz(rtol=1e-2), rel=1e-12)
    assert step.eta == pytest.approx(1 / objective.lipschitz(), rel=2e-2)


# (solver, batch_size, stream): all but the first are "auto" too.
ONE_OVER_L = [
    ("gd", None, False), ("momentum", None, False), ("nesterov", None, False),
    ("adam", None, False), ("rmsprop", None, False),
    ("gd", 32, False), ("momentum", 32, False), ("nesterov", 32, False),
    ("adam", 32, False), ("gd", None, True), ("momentum", None, True),
    ("gd", 32, True),
]


@pytest.mark.parametrize("learning_rate, solver, batch_size, stream", [
    *(("lipschitz", *case) for case in ONE_OVER_L),
    *(("auto", *case) for case in ONE_OVER_L[1:]),
])
def test_one_over_l_steps(learning_rate, solver, batch_size, stream):
    objective = diabetes_objective()
    x0 = objective.initial_params()
    _, step = rule_and_step(objective, x0, learning_rate, solver,
                            batch_size=batch_size, stream=stream)
    kind, rate = expected_step(objective, x0, solver, batch_size, stream)
    assert type(step) is kind
    assert step.eta == pytest.approx(rate, rel=1e-12)


@pytest.mark.parametrize("learning_rate", ["auto", "lipschitz"])
def test_another_schedule_takes_one_over_l(learning_rate):
    objective = diabetes_objective()
    _, step = rule_and_step(objective, objective.initial_params(), learning_rate, "gd",
                            schedule="invscaling")
    assert type(step) is InvScalingStep
    assert step.eta0 == pytest.approx(1 / objective.lipschitz(), rel=1e-12)


# --- The estimators: "auto" fits as "bb" or as "lipschitz" -----------------------


@pytest.mark.parametrize("Estimator, data", [(GDLinearRegressor, "diabetes"),
                                             (GDLogisticRegressor, "breast_cancer")])
def test_auto_fits_as_bb_for_full_batch_gd(Estimator, data):
    X, y = standardized(data)
    auto = Estimator().fit(X, y)
    bb = Estimator(learning_rate="bb").fit(X, y)
    assert auto.n_iter_ == bb.n_iter_
    assert_array_equal(auto.coef_, bb.coef_)
    assert auto.learning_rate_ == bb.learning_rate_


@pytest.mark.parametrize("params", [
    dict(solver="momentum"), dict(solver="nesterov"), dict(solver="adam"),
    dict(batch_size=32), dict(batch_size=32, solver="momentum"),
    dict(batch_size=1, solver="nesterov"), dict(schedule="invscaling"),
], ids=lambda params: "-".join(map(str, params.values())))
@pytest.mark.parametrize("Estimator, data", [(GDLinearRegressor, "diabetes"),
                                             (GDLogisticRegressor, "iris")])
def test_auto_fits_as_lipschitz_elsewhere(Estimator, data, params):
    X, y = standardized(data)
    fits = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # invscaling is slow
        for learning_rate in ("auto", "lipschitz"):
            fits.append(Estimator(learning_rate=learning_rate, random_state=0,
                                  max_iter=200, **params).fit(X, y))
    auto, lipschitz = fits
    assert auto.n_iter_ == lipschitz.n_iter_
    assert_array_equal(auto.coef_, lipschitz.coef_)
    assert auto.learning_rate_ == lipschitz.learning_rate_


@pytest.mark.parametrize("batch_size", [None, 32])
def test_auto_partial_fit_is_lipschitz(batch_size):
    X, y = standardized("diabetes")
    models = [GDLinearRegressor(learning_rate=lr, batch_size=batch_size, random_state=0)
              for lr in ("auto", "lipschitz")]
    for start in range(0, 300, 100):
        for model in models:
            model.partial_fit(X[start:start + 100], y[start:start + 100])
    auto, lipschitz = models
    assert_array_equal(auto.coef_, lipschitz.coef_)
    assert auto.learning_rate_ == lipschitz.learning_rate_
    if batch_size is None:
        # The first chunk's 1/L, kept: no line search on a moving objective.
        L = dense_lipschitz(X[:100], 0.0)
        assert auto.learning_rate_ == pytest.approx(1 / L, rel=1e-3)


@pytest.mark.parametrize("solver", ["gd", "momentum", "nesterov"])
def test_lipschitz_is_one_over_l_for_full_batches(solver):
    X, y = standardized("diabetes")
    # In the original coordinates, where dense_lipschitz measures L.
    model = GDLinearRegressor(alpha=0.1, solver=solver, learning_rate="lipschitz",
                              max_iter=100_000, precondition=False).fit(X, y)
    assert model.learning_rate_ == pytest.approx(1 / dense_lipschitz(X, 0.1), rel=1e-3)
    if solver == "gd":  # the descent lemma: every 1/L step goes down
        assert np.all(np.diff(model.loss_curve_) <= 0)


def test_auto_is_not_one_over_l_for_full_batch_gd():
    # BB's steps follow the curvature they meet, now long, now short, and
    # there are far fewer of them. (Its last step says little: it may end
    # near 1/L by chance.)
    X, y = standardized("diabetes")
    auto = GDLinearRegressor().fit(X, y)
    lipschitz = GDLinearRegressor(learning_rate="lipschitz", max_iter=10_000).fit(X, y)
    assert auto.n_iter_ * 10 < lipschitz.n_iter_  # measured: 70 and 3,777


# --- The defaults converge: the target -------------------------------------


def test_default_classifier_converges_on_breast_cancer(no_warnings):
    # With 1/L the default stopped at max_iter=1000 with a ConvergenceWarning.
    X, y = standardized("breast_cancer")
    gd = GDLogisticRegressor().fit(X, y)
    assert gd.stop_reason_.startswith("Converged")
    assert gd.n_iter_ < 1000
    alpha = gd.alpha
    ref = LogisticRegression(C=1 / (alpha * len(y)), tol=1e-12, max_iter=10_000).fit(X, y)

    def objective(model):
        return log_loss(y, model.predict_proba(X)) + 0.5 * alpha * np.sum(model.coef_**2)

    # tol=1e-4 on the gradient of a problem only alpha=1e-4 strongly convex
    # allows an excess of |g|^2 / (2 alpha) <= 1.6e-3 over the optimum;
    # measured: 2e-4, 0.5% of the optimum (lbfgs at its default tol: 1e-5).
    assert objective(ref) <= objective(gd) <= objective(ref) * 1.01
    assert_allclose(gd.predict_proba(X), ref.predict_proba(X), atol=0.05)
    assert np.mean(gd.predict(X) == ref.predict(X)) >= 0.99


@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_default_regressor_converges_on_diabetes(alpha, no_warnings):
    X, y = standardized("diabetes")
    gd = GDLinearRegressor(alpha=alpha).fit(X, y)
    assert gd.stop_reason_.startswith("Converged")
    assert gd.n_iter_ < 1000
    ref = (LinearRegression() if alpha == 0 else Ridge(alpha=alpha * len(y))).fit(X, y)

    def objective(model):
        residual = y - model.predict(X)
        return 0.5 * np.mean(residual**2) + 0.5 * alpha * np.sum(model.coef_**2)

    # The relative test at tol=1e-4: within about 1e-6 of the optimum's
    # objective (measured: 3e-7 and 4e-7); the coefficients, up to ~38 and
    # two of them nearly collinear, within 2e-2 of their scale (measured: 1e-3).
    assert objective(gd) <= objective(ref) * (1 + 1e-5)
    scale = np.abs(ref.coef_).max()
    assert_allclose(gd.coef_, ref.coef_, rtol=0, atol=2e-2 * scale)
    assert gd.intercept_ == pytest.approx(ref.intercept_, abs=2e-2 * scale)


def test_default_early_stopping_stops_early_on_a_good_iterate():
    # The BB steps may raise the validation loss for a few steps; the
    # patience of n_iter_no_change=10 absorbs them, and the kept iterate is
    # the best validated one (measured: 24 iterations and a validation log
    # loss of 0.031, where 1/L stops after 821 at 0.047).
    X, y = standardized("breast_cancer")
    params = dict(early_stopping=True, random_state=0)
    auto = GDLogisticRegressor(record_path=True, **params).fit(X, y)
    lipschitz = GDLogisticRegressor(learning_rate="lipschitz", **params).fit(X, y)
    assert auto.stop_reason_.lower().startswith("stopped early")
    assert auto.n_iter_ < lipschitz.n_iter_
    assert auto.validation_scores_.max() >= lipschitz.validation_scores_.max()
    # The kept coefficients are the iterate of the best score (the first, if
    # tied): validation_scores_[j] is that of coef_path_[j + 1], after step j + 1.
    best = int(np.argmax(auto.validation_scores_)) + 1
    assert best < auto.n_iter_
    assert_array_equal(auto.coef_, auto.coef_path_[best])
    assert_array_equal(auto.intercept_, auto.intercept_path_[best])
