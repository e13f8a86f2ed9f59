"""The L1 and elastic-net penalties: by hand, in the objective, and in the estimators.

- :class:`~sklearn_gd._linear.penalties.ElasticNet`: soft-thresholding, the
  subgradient of least size and the ``penalty`` -> ``(alpha, l1_ratio)``
  mapping, checked by hand on tiny arrays;
- :class:`~sklearn_gd._linear.objective.LinearModelObjective` with ``l1_ratio > 0``:
  its value, the gradient of its smooth part, the proximal step (never on the
  intercept) and the stationarity measure, zero at scikit-learn's Lasso optimum;
- :class:`~sklearn_gd._optim.rules.Extrapolated` (FISTA and constant momentum on the
  iterates): the extrapolated points by hand, restart included;
- the estimators with ``penalty="l1"`` and ``"elasticnet"`` against
  :class:`~sklearn.linear_model.Lasso`, :class:`~sklearn.linear_model.ElasticNet`
  and :class:`~sklearn.linear_model.LogisticRegression` (saga), solved to a
  tight tolerance: the same coefficients and the same exact zeros.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import ElasticNet as SkElasticNet
from sklearn.linear_model import Lasso, LogisticRegression
from standardized_data import standardized

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor
from sklearn_gd._linear.losses import HalfSquaredError
from sklearn_gd._linear.objective import LinearModelObjective
from sklearn_gd._linear.penalties import ElasticNet, penalty_strengths
from sklearn_gd._optim.rules import Extrapolated

# Coefficients must match the reference to this much of its largest |coef|.
# Measured: the regressor is within 1e-9 of Lasso/ElasticNet (coordinate
# descent at tol=1e-14), the classifier within 3e-7 of saga at tol=1e-12.
REG_RTOL = 1e-6
CLF_RTOL = 1e-5
EXACT = dict(tol=1e-9, max_iter=200_000)




def integer_weights(n, seed=0):
    return np.random.default_rng(seed).integers(1, 4, n).astype(float)


# --- ElasticNet, by hand ------------------------------------------------------


def test_prox_is_soft_thresholding_by_eta_alpha_l1_ratio():
    penalty = ElasticNet(alpha=2.0, l1_ratio=0.5)  # alpha * l1_ratio = 1
    W = np.array([[3.0, -0.5], [-2.0, 0.25], [0.75, -4.0]])
    # threshold = eta * alpha * l1_ratio = 0.5
    expected = np.array([[2.5, 0.0], [-1.5, 0.0], [0.25, -3.5]])
    out = penalty.prox(W, 0.5)
    assert_array_equal(out, expected)
    # |w| <= threshold lands on an exact zero, not a tiny number.
    assert np.count_nonzero(out == 0) == 2
    assert_array_equal(W[0], [3.0, -0.5])  # the input is not modified


def test_prox_without_l1_is_the_identity():
    W = np.array([[3.0, -0.5], [1e-12, 0.0]])
    assert_array_equal(ElasticNet(alpha=5.0, l1_ratio=0.0).prox(W, 10.0), W)


def test_smooth_and_nonsmooth_parts_by_hand():
    penalty = ElasticNet(alpha=2.0, l1_ratio=0.25)  # l2 part 1.5, l1 part 0.5
    W = np.array([[1.0, -2.0], [0.0, 3.0]])
    value, grad = penalty.smooth_value_and_grad(W)
    assert value == pytest.approx(0.5 * 1.5 * (1 + 4 + 0 + 9))
    assert_allclose(grad, 1.5 * W)
    assert penalty.nonsmooth_value(W) == pytest.approx(0.5 * (1 + 2 + 0 + 3))
    assert penalty.nonsmooth
    assert not ElasticNet(alpha=2.0, l1_ratio=0.0).nonsmooth
    assert ElasticNet(alpha=2.0, l1_ratio=0.0).nonsmooth_value(W) == 0.0


def test_min_norm_subgradient_by_hand():
    penalty = ElasticNet(alpha=1.0, l1_ratio=1.0)  # alpha * l1_ratio = 1
    W = np.array([1.0, -2.0, 0.0, 0.0, 0.0, 0.0])
    G = np.array([0.25, 0.25, 0.5, -2.0, 3.0, -1.0])
    expected = np.array([
        0.25 + 1.0,   # w > 0: g + alpha rho
        0.25 - 1.0,   # w < 0: g - alpha rho
        0.0,          # w = 0, |g| <= alpha rho: 0 is a subgradient
        -1.0,         # w = 0: sign(g) (|g| - alpha rho)
        2.0,
        0.0,          # |g| == alpha rho exactly
    ])
    assert_array_equal(penalty.min_norm_subgradient(W, G), expected)


@pytest.mark.parametrize("penalty, expected", [
    (None, (0.0, 0.0)),
    ("l2", (0.7, 0.0)),
    ("l1", (0.7, 1.0)),
    ("elasticnet", (0.7, 0.3)),
])
def test_penalty_strengths(penalty, expected):
    assert penalty_strengths(penalty, 0.7, 0.3) == expected


# --- The objective with an L1 part ----------------------------------------------


def small_objective(alpha=0.7, l1_ratio=0.3, fit_intercept=True, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((12, 3))
    Y = rng.standard_normal((12, 2))
    weights = rng.uniform(0.1, 3.0, 12)
    return LinearModelObjective(X, Y, weights, HalfSquaredError(), alpha=alpha,
                                l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                                n_outputs=2)


def test_objective_value_adds_both_parts_of_the_penalty_on_W_only():
    objective = small_objective(alpha=0.7, l1_ratio=0.3)
    theta = np.array([[0.5, -1.0], [0.0, 2.0], [-0.25, 0.75], [10.0, -20.0]])
    W, b = theta[:3], theta[3]
    w = objective._weights
    residual = objective.X @ W + b - objective.Y
    expected = (w @ (0.5 * (residual**2).sum(axis=1))
                + 0.7 * 0.3 * np.abs(W).sum() + 0.7 * 0.7 / 2 * (W**2).sum())
    value, _ = objective.value_and_grad(theta)
    assert value == pytest.approx(expected, rel=1e-12)
    assert objective.nonsmooth_value(theta) == pytest.approx(0.7 * 0.3 * np.abs(W).sum())
    # The intercept is not penalized: moving it changes the loss only.
    moved = theta.copy()
    moved[3] = 0.0
    assert objective.nonsmooth_value(moved) == objective.nonsmooth_value(theta)


def test_smooth_gradient_matches_finite_differences():
    objective = small_objective(alpha=0.7, l1_ratio=0.3)
    theta = np.random.default_rng(1).standard_normal((4, 2))

    def smooth(t):
        return objective.value_and_grad(t)[0] - objective.nonsmooth_value(t)

    _, grad = objective.value_and_grad(theta)
    fd = np.empty_like(theta)
    h = 1e-6
    for idx in np.ndindex(theta.shape):
        up, down = theta.copy(), theta.copy()
        up[idx] += h
        down[idx] -= h
        fd[idx] = (smooth(up) - smooth(down)) / (2 * h)
    assert_allclose(grad, fd, rtol=1e-6, atol=1e-7)


def test_prox_soft_thresholds_W_and_leaves_the_intercept_row_untouched():
    objective = small_objective(alpha=2.0, l1_ratio=0.5)  # alpha * l1_ratio = 1
    theta = np.array([[3.0, -0.5], [-2.0, 0.25], [0.75, -4.0], [0.1, -0.2]])
    out = objective.prox(theta, 0.5)
    assert_array_equal(out[:3], [[2.5, 0.0], [-1.5, 0.0], [0.25, -3.5]])
    assert_array_equal(out[3], [0.1, -0.2])  # |b| < threshold, yet kept
    assert_array_equal(theta[3], [0.1, -0.2])


def test_prox_without_intercept_thresholds_every_row():
    objective = small_objective(alpha=2.0, l1_ratio=0.5, fit_intercept=False)
    theta = np.array([[3.0, -0.5], [-2.0, 0.25], [0.75, -4.0]])
    assert_array_equal(objective.prox(theta, 0.5),
                       [[2.5, 0.0], [-1.5, 0.0], [0.25, -3.5]])


def diabetes_objective(alpha, l1_ratio, sample_weight=None):
    X, y = standardized("diabetes")
    sw = np.ones(len(y)) if sample_weight is None else sample_weight
    return LinearModelObjective(X, y[:, None].astype(float), sw, HalfSquaredError(),
                                alpha=alpha, l1_ratio=l1_ratio, fit_intercept=True,
                                n_outputs=1)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_stationarity_is_zero_at_the_lasso_optimum(weighted):
    X, y = standardized("diabetes")
    sw = integer_weights(len(y)) if weighted else None
    lasso = Lasso(alpha=1.0, tol=1e-14, max_iter=100_000).fit(X, y, sample_weight=sw)
    assert np.count_nonzero(lasso.coef_ == 0) > 0  # some coordinates sit at zero
    objective = diabetes_objective(1.0, 1.0, sw)
    theta = np.append(lasso.coef_, lasso.intercept_)[:, None]
    value, grad = objective.value_and_grad(theta)
    assert np.abs(objective.stationarity(theta, grad, value)).max() < 1e-6
    # The gradient of the smooth part alone is far from zero there...
    assert np.abs(grad).max() > 0.1
    # ...and the measure sees a small move away from the optimum.
    moved = theta * 1.01
    value_moved, grad_moved = objective.value_and_grad(moved)
    assert np.abs(objective.stationarity(moved, grad_moved, value_moved)).max() > 1e-3


def test_stationarity_is_the_gradient_without_l1():
    objective = diabetes_objective(0.5, 0.0)
    theta = np.random.default_rng(0).standard_normal((11, 1))
    value, grad = objective.value_and_grad(theta)
    assert not objective.nonsmooth
    assert_array_equal(objective.stationarity(theta, grad, value), grad)
    assert_array_equal(objective.prox(theta, 3.0), theta)


# --- Extrapolated: FISTA and constant momentum on the iterates -----------------


def test_fista_extrapolation_by_hand_with_a_restart():
    rule = Extrapolated(momentum=None)
    x0 = np.array([0.0, 0.0])
    state = rule.init(x0)
    assert state[2] == 0
    # update passes the gradient through: the momentum is on the iterates.
    g = np.array([1.0, -1.0])
    d, state = rule.update(g, state)
    assert_array_equal(d, g)

    # k = 0: mu = 0, y is x itself.
    x1 = np.array([1.0, 2.0])
    y1, state = rule.extrapolate(x1, state)
    assert_array_equal(y1, x1)
    assert state[2] == 1

    # k = 1: mu = 1/4.
    x2 = np.array([2.0, 3.0])
    y2, state = rule.extrapolate(x2, state)
    assert_allclose(y2, x2 + 0.25 * (x2 - x1), rtol=0, atol=1e-15)
    assert_allclose(y2, [2.25, 3.25], rtol=0, atol=1e-15)

    # k = 2: mu = 2/5; <y2 - x3, x3 - x2> = -0.875 < 0, no restart.
    x3 = np.array([3.0, 3.5])
    y3, state = rule.extrapolate(x3, state)
    assert_allclose(y3, x3 + 0.4 * (x3 - x2), rtol=0, atol=1e-15)
    assert_allclose(y3, [3.4, 3.7], rtol=0, atol=1e-15)
    assert state[2] == 3

    # <y3 - x4, x4 - x3> = 0.2*0.2 + 0.1*0.1 > 0: restart, k = 0, mu = 0.
    x4 = np.array([3.2, 3.6])
    assert np.vdot(y3 - x4, x4 - x3) > 0
    y4, state = rule.extrapolate(x4, state)
    assert_array_equal(y4, x4)
    assert state[2] == 1

    # The schedule starts again: mu = 1/4.
    x5 = np.array([3.3, 3.6])
    y5, state = rule.extrapolate(x5, state)
    assert_allclose(y5, [3.325, 3.6], rtol=0, atol=1e-15)


def test_constant_momentum_extrapolation_by_hand_never_restarts():
    rule = Extrapolated(momentum=0.5)
    state = rule.init(np.zeros(2))
    x1 = np.array([1.0, 2.0])
    y1, state = rule.extrapolate(x1, state)
    assert_array_equal(y1, [1.5, 3.0])  # mu = 0.5 from the very first step
    x2 = np.array([2.0, 3.0])
    y2, state = rule.extrapolate(x2, state)
    assert_array_equal(y2, [2.5, 3.5])
    # A step that would restart FISTA: the constant momentum still applies.
    x3 = np.array([2.2, 3.1])
    assert np.vdot(y2 - x3, x3 - x2) > 0
    y3, state = rule.extrapolate(x3, state)
    assert_allclose(y3, x3 + 0.5 * (x3 - x2), rtol=0, atol=1e-15)
    assert_allclose(y3, [2.3, 3.15], rtol=0, atol=1e-15)


def test_zero_constant_momentum_does_not_extrapolate():
    rule = Extrapolated(momentum=0.0)
    state = rule.init(np.zeros(2))
    for x in (np.array([1.0, 2.0]), np.array([3.0, -1.0])):
        y, state = rule.extrapolate(x, state)
        assert_array_equal(y, x)


# --- GDLinearRegressor against Lasso and ElasticNet ----------------------------

# "auto" with "gd" is "bb", already here; "lipschitz" is the constant 1/L.
REG_CONFIGS = [("gd", "lipschitz"), ("momentum", "auto"), ("nesterov", "auto"),
               ("gd", "bb"), ("gd", "line_search")]
REG_IDS = [f"{solver}-{lr}" for solver, lr in REG_CONFIGS]
# (penalty, alpha, l1_ratio, reference): each with coefficients at zero.
REG_PROBLEMS = {
    "l1": (1.0, 1.0, lambda: Lasso(alpha=1.0, tol=1e-14, max_iter=100_000)),
    "elasticnet": (2.0, 0.7, lambda: SkElasticNet(alpha=2.0, l1_ratio=0.7, tol=1e-14,
                                                  max_iter=100_000)),
}
_REG_REF = {}


def regressor_reference(penalty, weighted):
    if (penalty, weighted) not in _REG_REF:
        X, y = standardized("diabetes")
        sw = integer_weights(len(y)) if weighted else None
        _REG_REF[penalty, weighted] = REG_PROBLEMS[penalty][2]().fit(X, y, sample_weight=sw)
    return _REG_REF[penalty, weighted]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
@pytest.mark.parametrize("solver, learning_rate", REG_CONFIGS, ids=REG_IDS)
def test_regressor_matches_lasso_and_elastic_net(solver, learning_rate, penalty, weighted):
    X, y = standardized("diabetes")
    sw = integer_weights(len(y)) if weighted else None
    alpha, l1_ratio, _ = REG_PROBLEMS[penalty]
    ref = regressor_reference(penalty, weighted)
    assert np.count_nonzero(ref.coef_ == 0) > 0
    model = GDLinearRegressor(penalty=penalty, alpha=alpha, l1_ratio=l1_ratio,
                              solver=solver, learning_rate=learning_rate,
                              **EXACT).fit(X, y, sample_weight=sw)
    assert model.stop_reason_.startswith("Converged")
    scale = np.abs(ref.coef_).max()
    assert_allclose(model.coef_, ref.coef_, rtol=0, atol=REG_RTOL * scale)
    assert model.intercept_ == pytest.approx(ref.intercept_, abs=REG_RTOL * scale)
    # The soft-threshold gives exact zeros, exactly where Lasso's are.
    assert_array_equal(model.coef_ == 0, ref.coef_ == 0)


def test_regressor_l1_is_elastic_net_with_l1_ratio_one():
    X, y = standardized("diabetes")
    l1 = GDLinearRegressor(penalty="l1", alpha=1.0, l1_ratio=0.2, **EXACT).fit(X, y)
    en = GDLinearRegressor(penalty="elasticnet", alpha=1.0, l1_ratio=1.0, **EXACT).fit(X, y)
    assert_array_equal(l1.coef_, en.coef_)


# --- GDLogisticRegressor against LogisticRegression (saga) ----------------------

# (data, alpha, l1_ratio); scikit-learn 1.9 spells the L1 share l1_ratio (its
# `penalty` is deprecated) and only saga takes it with a multinomial loss.
CLF_PROBLEMS = {
    "binary-l1": ("breast_cancer", 0.05, 1.0),
    "binary-elasticnet": ("breast_cancer", 0.05, 0.5),
    "multinomial-l1": ("iris", 0.02, 1.0),
    "multinomial-elasticnet": ("iris", 0.02, 0.5),
}
_CLF_REF = {}


def classifier_reference(name):
    if name not in _CLF_REF:
        data, alpha, l1_ratio = CLF_PROBLEMS[name]
        X, y = standardized(data)
        _CLF_REF[name] = LogisticRegression(
            C=1 / (alpha * len(y)), l1_ratio=l1_ratio, solver="saga", tol=1e-12,
            max_iter=100_000).fit(X, y)
    return _CLF_REF[name]


@pytest.mark.parametrize("solver, learning_rate", [("nesterov", "auto"), ("gd", "bb")])
@pytest.mark.parametrize("problem", list(CLF_PROBLEMS))
def test_classifier_matches_logistic_regression_saga(problem, solver, learning_rate):
    data, alpha, l1_ratio = CLF_PROBLEMS[problem]
    X, y = standardized(data)
    ref = classifier_reference(problem)
    assert np.count_nonzero(ref.coef_ == 0) > 0
    penalty = "l1" if l1_ratio == 1 else "elasticnet"
    model = GDLogisticRegressor(penalty=penalty, alpha=alpha, l1_ratio=l1_ratio,
                                solver=solver, learning_rate=learning_rate,
                                **EXACT).fit(X, y)
    scale = np.abs(ref.coef_).max()
    assert_allclose(model.coef_, ref.coef_, rtol=0, atol=CLF_RTOL * scale)
    # Softmax intercepts are defined up to a common shift: compare them centered.
    assert_allclose(model.intercept_ - model.intercept_.mean(),
                    ref.intercept_ - ref.intercept_.mean(), rtol=0, atol=CLF_RTOL * scale)
    assert_allclose(model.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    assert_array_equal(model.coef_ == 0, ref.coef_ == 0)


# --- What the penalty parameters refuse or ignore --------------------------------


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
@pytest.mark.parametrize("solver", ["adam", "adagrad", "rmsprop"])
def test_adaptive_solvers_refuse_l1_and_leave_a_fitted_model_unchanged(solver, penalty):
    X, y = standardized("diabetes")
    model = GDLinearRegressor(solver="nesterov", tol=1e-6).fit(X, y)
    fitted = {k: v for k, v in vars(model).items() if k.endswith("_")}
    model.set_params(solver=solver, penalty=penalty, alpha=1.0)
    with pytest.raises(ValueError, match=f"solver='{solver}'"):
        model.fit(X, y)
    after = {k: v for k, v in vars(model).items() if k.endswith("_")}
    assert after.keys() == fitted.keys()
    for key, value in fitted.items():
        assert_array_equal(after[key], value, err_msg=key)
    assert after["coef_"] is fitted["coef_"]


def test_adaptive_solver_refuses_l1_in_the_classifier_too():
    X, y = standardized("iris")
    with pytest.raises(ValueError, match="solver='adam'"):
        GDLogisticRegressor(solver="adam", penalty="l1").fit(X, y)


def test_adaptive_solver_with_l1_ratio_zero_elastic_net_is_smooth_and_accepted():
    X, y = standardized("diabetes")
    model = GDLinearRegressor(solver="adam", penalty="elasticnet", l1_ratio=0.0,
                              alpha=0.1, tol=1e-3).fit(X, y)
    assert np.all(model.coef_ != 0)


@pytest.mark.parametrize("Estimator, data", [(GDLinearRegressor, "diabetes"),
                                             (GDLogisticRegressor, "iris")])
def test_penalty_none_ignores_alpha(Estimator, data):
    X, y = standardized(data)
    # Unpenalized, setosa's separable classes have no optimum, only an
    # absolute gradient that vanishes: the original coordinates' test.
    params = dict(tol=1e-6, max_iter=5000, solver="nesterov", l1_ratio=0.5,
                  precondition=False)
    unpenalized = Estimator(penalty=None, alpha=0.0, **params).fit(X, y)
    ignored = Estimator(penalty=None, alpha=5.0, **params).fit(X, y)
    assert_array_equal(ignored.coef_, unpenalized.coef_)
    assert_array_equal(ignored.intercept_, unpenalized.intercept_)
    # alpha=5 does matter with a penalty: the check above can fail.
    penalized = Estimator(penalty="elasticnet", alpha=5.0, **params).fit(X, y)
    assert np.abs(penalized.coef_).sum() < 0.5 * np.abs(unpenalized.coef_).sum()
