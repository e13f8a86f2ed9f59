"""Whitened coordinates: the Hessian they measure, the change of variables
and its gradient, and the fits they take few steps for."""

import warnings
from functools import partial

import numpy as np
import pytest
import scipy.sparse as sp
from finite_differences import central_differences
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor
from sklearn_gd._backends import arrays, host
from sklearn_gd._backends.arrays import curvature_hessian
from sklearn_gd._linear.cholesky import cholesky, triangular_inverse
from sklearn_gd._linear.standardized import StandardizedObjective, _scores
from sklearn_gd._linear.whitened import (
    DeferredWhitening,
    WhitenedObjective,
    measure_passes,
    precondition,
    whitens,
    whitens_at_start,
)


def _objective(Estimator, X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return Estimator(max_iter=1, **params).fit(X, y)._objective_for(X, y)


def _dated(n=300, seed=0):
    """Raw least squares: a date as an ordinal beside a count, a score, and
    an age in days that follows the date (correlated columns, which the
    whitened coordinates decorrelate)."""
    rng = np.random.default_rng(seed)
    date = 7.3e5 + rng.uniform(0, 3650, n)
    age = (date - 7.3e5) + rng.uniform(0, 1000, n)
    X = np.column_stack([date, rng.poisson(20, n), rng.standard_normal(n), age])
    y = 2e-3 * (date - 7.3e5) + 0.3 * X[:, 1] + X[:, 2] + rng.standard_normal(n)
    return X, y


def _breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return X[:, :12], y  # 13 coefficients: the finite differences stay quick


CASES = {
    "binary": (GDLogisticRegressor, *_breast_cancer()),
    "multinomial": (GDLogisticRegressor, *load_wine(return_X_y=True)),
    "dated": (GDLinearRegressor, *_dated()),
}


def _point(plain, seed=0):
    """Small coefficients: raw columns in the thousands make large
    predictions, whose losses' rounding would swamp the finite differences."""
    shape = plain.initial_params().shape
    return np.random.default_rng(seed).standard_normal(shape) * 1e-4


def _measured(case, fit_intercept):
    """``X``, the plain objective of ``case``, a point near zero and the
    objective in the coordinates measured there."""
    Estimator, X, y = CASES[case]
    plain = _objective(Estimator, X, y, fit_intercept=fit_intercept, alpha=0.05)
    theta = _point(plain)
    return X, plain, theta, precondition(plain, theta)


def _brute_force_hessian(objective, D, F):
    """:math:`\\sum_i w_i A_i \\otimes \\tilde x_i \\tilde x_i^\\top`, for
    :math:`A_i = \\mathrm{diag}(D_i) - F_i F_i^\\top`, by one einsum over
    every sample."""
    n, K = objective.X.shape[0], objective.n_outputs
    A = np.broadcast_to(D, (n, K))[:, :, None] * np.eye(K)
    if F is not None:
        F = np.broadcast_to(F, (n, K))
        A = A - F[:, :, None] * F[:, None, :]
    Xt = (objective.X - objective.mean) / objective.scale
    if objective.fit_intercept:
        Xt = np.hstack([Xt, np.ones((n, 1))])
    H = np.einsum("i,ikm,ij,il->jklm", objective._weights, A, Xt, Xt)
    return H.reshape(Xt.shape[1] * K, -1)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_curvature_hessian_is_the_hessian_for_dense_and_sparse_x(case, fit_intercept):
    X, plain, theta, objective = _measured(case, fit_intercept)
    D, F = plain.loss.curvature_factors(np.asarray(_scores(plain, theta)))
    expected = _brute_force_hessian(objective, D, F)
    moments = objective.mean, objective.scale, fit_intercept
    # The dense X three times: BLAS's products of blocks, of the rows' outer
    # products, and the compiled pass (with numba).
    sources = [partial(arrays.weighted_grams, X, mean=objective.mean, scale=objective.scale,
                       fit_intercept=fit_intercept),
               arrays.RowProducts(X, *moments), arrays.gram_source(X, *moments, compiled=True),
               arrays.gram_source(sp.csr_matrix(X), *moments),
               arrays.gram_source(sp.csc_array(X), *moments)]
    for grams in sources:
        got = curvature_hessian(grams, plain._weights, D, F)
        # Sparse sums are centered afterwards: the date column's mean costs
        # them (mean / spread)^2 = 1e6 roundings.
        assert_allclose(got, expected, rtol=0, atol=1e-9 * np.abs(expected).max())


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gradient_and_coordinates_of_the_whitened_objective(case, fit_intercept):
    X, plain, theta, objective = _measured(case, fit_intercept)
    assert isinstance(objective, WhitenedObjective)
    assert objective.X is plain.X  # no copy, no whitened X
    new = objective.from_original(theta)
    shift = np.abs(objective.mean) @ np.abs(theta[: X.shape[1]])
    assert_allclose(objective.to_original(new), theta, rtol=1e-10,
                    atol=1e-14 * (1 + shift.max()))
    # A path of points maps as each point does.
    path = np.stack([new, 2 * new])
    assert_allclose(objective.to_original(path)[1], objective.to_original(2 * new),
                    rtol=1e-12, atol=1e-14 * (1 + shift.max()))
    value, grad = objective.value_and_grad(new)
    assert value == pytest.approx(plain.value_and_grad(theta)[0], rel=1e-12)
    expected = central_differences(lambda t: objective.value_and_grad(t)[0], new, h=1e-6)
    assert_allclose(grad, expected, rtol=1e-5, atol=1e-7 * np.abs(expected).max())


@pytest.mark.parametrize("case", ["binary", "multinomial"])
def test_a_new_measure_maps_the_point_and_its_gradient(case):
    """``rescaled`` hands back the same point and, by the chain rule, the
    gradient there that a pass in the new coordinates computes, from
    whitened coordinates to whitened ones and from standardized ones to
    standardized ones."""
    _, plain, _, _ = _measured(case, True)
    start = _point(plain) * 1e3  # far enough for the curvatures to move
    for objective in (precondition(plain), precondition(plain, whiten=False)):
        theta = objective.from_original(start)
        value, grad = objective.value_and_grad(theta)
        new, theta_new, grad_new = objective.rescaled(theta, grad)
        assert type(new) is type(objective)
        assert_allclose(new.to_original(theta_new), start, rtol=1e-10, atol=1e-12)
        expected = new.value_and_grad(theta_new)
        assert_allclose(expected[0], value, rtol=1e-12)
        assert_allclose(grad_new, expected[1], rtol=0, atol=1e-10 * np.abs(expected[1]).max())


@pytest.mark.parametrize("case", ["binary", "dated"])
def test_the_hessian_in_whitened_coordinates_is_the_mean_curvature(case):
    Estimator, X, y = CASES[case]
    plain = _objective(Estimator, X, y, alpha=0.05)
    theta = _point(plain)
    objective = precondition(plain, theta)
    new = objective.from_original(theta)
    columns = []
    for j in range(new.size):
        step = np.zeros(new.size)
        step[j] = 1e-5
        step = step.reshape(new.shape)
        difference = (objective.value_and_grad(new + step)[1]
                      - objective.value_and_grad(new - step)[1])
        columns.append(difference.ravel() / 2e-5)
    hessian = np.array(columns)
    # The jitter and the finite differences aside, d-bar times the identity.
    assert_allclose(hessian, objective.curvature * np.eye(new.size), rtol=0,
                    atol=1e-4 * objective.curvature)


def test_least_squares_takes_about_one_newton_step():
    """Whitened, the least-squares Hessian is the identity: the first step,
    1/L, is Newton's, halved once by the line search (its test holds with
    equality there, and C's rounding to its grid tips it), and the second,
    Barzilai-Borwein's, finishes the fit."""
    X, y = load_diabetes(return_X_y=True)
    fitted = GDLinearRegressor().fit(X, y)
    assert fitted.n_iter_ <= 2
    ref = LinearRegression().fit(X, y)
    assert_allclose(fitted.coef_, ref.coef_, rtol=1e-6)
    assert fitted.intercept_ == pytest.approx(ref.intercept_, rel=1e-10)


def test_multinomial_fit_takes_as_few_steps_as_lbfgs():
    """Standardized iris: 113 iterations in standardized coordinates alone,
    which lbfgs takes 23 for; whitened, about as many."""
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    alpha = 1e-4
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        fitted = GDLogisticRegressor(alpha=alpha).fit(X, y)
    assert fitted.n_iter_ <= 30
    newton = LogisticRegression(C=1 / (alpha * len(y)), tol=1e-12, max_iter=10_000).fit(X, y)
    objective = _objective(GDLogisticRegressor, X, y, alpha=alpha)

    def value(model):
        return objective.value_and_grad(np.vstack([model.coef_.T, model.intercept_]))[0]

    assert value(fitted) <= value(newton) * (1 + 1e-6)


def test_columns_that_are_not_correlated_stay_standardized():
    """Whitening would change no curvature by a factor of 2: the
    standardized coordinates are kept, and their cheaper steps."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5000, 2))
    y = (X @ [1.0, -1.0] + rng.logistic(size=5000) > 0).astype(int)
    objective = precondition(_objective(GDLogisticRegressor, X, y))
    assert type(objective) is StandardizedObjective
    X[:, 1] = X[:, 0] + 0.3 * X[:, 1]  # now they are
    assert isinstance(precondition(_objective(GDLogisticRegressor, X, y)),
                      WhitenedObjective)


def test_flat_and_repeated_columns_leave_the_fit_finite():
    """A constant column and a copy of another, without a penalty: C is
    singular, and the jitter and the flat columns' identity keep the factor
    finite; the fit is least squares'."""
    X, y = load_diabetes(return_X_y=True)
    X = np.column_stack([X, np.full(len(X), 3.0), X[:, 2]])
    fitted = GDLinearRegressor(alpha=0.0).fit(X, y)
    assert fitted.stop_reason_.startswith("Converged")
    ref = LinearRegression().fit(X, y)
    assert fitted.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-9)


def test_only_few_coefficients_and_smooth_penalties_are_whitened():
    X, y = load_wine(return_X_y=True)  # 14 x 3 = 42 coefficients
    assert whitens(_objective(GDLogisticRegressor, X, y))
    assert not whitens(_objective(GDLogisticRegressor, X, y, penalty="l1"))
    assert not whitens(_objective(GDLogisticRegressor, X, y, penalty="elasticnet"))
    assert whitens(_objective(GDLogisticRegressor, np.hstack([X, X]), y))  # 27 x 3 = 81
    assert whitens(_objective(GDLogisticRegressor, np.hstack([X] * 13), y))  # 170 x 3 = 510
    assert not whitens(_objective(GDLogisticRegressor, np.hstack([X] * 13 + [X[:, :1]]), y))
    # Past 160 coefficients (66 x 3 = 198), whitened once the descent has run
    # as many iterations as a measure costs passes.
    wide = _objective(GDLogisticRegressor, np.hstack([X] * 5), y)
    assert whitens(wide) and not whitens_at_start(wide)
    assert isinstance(precondition(wide), DeferredWhitening)
    assert precondition(wide).whiten_after == measure_passes(wide) == 33.5
    # 18 columns and 7 classes (the Gram matrices of 28 pairs of classes): a
    # measure costs 20 passes, whatever the rows, and within the budget it is
    # taken at the start; of 25 classes (475 coefficients), 65 passes, once
    # the descent has run 65 iterations; of 27 (513), never.
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((2310, 18)), np.arange(2310) % 7
    assert whitens_at_start(_objective(GDLogisticRegressor, X, y))
    more = _objective(GDLogisticRegressor, np.vstack([X] * 4), np.tile(y, 4))
    assert whitens(more) and not whitens_at_start(more)
    many = _objective(GDLogisticRegressor, X, np.arange(2310) % 25)
    assert whitens(many) and measure_passes(many) == 65
    assert not whitens(_objective(GDLogisticRegressor, X, np.arange(2310) % 27))
    # Past 64 coefficients, only where the columns are strongly correlated:
    # not for independent ones (the discs' radius about 1), but for mixed ones.
    assert type(precondition(_objective(GDLogisticRegressor, X, y))) is StandardizedObjective
    correlated = X @ rng.standard_normal((18, 18))
    assert isinstance(precondition(_objective(GDLogisticRegressor, correlated, y)),
                      WhitenedObjective)


def test_a_fit_that_converges_before_a_measure_would_pay_never_takes_one(monkeypatch):
    """5000 rows of 200 columns, binary: a measure of the Hessian costs 50
    passes, and the standardized fit converges in fewer iterations, so it
    takes none (whitened from the start, it took 2.6 times as long)."""
    from sklearn.datasets import make_classification

    from sklearn_gd._linear import whitened

    X, y = make_classification(n_samples=5000, n_features=200, n_informative=40,
                               random_state=0)
    measures = []
    monkeypatch.setattr(whitened, "gram_source", lambda *a, **k: measures.append(1))
    fitted = GDLogisticRegressor().fit(X, y)
    assert fitted.stop_reason_.startswith("Converged")
    assert fitted.n_iter_ < measure_passes(_objective(GDLogisticRegressor, X, y)) == 50.5
    assert measures == []


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_grams_are_the_products_grams(dtype):
    """Many classes of few features, float32 read as it is: the compiled
    pass's Gram matrices are BLAS's to 1e-12."""
    if not host.fused_available():
        pytest.skip("needs numba")
    rng = np.random.default_rng(0)
    X = (rng.standard_normal((700, 5)) * [1, 10, 0.1, 1, 3] + 2).astype(dtype)
    U = rng.standard_normal((700, 21))
    mean, scale = X.mean(axis=0, dtype=np.float64), X.std(axis=0, dtype=np.float64)
    for fit_intercept in (True, False):
        products = arrays.weighted_grams(X, U, mean, scale, fit_intercept)
        compiled = arrays.weighted_grams(X, U, mean, scale, fit_intercept, compiled=True)
        assert compiled.shape == products.shape
        assert_allclose(compiled, products, rtol=0, atol=1e-12 * np.abs(products).max())
        assert_array_equal(compiled, compiled.transpose(0, 2, 1))


def test_the_hessian_has_the_same_bits_on_any_number_of_blas_threads():
    """1797 rows of 63 columns, as many coefficients as are whitened: its blocks'
    products are small enough for one BLAS thread each (one product of the
    whole, which OpenBLAS splits, differs in its last bits)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1797, 63)) @ rng.standard_normal((63, 63))  # correlated
    y = (X[:, 0] + rng.standard_normal(1797) > 0).astype(int)
    plain = _objective(GDLogisticRegressor, X, y)
    theta = _point(plain) * 1e3
    objective = precondition(plain, theta)
    D, F = plain.loss.curvature_factors(np.asarray(_scores(plain, theta)))
    moments = objective.mean, objective.scale, True
    hessians, maps = [], []
    for threads in (1, 2):
        with threadpool_limits(threads):
            # The products of blocks, and of the rows' outer products.
            hessians.append([curvature_hessian(grams, plain._weights, D, F) for grams in (
                arrays.gram_source(X, *moments), arrays.RowProducts(X, *moments))])
            maps.append(precondition(plain, theta)._map)
    assert_array_equal(hessians[0], hessians[1])
    assert_array_equal(maps[0], maps[1])


def test_wide_gram_matrices_are_tiled_with_the_same_bits_on_any_number_of_threads():
    """300 columns: each BLAS product of a Gram matrix takes a tile of it
    and 64 rows, not the whole of it and one row (19 times as long on 2000
    rows of 501 columns); BLAS's whole product to rounding, and the same
    bits on 1 and 2 BLAS threads."""
    rng = np.random.default_rng(0)
    X, u = rng.standard_normal((600, 300)) + 3.0, rng.random((600, 1))
    mean, scale = X.mean(axis=0), X.std(axis=0)
    grams = []
    for threads in (1, 2):
        with threadpool_limits(threads):
            grams.append(arrays.weighted_grams(X, u, mean, scale, True))
    assert_array_equal(grams[0], grams[1])
    Xt = np.column_stack([(X - mean) / scale, np.ones(600)])
    whole = (u * Xt).T @ Xt
    assert_allclose(grams[0][0], whole, rtol=0, atol=1e-12 * np.abs(whole).max())


@pytest.mark.parametrize("n", [10, 64, 65, 133, 160])
def test_blocked_factors_equal_lapacks_with_the_same_bits_on_any_number_of_threads(n):
    """Past 64 rows the factor and the inverse are taken in blocks of 64, each
    by LAPACK's unthreaded path: LAPACK's results to rounding, and the same
    bits on 1 and 2 BLAS threads."""
    rng = np.random.default_rng(n)
    A = rng.standard_normal((n, n + 5))
    C = A @ A.T / n + 0.1 * np.eye(n)
    results = []
    for threads in (1, 2):
        with threadpool_limits(threads):
            L, info = cholesky(C)
            inverse, inverse_info = triangular_inverse(L)
        assert info == inverse_info == 0
        results.append((L, inverse))
    assert_array_equal(results[0][0], results[1][0])
    assert_array_equal(results[0][1], results[1][1])
    assert_allclose(L, np.linalg.cholesky(C), rtol=0, atol=1e-13)
    assert_allclose(inverse @ L, np.eye(n), rtol=0, atol=1e-13)
    assert_array_equal(np.triu(L, 1), 0.0)
    assert_array_equal(np.triu(inverse, 1), 0.0)
    # Not positive definite at column 71 (1-based), as LAPACK reports it.
    C = np.eye(100)
    C[70, 70] = -1.0
    assert cholesky(C)[1] == 71


def test_a_map_of_more_than_64_coefficients_has_the_same_bits_on_any_number_of_threads():
    """2310 rows, 18 correlated columns and 7 classes: 133 coefficients, whose
    factor and map are taken in blocks within one BLAS thread."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2310, 18)) @ rng.standard_normal((18, 18))
    y = np.argmax(X[:, :7] + rng.gumbel(size=(2310, 7)), axis=1)
    plain = _objective(GDLogisticRegressor, X, y)
    theta = _point(plain)
    maps, gradients = [], []
    for threads in (1, 2):
        with threadpool_limits(threads):
            objective = precondition(plain, theta)
            maps.append(objective._map)
            gradients.append(objective.value_and_grad(np.ones_like(theta))[1])
    assert isinstance(objective, WhitenedObjective)
    assert_array_equal(maps[0], maps[1])
    assert_array_equal(gradients[0], gradients[1])


def test_lipschitz_bound_maps_all_outputs_together():
    """The power iteration runs on every output's coefficients at once, as
    the whitened map mixes them: c times the largest eigenvalue of the Gram
    matrix seen in these coordinates, plus the penalty's bound."""
    X, y = load_wine(return_X_y=True)
    plain = _objective(GDLogisticRegressor, X, y)
    objective = precondition(plain)
    assert isinstance(objective, WhitenedObjective)
    Xt = np.hstack([X, np.ones((len(X), 1))])
    gram = np.kron(Xt.T @ (plain._weights[:, None] * Xt), np.eye(plain.n_outputs))
    T = objective._linear.astype(np.float64)
    expected = (plain.loss.curvature * np.linalg.eigvalsh(T.T @ gram @ T)[-1]
                + objective._penalty_curvature())
    assert objective.lipschitz(rtol=1e-10) == pytest.approx(expected, rel=1e-6)
