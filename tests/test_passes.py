"""The gradient passes: fused (numba), blocked and plain compute the same sums,
the choice among them is automatic, and fits agree whichever runs."""

import numpy as np
import pytest
import scipy.sparse as sp
from threadpoolctl import threadpool_info

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor
from sklearn_gd._backends import host as _host
from sklearn_gd._backends import passes as _passes
from sklearn_gd._backends.threads import SMALL_SIZE, blas_threads, threads_for
from sklearn_gd._linear.losses import (
    BinaryLogLoss,
    HalfSquaredError,
    MultinomialLogLoss,
)
from sklearn_gd._linear.objective import LinearModelObjective

needs_numba = pytest.mark.skipif(not _host.fused_available(),
                                 reason="the fused pass needs numba (the 'fast' extra)")


def _data(n, p, dtype, loss, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)).astype(dtype)
    W = (rng.standard_normal((p, 1)) / np.sqrt(p)).astype(dtype)
    b = np.array([0.3], dtype=dtype)
    # Uneven weights summing to one, as the objective hands them over.
    weights = rng.uniform(0.5, 2, n).astype(dtype)
    weights /= weights.sum()
    if isinstance(loss, HalfSquaredError):
        Y = (X @ W + rng.standard_normal((n, 1))).astype(dtype)
    else:
        Y = (rng.random((n, 1)) < 0.5).astype(dtype)
    return X, Y, weights, W, b


def _reference(X, Y, weights, loss, W, b):
    """The pass written out in float64, the textbook way."""
    X, Y, weights, W = (np.asarray(a, dtype=np.float64) for a in (X, Y, weights, W))
    Z = X @ W + (0 if b is None else np.asarray(b, dtype=np.float64))
    losses, dZ = loss.loss_gradient(Y, Z)
    dZ = dZ * weights[:, None]
    return float(weights @ losses), X.T @ dZ, None if b is None else dZ.sum(axis=0)


def _assert_same(got, expected, rtol):
    value, grad_W, grad_b = got
    assert value == pytest.approx(expected[0], rel=rtol)
    # Rounding errors scale with the largest gradient entry, the intercept's too.
    scale = np.abs(np.r_[expected[1].ravel(), () if expected[2] is None else expected[2]]).max()
    np.testing.assert_allclose(grad_W, expected[1], rtol=0, atol=rtol * scale)
    if expected[2] is None:
        assert grad_b is None
    else:
        np.testing.assert_allclose(grad_b, expected[2], rtol=0, atol=rtol * scale)


LOSSES = [HalfSquaredError(), BinaryLogLoss()]


@needs_numba
@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: type(loss).__name__)
@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("n", [1, 7, 1000, 70_000])
def test_fused_pass_equals_numpy_float64(loss, intercept, n_threads, n):
    X, Y, weights, W, b = _data(n, 9, np.float64, loss)
    b = b if intercept else None
    expected = _reference(X, Y, weights, loss, W, b)
    fused = _passes.loss_pass(X, Y, weights, loss, W, b, n_threads=n_threads)
    numpy = _passes.loss_pass(X, Y, weights, loss, W, b, fused=False)
    _assert_same(fused, expected, rtol=1e-12)
    _assert_same(numpy, expected, rtol=1e-12)


@needs_numba
@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: type(loss).__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_pass_on_wide_rows(loss, dtype):
    # 700 float64 features make blocks of 23 rows (128 KiB), which the
    # four-row loops do not divide: every remainder path runs.
    X, Y, weights, W, b = _data(1000, 700, dtype, loss)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    _assert_same(_passes.loss_pass(X, Y, weights, loss, W, b, n_threads=2),
                 _reference(X, Y, weights, loss, W, b), rtol=rtol)


@needs_numba
@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: type(loss).__name__)
def test_fused_pass_float32_stays_float32_and_sums_in_float64(loss):
    # 300,000 rows summed in float32 would lose about 5 digits; the fused
    # pass sums blocks in float64 and stays within a few float32 epsilons.
    X, Y, weights, W, b = _data(300_000, 12, np.float32, loss)
    value, grad_W, grad_b = _passes.loss_pass(X, Y, weights, loss, W, b, n_threads=2)
    assert grad_W.dtype == grad_b.dtype == np.float32
    _assert_same((value, grad_W, grad_b), _reference(X, Y, weights, loss, W, b), rtol=1e-6)


def test_blocked_pass_equals_plain_pass():
    loss = MultinomialLogLoss()
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40_000, 30))  # 9.6 MB: several blocks
    assert X.nbytes > 2 * _host.BLOCK_BYTES
    Y = rng.integers(0, 4, (40_000, 1))
    weights = np.full(40_000, 1 / 40_000)
    W, b = rng.standard_normal((30, 4)) / 6, rng.standard_normal(4)
    blocked = _host._blocked(X, Y, weights, loss, W, b)
    _assert_same(blocked, _host._plain(X, Y, weights, loss, W, b), rtol=1e-12)


@needs_numba
@pytest.mark.parametrize(
    "case, uses_fused",
    [("dense one output", True), ("fortran order", False), ("sparse", False),
     ("two outputs", False), ("multinomial", True), ("disabled", False)],
)
def test_fused_pass_is_chosen_where_it_applies(case, uses_fused, monkeypatch):
    X = np.ones((4, 3))
    W, loss = np.zeros((3, 1)), HalfSquaredError()
    if case == "fortran order":
        X = np.asfortranarray(X)
    elif case == "sparse":
        X = sp.csr_matrix(X)
    elif case == "two outputs":
        W = np.zeros((3, 2))
    elif case == "multinomial":
        W, loss = np.zeros((3, 3)), MultinomialLogLoss()
    elif case == "disabled":
        monkeypatch.setenv("SKLEARN_GD_NUMBA", "0")
        monkeypatch.setattr(_host, "_kernels", _host._kernels.__wrapped__)
    assert (_host._fused_kind(X, loss, W) is not None) is uses_fused


def test_numba_absent_falls_back_to_numpy(monkeypatch):
    monkeypatch.setattr(_host, "_kernels", lambda: None)
    assert not _host.fused_available()
    X, Y, weights, W, b = _data(50, 3, np.float64, BinaryLogLoss())
    _assert_same(_passes.loss_pass(X, Y, weights, BinaryLogLoss(), W, b),
                 _reference(X, Y, weights, BinaryLogLoss(), W, b), rtol=1e-12)


FITS = [
    (GDLinearRegressor, {}),
    (GDLinearRegressor, {"learning_rate": "bb", "penalty": "l1", "alpha": 0.01}),
    (GDLinearRegressor, {"solver": "nesterov", "batch_size": 64}),
    (GDLogisticRegressor, {}),
    (GDLogisticRegressor, {"learning_rate": "line_search", "alpha": 1e-3}),
    (GDLogisticRegressor, {"solver": "adam", "batch_size": 50, "shuffle": False}),
]


@needs_numba
@pytest.mark.parametrize("Estimator, params", FITS)
def test_fits_agree_with_and_without_the_fused_pass(Estimator, params, monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 6))
    y = X @ rng.standard_normal(6) + 0.5 * rng.standard_normal(400)
    if Estimator is GDLogisticRegressor:
        y = y > 0
    est = Estimator(max_iter=60, tol=0, random_state=0, **params)
    with pytest.warns(Warning):  # ConvergenceWarning at max_iter; tol=0 runs them all
        fused = est.fit(X, y).coef_.copy()
    monkeypatch.setattr(LinearModelObjective, "fused", False)
    with pytest.warns(Warning):
        numpy = est.fit(X, y).coef_
    np.testing.assert_allclose(fused, numpy, rtol=0, atol=1e-12 * np.abs(numpy).max())


def test_small_fits_run_one_blas_thread_large_ones_the_pool():
    def blas_pool_sizes():
        return {info["num_threads"] for info in threadpool_info()
                if info["user_api"] == "blas"}

    small = np.zeros((10, 10))
    with threads_for(small) as n_threads:
        assert n_threads == 1
        assert blas_pool_sizes() == {1}
    large = sp.random(SMALL_SIZE, 10, density=0.5, format="csr")
    with threads_for(large) as n_threads:
        assert n_threads == blas_threads()
