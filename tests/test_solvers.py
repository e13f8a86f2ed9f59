"""Every solver reaches the same answer; invalid combinations are refused.

The solvers ("gd", "momentum", "nesterov") only change the direction of each
step, so with a tight ``tol`` each of them, with each learning rate it accepts,
must land on the closed-form or reference solution.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.utils._param_validation import InvalidParameterError
from standardized_data import standardized

from sklearn_gd import DivergenceError, GDLinearRegressor, GDLogisticRegressor, minimize

# (solver, learning rate): "float" is a safe constant step, 0.8 / L with L an
# upper bound of the Lipschitz constant of the gradient, computed densely.
# "auto" is Barzilai-Borwein for "gd", "lipschitz" (1/L) for the others.
CONFIGS = [
    ("gd", "auto"),
    ("gd", "lipschitz"),
    ("gd", "float"),
    ("gd", "line_search"),
    ("momentum", "auto"),
    ("momentum", "float"),
    ("nesterov", "auto"),
    ("nesterov", "float"),
]
CONFIG_IDS = [f"{solver}-{lr}" for solver, lr in CONFIGS]
EXACT = dict(tol=1e-9, max_iter=100_000)
SAFE = 0.8



def gram_max_eigenvalue(X):
    """lambda_max([X, 1]^T [X, 1] / n)."""
    A = np.column_stack([X, np.ones(len(X))])
    return np.linalg.eigvalsh(A.T @ A / len(X)).max()


def learning_rate(kind, lipschitz):
    return SAFE / lipschitz if kind == "float" else kind


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --- minimize on a strongly convex quadratic ---------------------------------


def quadratic(n, condition_number, seed=0):
    """f(x) = x^T A x / 2 - b^T x with eigenvalues of A from 1 to kappa."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = (Q * np.logspace(0, np.log10(condition_number), n)) @ Q.T
    A = (A + A.T) / 2
    b = rng.standard_normal(n)

    def fun(x):
        return 0.5 * x @ A @ x - b @ x

    def jac(x):
        return A @ x - b

    return fun, jac, np.linalg.eigvalsh(A).max(), np.linalg.solve(A, b)


def minimize_quadratic(fun, jac, L, n, solver, lr, **kwargs):
    return minimize(
        fun, np.zeros(n), jac=jac, solver=solver,
        learning_rate=learning_rate(lr, L),
        lipschitz=L if lr in ("auto", "lipschitz") else None, **kwargs,
    )


@pytest.mark.parametrize("solver, lr", CONFIGS, ids=CONFIG_IDS)
def test_minimize_reaches_the_closed_form(solver, lr, no_warnings):
    n = 20
    fun, jac, L, x_star = quadratic(n, condition_number=100)
    res = minimize_quadratic(fun, jac, L, n, solver, lr, tol=1e-10, max_iter=100_000)
    assert res.success and res.status == "converged"
    # |x - x*| <= |A^-1| |g| <= sqrt(n) * tol, as lambda_min(A) = 1.
    assert_allclose(res.x, x_star, rtol=0, atol=1e-8)
    if lr == "lipschitz" or (lr == "auto" and solver != "gd"):
        assert res.learning_rate == pytest.approx(1 / L, rel=1e-12)
    elif lr == "float":
        assert res.learning_rate == SAFE / L


def test_accelerated_solvers_take_fewer_iterations(no_warnings):
    n = 20
    fun, jac, L, x_star = quadratic(n, condition_number=1e3, seed=1)
    nit = {}
    # All three with the same step 1/L; only the direction differs.
    for solver in ("gd", "momentum", "nesterov"):
        res = minimize_quadratic(fun, jac, L, n, solver, "lipschitz", tol=1e-8,
                                 max_iter=100_000)
        assert res.success
        assert_allclose(res.x, x_star, rtol=0, atol=1e-6)
        nit[solver] = res.nit
    # sqrt(kappa) instead of kappa: about 20 times fewer steps here.
    assert nit["nesterov"] < nit["gd"] / 3
    assert nit["momentum"] < nit["gd"] / 3


# Near this optimum the rounding noise of f (~1e-14, from cancellation) is far
# above a few machine epsilons of |f|: the line search must not stall on it.
def test_line_search_reaches_the_closed_form_on_an_ill_conditioned_quadratic():
    n = 20
    fun, jac, L, x_star = quadratic(n, condition_number=1e3)
    res = minimize_quadratic(fun, jac, L, n, "gd", "line_search", tol=1e-10,
                             max_iter=10_000)
    assert_allclose(res.x, x_star, rtol=0, atol=1e-8)


# --- GDLinearRegressor: ridge and least squares ------------------------------


def fit_regressor(solver, lr, alpha):
    X, y = standardized("diabetes")
    L = gram_max_eigenvalue(X) + alpha
    gd = GDLinearRegressor(alpha=alpha, solver=solver,
                           learning_rate=learning_rate(lr, L), **EXACT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gd.fit(X, y)
    assert gd.stop_reason_.startswith("Converged")
    assert_few_iterations_if_bb(gd, solver, lr)
    return gd, X, y


def assert_few_iterations_if_bb(gd, solver, lr):
    """With "gd", "auto" is Barzilai-Borwein: a small fraction of the
    thousands of 1/L steps (measured: 63 to 321 on these problems)."""
    if (solver, lr) == ("gd", "auto"):
        assert gd.n_iter_ < 1000


@pytest.mark.parametrize("solver, lr", CONFIGS, ids=CONFIG_IDS)
def test_regressor_matches_ridge(solver, lr):
    gd, X, y = fit_regressor(solver, lr, alpha=0.1)
    ref = Ridge(alpha=0.1 * len(y)).fit(X, y)
    assert_allclose(gd.coef_, ref.coef_, rtol=1e-6)
    assert_allclose(gd.intercept_, ref.intercept_, rtol=1e-6)


@pytest.mark.parametrize("solver, lr", CONFIGS, ids=CONFIG_IDS)
def test_regressor_least_squares_matches_linear_regression(solver, lr):
    gd, X, y = fit_regressor(solver, lr, alpha=0.0)
    ref = LinearRegression().fit(X, y)
    assert_allclose(gd.coef_, ref.coef_, rtol=1e-6)
    assert_allclose(gd.intercept_, ref.intercept_, rtol=1e-6)


# --- GDLogisticRegressor ----------------------------------------------------

_REFERENCES = {}


def logistic_reference(name):
    if name not in _REFERENCES:
        X, y = standardized(name)
        _REFERENCES[name] = LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(X, y)
    return _REFERENCES[name]


def assert_same_model(gd, ref, X):
    # As in test_classifier.py.
    coef_scale = np.abs(ref.coef_).max()
    assert gd.coef_.shape == ref.coef_.shape
    assert gd.intercept_.shape == ref.intercept_.shape
    assert_allclose(gd.coef_, ref.coef_, rtol=1e-4, atol=1e-4 * coef_scale)
    b, b_ref = gd.intercept_, ref.intercept_
    if len(b) > 1:  # the softmax intercepts are defined up to a constant
        b, b_ref = b - b.mean(), b_ref - b_ref.mean()
    assert_allclose(b, b_ref, rtol=1e-4, atol=1e-4 * coef_scale)
    assert_allclose(gd.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-5)
    assert_array_equal(gd.classes_, ref.classes_)


@pytest.mark.parametrize("dataset", ["breast_cancer", "wine"])
@pytest.mark.parametrize("solver, lr", CONFIGS, ids=CONFIG_IDS)
def test_classifier_matches_logistic_regression(dataset, solver, lr, no_warnings):
    X, y = standardized(dataset)
    alpha = 1 / len(y)
    # Sigmoid: the Hessian is at most 1/4 of the Gram matrix; softmax: 1/2.
    c = 0.25 if len(np.unique(y)) == 2 else 0.5
    L = c * gram_max_eigenvalue(X) + alpha
    gd = GDLogisticRegressor(alpha=alpha, solver=solver,
                             learning_rate=learning_rate(lr, L), **EXACT).fit(X, y)
    assert gd.stop_reason_.startswith("Converged")
    assert_few_iterations_if_bb(gd, solver, lr)
    assert_same_model(gd, logistic_reference(dataset), X)


# --- Nesterov with the defaults ----------------------------------------------


@pytest.mark.parametrize("dataset", ["diabetes", "breast_cancer", "iris", "wine"])
def test_nesterov_converges_with_the_defaults(dataset, no_warnings):
    X, y = standardized(dataset)
    Estimator = GDLinearRegressor if dataset == "diabetes" else GDLogisticRegressor
    # The relative test asks for about 1e-6 of the objective: on wine,
    # whose classes are nearly separable, a little over 1000 steps.
    gd = Estimator(solver="nesterov", max_iter=2000).fit(X, y)
    assert gd.n_iter_ < 2000
    assert gd.stop_reason_.startswith("Converged")
    assert len(gd.loss_curve_) == gd.n_iter_ + 1


# --- The momentum parameter ---------------------------------------------------


@pytest.mark.parametrize("Estimator", [GDLinearRegressor, GDLogisticRegressor])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_momentum_zero_is_gradient_descent_exactly(Estimator):
    X, y = standardized("iris")
    params = dict(learning_rate=0.1, tol=0.0, max_iter=200)
    gd = Estimator(solver="gd", **params).fit(X, y)
    heavy = Estimator(solver="momentum", momentum=0.0, **params).fit(X, y)
    assert heavy.n_iter_ == gd.n_iter_
    assert_array_equal(heavy.coef_, gd.coef_)
    assert_array_equal(heavy.loss_curve_, gd.loss_curve_)


def test_momentum_parameter_changes_the_heavy_ball_only(no_warnings):
    X, y = standardized("diabetes")
    fits = {
        (solver, momentum): GDLinearRegressor(solver=solver, momentum=momentum,
                                              tol=1e-6, max_iter=10_000).fit(X, y)
        for solver in ("momentum", "nesterov")
        for momentum in (0.5, 0.9)
    }
    assert not np.array_equal(fits["momentum", 0.5].loss_curve_[:5],
                              fits["momentum", 0.9].loss_curve_[:5])
    # Nesterov follows its own schedule, whatever momentum says.
    assert fits["nesterov", 0.5].n_iter_ == fits["nesterov", 0.9].n_iter_
    assert_array_equal(fits["nesterov", 0.5].coef_, fits["nesterov", 0.9].coef_)


# --- Invalid combinations -----------------------------------------------------


@pytest.mark.parametrize("solver", ["momentum", "nesterov"])
@pytest.mark.parametrize("Estimator", [GDLinearRegressor, GDLogisticRegressor])
def test_estimators_refuse_line_search_with_momentum(Estimator, solver):
    X, y = standardized("iris")
    with pytest.raises(ValueError) as info:
        Estimator(solver=solver, learning_rate="line_search").fit(X, y)
    assert not isinstance(info.value, InvalidParameterError)
    message = str(info.value)
    assert "learning_rate='line_search'" in message
    assert f"solver={solver!r}" in message


@pytest.mark.parametrize("solver", ["momentum", "nesterov"])
def test_minimize_refuses_line_search_with_momentum(solver):
    fun, jac, L, _ = quadratic(3, 10)
    with pytest.raises(ValueError) as info:
        minimize(fun, np.zeros(3), jac=jac, solver=solver, learning_rate="line_search",
                 lipschitz=L)
    message = str(info.value)
    assert "learning_rate='line_search'" in message
    assert f"solver={solver!r}" in message


@pytest.mark.parametrize("learning_rate", ["auto", "lipschitz"])
@pytest.mark.parametrize("solver", ["momentum", "nesterov"])
def test_minimize_refuses_auto_with_momentum_without_lipschitz(solver, learning_rate):
    fun, jac, _, _ = quadratic(3, 10)
    with pytest.raises(ValueError) as info:
        minimize(fun, np.zeros(3), jac=jac, solver=solver, learning_rate=learning_rate)
    message = str(info.value)
    assert f"learning_rate={learning_rate!r}" in message
    assert f"solver={solver!r}" in message
    assert "lipschitz" in message


def test_minimize_gd_auto_without_lipschitz_is_still_allowed(no_warnings):
    fun, jac, _, x_star = quadratic(3, 10)
    res = minimize(fun, np.zeros(3), jac=jac, solver="gd", learning_rate="auto",
                   tol=1e-10)
    assert_allclose(res.x, x_star, atol=1e-8)


@pytest.mark.parametrize("n_features", [4, 3])
@pytest.mark.parametrize("Estimator", [GDLinearRegressor, GDLogisticRegressor])
def test_refused_combination_leaves_a_fitted_estimator_unchanged(Estimator, n_features):
    X, y = standardized("iris")
    est = Estimator(solver="nesterov", learning_rate="auto").fit(X, y)
    before = {key: np.copy(value) for key, value in vars(est).items()
              if key.endswith("_")}
    est.set_params(solver="momentum", learning_rate="line_search")
    with pytest.raises(ValueError, match="line_search"):
        est.fit(X[:, :n_features], y)
    after = {key: value for key, value in vars(est).items() if key.endswith("_")}
    assert after.keys() == before.keys()
    for key in before:
        assert_array_equal(after[key], before[key], err_msg=key)
    assert est.n_features_in_ == 4
    assert est.predict(X).shape == (len(y),)


@pytest.mark.parametrize("Estimator", [GDLinearRegressor, GDLogisticRegressor])
def test_refused_combination_leaves_an_unfitted_estimator_unfitted(Estimator):
    X, y = standardized("iris")
    est = Estimator(solver="nesterov", learning_rate="line_search")
    with pytest.raises(ValueError, match="line_search"):
        est.fit(X, y)
    assert not [key for key in vars(est) if key.endswith("_")]


# --- Invalid values -------------------------------------------------------------


INVALID = [
    ({"solver": "adam2"}, "'solver' parameter"),
    ({"momentum": 1.0}, "'momentum' parameter"),
    ({"momentum": -0.1}, "'momentum' parameter"),
]
# Parameters of the estimators that minimize does not take.
ESTIMATOR_INVALID = INVALID + [
    ({"penalty": "l3"}, "'penalty' parameter"),
    ({"l1_ratio": 1.5}, "'l1_ratio' parameter"),
    ({"batch_size": 0}, "'batch_size' parameter"),
    ({"batch_size": 2.5}, "'batch_size' parameter"),
    ({"validation_fraction": 1.0}, "'validation_fraction' parameter"),
    ({"early_stopping": "yes"}, "'early_stopping' parameter"),
    ({"shuffle": None}, "'shuffle' parameter"),
]


@pytest.mark.parametrize("params, match", ESTIMATOR_INVALID)
@pytest.mark.parametrize("Estimator", [GDLinearRegressor, GDLogisticRegressor])
def test_estimators_reject_invalid_values(Estimator, params, match):
    X, y = standardized("iris")
    with pytest.raises(InvalidParameterError, match=match):
        Estimator(**params).fit(X, y)


@pytest.mark.parametrize("params, match", INVALID)
def test_minimize_rejects_invalid_values(params, match):
    with pytest.raises(InvalidParameterError, match=match):
        minimize(lambda x: x**2, 1.0, jac=lambda x: 2 * x, learning_rate=0.1, **params)


@pytest.mark.parametrize("momentum", [0.0, 0.999])
def test_momentum_bounds_are_accepted(momentum, no_warnings):
    res = minimize(lambda x: x**2, 1.0, jac=lambda x: 2 * x, learning_rate=0.01,
                   solver="momentum", momentum=momentum, max_iter=100_000)
    assert res.success


# --- Divergence -------------------------------------------------------------------


def test_regressor_momentum_with_too_large_a_step_raises_divergence_error():
    X, y = standardized("diabetes")
    # The heavy ball with mu = 0.9 is stable for eta < 2 (1 + mu) / L = 3.8 / L.
    eta = 5 / gram_max_eigenvalue(X)
    with pytest.raises(DivergenceError, match="diverged") as info:
        GDLinearRegressor(solver="momentum", learning_rate=eta).fit(X, y)
    assert isinstance(info.value, ValueError)


def test_regressor_momentum_allows_steps_where_gd_diverges(no_warnings):
    X, y = standardized("diabetes")
    eta = 3 / gram_max_eigenvalue(X)  # > 2 / L: plain descent diverges
    with pytest.raises(DivergenceError):
        GDLinearRegressor(solver="gd", learning_rate=eta).fit(X, y)
    gd = GDLinearRegressor(solver="momentum", learning_rate=eta, max_iter=5000).fit(X, y)
    assert_allclose(gd.coef_, LinearRegression().fit(X, y).coef_, rtol=1e-3)


def test_failed_divergent_fit_leaves_a_fitted_estimator_unchanged():
    X, y = standardized("diabetes")
    gd = GDLinearRegressor(solver="momentum").fit(X, y)
    coef, intercept, n_iter = gd.coef_.copy(), gd.intercept_, gd.n_iter_
    gd.set_params(learning_rate=5 / gram_max_eigenvalue(X[:, :5]))
    with pytest.raises(DivergenceError):
        gd.fit(X[:, :5], y)
    assert_array_equal(gd.coef_, coef)
    assert gd.intercept_ == intercept and gd.n_iter_ == n_iter
    assert gd.n_features_in_ == 10


@pytest.mark.parametrize("solver", ["momentum", "nesterov"])
def test_minimize_reports_divergence_in_the_result(solver, no_warnings):
    n = 5
    fun, jac, L, _ = quadratic(n, 10)
    res = minimize(fun, np.ones(n), jac=jac, solver=solver, learning_rate=5 / L,
                   max_iter=1000, record_path=True)
    assert res.status == "diverged"
    assert not res.success
    assert res.nit < 1000
    assert res.message.startswith("Diverged")
    assert len(res.path) == res.nit + 1
