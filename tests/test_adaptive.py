"""Adam, AdaGrad, RMSprop and the learning-rate schedules."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor, minimize
from sklearn_gd._optim.problem import Smooth
from sklearn_gd._optim.rules import AdaGrad, Adam, RMSprop
from sklearn_gd._optim.step_sizes import AdaptiveStep, InvScalingStep

G1, G2 = np.array([3.0, -0.5]), np.array([1.0, 2.0])


def two_updates(rule):
    state = rule.init(np.zeros(2))
    d1, state = rule.update(G1.copy(), state)
    d2, state = rule.update(G2.copy(), state)
    return d1, d2


def test_adam_by_hand():
    b1, b2, eps = 0.9, 0.999, 1e-8
    d1, d2 = two_updates(Adam(b1, b2, eps))
    m1, v1 = (1 - b1) * G1, (1 - b2) * G1**2
    assert_allclose(d1, (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + eps), rtol=1e-15)
    m2, v2 = b1 * m1 + (1 - b1) * G2, b2 * v1 + (1 - b2) * G2**2
    assert_allclose(d2, (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + eps), rtol=1e-15)


def test_adagrad_by_hand():
    d1, d2 = two_updates(AdaGrad(1e-8))
    assert_allclose(d1, G1 / (np.abs(G1) + 1e-8), rtol=1e-15)
    assert_allclose(d2, G2 / (np.sqrt(G1**2 + G2**2) + 1e-8), rtol=1e-15)


def test_rmsprop_by_hand_with_bias_correction():
    rho = 0.9
    d1, d2 = two_updates(RMSprop(rho, 1e-8))
    v1 = (1 - rho) * G1**2
    assert_allclose(d1, G1 / (np.sqrt(v1 / (1 - rho)) + 1e-8), rtol=1e-15)
    v2 = rho * v1 + (1 - rho) * G2**2
    assert_allclose(d2, G2 / (np.sqrt(v2 / (1 - rho**2)) + 1e-8), rtol=1e-15)


@pytest.mark.parametrize("rule", [Adam(0.9, 0.999, 1e-8), AdaGrad(1e-8), RMSprop(0.99, 1e-8)])
def test_first_direction_is_about_one_per_coordinate(rule):
    d1, _ = two_updates(rule)
    assert_allclose(np.abs(d1), 1.0, rtol=1e-6)


class Bowl(Smooth):
    def value_and_grad(self, x):
        return float(x @ x), 2 * x


class Plateau(Smooth):
    def value_and_grad(self, x):
        return 1.0, np.ones_like(x)


def _etas(step, calls, state=None):
    """The steps of ``calls`` (``(problem, x, f, g, d)`` each) in turn, the
    step size's state carried from one to the next; and the last state."""
    state, etas = step.init() if state is None else state, []
    for call in calls:
        eta, *_, state = step(*call, state)
        etas.append(eta)
    return etas, state


def test_invscaling_step_by_hand():
    step = InvScalingStep(0.4, power_t=0.5)
    x = np.array([1.0])
    etas, _ = _etas(step, [(Bowl(), x, 1.0, 2 * x, 2 * x)] * 4)
    assert_allclose(etas, 0.4 / np.sqrt([1, 2, 3, 4]))


def test_adaptive_step_divides_by_five_after_patience_without_progress():
    step = AdaptiveStep(1.0, patience=2)
    x = np.array([1.0])
    g = np.ones(1)
    etas, _ = _etas(step, [(Plateau(), x, 1.0, g, g)] * 5)
    assert etas == [1.0, 1.0, 0.2, 0.2, 0.04]


def test_adaptive_step_measures_progress_afresh_after_a_division():
    step = AdaptiveStep(1.0, patience=1)
    x, g = np.array([1.0]), np.ones(1)
    # best 0.5; the step lands on 1.0: divide
    _, state = _etas(step, [(Plateau(), x, 0.5, g, g)])
    # From 1.0 the bowl's next point, 1 - 0.2 * 2 = 0.6, is a new best (0.36)
    # only if the best was reset to where the descent stands.
    _, state = _etas(step, [(Bowl(), x, 1.0, 2 * x, 2 * x)], state)
    assert state["eta"] == 0.2


@pytest.mark.parametrize("solver", ["adam", "adagrad", "rmsprop"])
def test_auto_converges_on_a_quadratic(solver):
    A = np.diag([1.0, 10.0])
    res = minimize(lambda x: (0.5 * x @ A @ x, A @ x), [3.0, -2.0], jac=True,
                   solver=solver, lipschitz=10.0, tol=1e-6, max_iter=50_000)
    assert res.success
    assert_allclose(res.x, 0, atol=1e-5)


@pytest.mark.parametrize("solver", ["adam", "rmsprop"])
def test_regressor_auto_reaches_ridge_without_tuning(solver):
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    # Adaptive rules approach high precision slowly; with alpha=0.1 the
    # coefficients are within max|gradient| / 0.1 of the optimum (the
    # original coordinates' absolute test).
    reg = GDLinearRegressor(alpha=0.1, solver=solver, tol=1e-6, max_iter=50_000,
                            precondition=False).fit(X, y)
    ref = Ridge(alpha=0.1 * len(y)).fit(X, y)
    assert_allclose(reg.coef_, ref.coef_, rtol=1e-5)


@pytest.mark.parametrize("solver", ["adam", "adagrad", "rmsprop"])
def test_classifier_auto_reaches_logistic_regression(solver):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    clf = GDLogisticRegressor(alpha=1 / len(y), solver=solver, tol=1e-6,
                              max_iter=100_000).fit(X, y)
    ref = LogisticRegression(tol=1e-12, max_iter=10_000).fit(X, y)
    assert_allclose(clf.coef_, ref.coef_, rtol=1e-4, atol=1e-4 * np.abs(ref.coef_).max())


def test_adam_converges_at_the_defaults():
    X, y = load_iris(return_X_y=True)
    # The relative test asks for about 1e-6 of the objective: a little over
    # 1000 steps of Adam.
    clf = GDLogisticRegressor(solver="adam", max_iter=2000).fit(
        StandardScaler().fit_transform(X), y)
    assert clf.n_iter_ < 2000


def test_float_schedules_reach_the_optimum():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ref = Ridge(alpha=0.1 * len(y)).fit(X, y)
    for schedule in ["invscaling", "adaptive"]:
        reg = GDLinearRegressor(alpha=0.1, learning_rate=0.4, schedule=schedule,
                                power_t=0.1, tol=1e-6, max_iter=100_000).fit(X, y)
        assert_allclose(reg.coef_, ref.coef_, rtol=1e-5)


@pytest.mark.parametrize("learning_rate", ["line_search", "bb"])
def test_searches_reject_other_schedules(learning_rate):
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(ValueError, match="schedule='adaptive'"):
        GDLinearRegressor(learning_rate=learning_rate, schedule="adaptive").fit(X, y)


@pytest.mark.parametrize("solver", ["adam", "adagrad", "rmsprop"])
def test_searches_reject_adaptive_rules(solver):
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(ValueError, match="solver='gd' only"):
        GDLinearRegressor(learning_rate="line_search", solver=solver).fit(X, y)


def test_minimize_auto_with_adaptive_rule_needs_lipschitz():
    with pytest.raises(ValueError, match="lipschitz"):
        minimize(lambda x: (x @ x, 2 * x), np.ones(2), jac=True, solver="adam")


@pytest.mark.parametrize("params", [
    {"beta_1": 1.0}, {"beta_2": -0.1}, {"epsilon": 0.0}, {"schedule": "cosine"},
    {"power_t": -1.0}, {"n_iter_no_change": 0},
])
def test_invalid_values(params):
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(InvalidParameterError):
        GDLinearRegressor(**params).fit(X, y)
