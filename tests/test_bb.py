"""learning_rate="bb": the Barzilai-Borwein step with its non-monotone safeguard."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import rosen, rosen_der
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDLinearRegressor, minimize


def quadratic(condition_number, n=20, seed=0):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = Q @ np.diag(np.logspace(0, np.log10(condition_number), n)) @ Q.T
    b = rng.standard_normal(n)
    return (lambda x: (0.5 * x @ A @ x - b @ x, A @ x - b)), np.linalg.solve(A, b)


def test_second_step_is_the_barzilai_borwein_step():
    A = np.diag([1.0, 10.0])
    with pytest.warns(ConvergenceWarning):
        res = minimize(lambda x: (0.5 * x @ A @ x, A @ x), [1.0, 1.0], jac=True,
                       learning_rate="bb", lipschitz=10.0, max_iter=2, record_path=True)
    x0, x1, x2 = res.path
    assert_allclose(x1, x0 - 0.1 * (A @ x0))  # the first step is 1/L
    s, y = x1 - x0, A @ x1 - A @ x0
    # cos^2(s, y) = 0.99 >= tau_0 = 1/2: the long step, rounded to 8 bits.
    assert (s @ y) ** 2 / ((s @ s) * (y @ y)) >= 0.5
    eta, g1 = (s @ s) / (s @ y), A @ x1
    step = (x1 - x2) @ g1 / (g1 @ g1)
    assert_allclose(x2, x1 - step * g1, rtol=1e-14)
    assert 0 < abs(step / eta - 1) <= 2.0**-8


def test_reaches_the_closed_form_far_faster_than_the_line_search():
    fun, x_star = quadratic(1e3)
    bb = minimize(fun, np.zeros(20), jac=True, learning_rate="bb", tol=1e-10,
                  max_iter=100_000)
    ls = minimize(fun, np.zeros(20), jac=True, learning_rate="line_search", tol=1e-10,
                  max_iter=100_000)
    assert bb.success and ls.success
    assert_allclose(bb.x, x_star, rtol=0, atol=1e-9)
    assert bb.nit < ls.nit / 5


def test_solves_rosenbrock():
    res = minimize(rosen, [-1.2, 1.0], jac=rosen_der, learning_rate="bb", tol=1e-8,
                   max_iter=10_000)
    assert res.success
    assert_allclose(res.x, [1.0, 1.0], atol=1e-6)


@pytest.mark.parametrize("problem", ["quadratic", "rosenbrock"])
def test_objective_never_exceeds_the_largest_of_the_last_ten(problem):
    if problem == "quadratic":
        fun, _ = quadratic(1e4)
        res = minimize(fun, np.zeros(20), jac=True, learning_rate="bb", tol=1e-8,
                       max_iter=10_000)
    else:
        res = minimize(rosen, [-1.2, 1.0], jac=rosen_der, learning_rate="bb",
                       tol=1e-8, max_iter=10_000)
    f = res.loss_curve
    assert res.success
    for k in range(1, len(f)):
        assert f[k] <= max(f[max(0, k - 10):k]) + 1e-12
    # Non-monotone for real: it does go up sometimes.
    assert np.any(np.diff(f) > 0)


# The estimators with "bb" are the defaults' fits ("auto" is Barzilai-Borwein
# for full-batch plain descent): their agreement with Ridge and
# LogisticRegression, within 1000 iterations, is in tests/test_solvers.py
# (the "gd-auto" cases), and the default's quiet convergence on standardized
# diabetes in tests/test_auto.py.


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("solver", ["momentum", "nesterov"])
def test_needs_plain_descent(diabetes, solver):
    X, y = diabetes
    with pytest.raises(ValueError, match="learning_rate='bb'.*solver="):
        GDLinearRegressor(learning_rate="bb", solver=solver).fit(X, y)
    with pytest.raises(ValueError, match="learning_rate='bb'"):
        minimize(lambda x: (x @ x, 2 * x), np.ones(2), jac=True, learning_rate="bb",
                 solver=solver, lipschitz=2.0)


def test_fits_that_differ_in_rounding_alone_take_the_same_steps():
    # Weights against repeated rows: the same objective, summed in another
    # order. 15 samples and 30 features at the default alpha and tol, where
    # the steps magnify the rounding: unrounded, the two fits ended up to 5e-7
    # apart on these seeds; with the steps rounded to 8 bits, 1e-11. In the
    # original coordinates, where Barzilai-Borwein takes many steps (whitened,
    # these fits take two: tests/test_whitened.py).
    gaps = []
    for seed in range(10):
        rng = np.random.RandomState(seed)
        X, y = rng.rand(15, 30), rng.randint(0, 3, size=15).astype(float)
        weights = rng.randint(0, 5, size=15)
        model = GDLinearRegressor(precondition=False)
        repeated = clone(model).fit(X.repeat(weights, axis=0), y.repeat(weights))
        weighted = clone(model).fit(X, y, sample_weight=weights)
        gaps.append(np.abs(repeated.predict(X) - weighted.predict(X)).max())
    assert max(gaps) < 1e-10
