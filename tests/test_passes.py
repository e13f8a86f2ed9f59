"""The gradient passes: fused (numba), blocked and plain compute the same sums,
the choice among them is automatic, and fits agree whichever runs."""

import importlib.util

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
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

# Skipped only where numba is not installed: an installed numba that fails to
# import (or a kernels module that fails to compile) is an error, which
# test_installed_numba_gives_the_fused_pass reports, not a reason to skip.
needs_numba = pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                 reason="the fused pass needs numba (the 'fast' extra)")


@needs_numba
def test_installed_numba_gives_the_fused_pass():
    from sklearn_gd._backends import kernels  # an ImportError here fails the test

    assert _host._kernels() is kernels, (
        "numba is installed, yet the fused pass is off (SKLEARN_GD_NUMBA=0?)")
    assert _host.fused_available()


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
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("n", [1, 7, 70_000])
@pytest.mark.parametrize("zeros", [0.9, 0.3], ids=["short rows", "long rows"])
def test_csr_pass_equals_numpy_float64(loss, index_dtype, n_threads, n, zeros):
    """The compiled CSR pass: rows of uneven lengths, empty ones among them,
    and either width of index (a view of them as unsigned, never a copy);
    rows of 4 entries on average (a block's loops run over its entries) and
    of 28 (they run row by row)."""
    X, Y, weights, W, b = _data(n, 40, np.float64, loss)
    X[np.random.default_rng(1).random(X.shape) < zeros] = 0.0
    X = sp.csr_matrix(X)
    X.indices, X.indptr = X.indices.astype(index_dtype), X.indptr.astype(index_dtype)
    assert _host._fused_kind(X, loss, W) is not None
    expected = _reference(X.toarray(), Y, weights, loss, W, b)
    fused = _passes.loss_pass(X, Y, weights, loss, W, b, n_threads=n_threads)
    _assert_same(fused, expected, rtol=1e-12)
    assert fused[1].dtype == np.float64


@needs_numba
@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: type(loss).__name__)
@pytest.mark.parametrize("longest", [12, 60], ids=["short rows", "long rows"])
def test_csr_pass_adds_a_column_named_twice_in_a_row(loss, longest):
    """A CSR matrix need not be canonical: a row may name a column more
    than once, within one group of four entries the scatter unrolls or
    across groups, and each entry adds to the gradient. The first block of
    rows has empty rows amid it and at its end."""
    X, Y, weights, W, b = _data(300, 6, np.float64, loss)
    rng = np.random.default_rng(2)
    lengths = rng.integers(0, longest, size=300)
    lengths[100:103] = lengths[250:256] = 0
    indptr = np.r_[0, np.cumsum(lengths)]
    indices = rng.integers(0, 3, size=indptr[-1])  # three columns: many repeats
    X = sp.csr_matrix((rng.standard_normal(indptr[-1]), indices, indptr), shape=(300, 6))
    assert not X.has_canonical_format
    expected = _reference(X.toarray(), Y, weights, loss, W, b)  # toarray adds repeats
    _assert_same(_passes.loss_pass(X, Y, weights, loss, W, b), expected, rtol=1e-12)


@needs_numba
def test_csr_pass_sums_the_long_rows_of_a_float32_matrix_in_float64():
    """Each row 2**24 then thirty ones, against labels 2**24 + 30: the rows'
    dot products (in vector lanes, in any order) are exact in float64, so the
    squared loss and its gradient are zero; summed in float32 the ones after
    2**24 vanish (a loss of 32 and a gradient of 1e8)."""
    from sklearn_gd._backends import kernels

    n, ones = 300, 30
    data = np.tile(np.r_[2.0**24, np.ones(ones)], n).astype(np.float32)
    X = sp.csr_matrix((data, np.tile(np.arange(ones + 1), n), np.arange(n + 1) * (ones + 1)),
                      shape=(n, ones + 1))
    y, sw = np.full(n, 2.0**24 + ones, np.float32), np.full(n, 1 / n, np.float32)
    value, grad, grad_b = kernels.csr_pass(X, y, sw, np.ones(ones + 1, np.float32), 0.0,
                                           kernels.SQUARED)
    assert grad.dtype == np.float32
    assert value == 0.0 and grad_b == 0.0
    np.testing.assert_array_equal(grad, 0.0)


@needs_numba
@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: type(loss).__name__)
def test_csr_pass_over_rows_of_one_length_has_the_bits_of_one_loop_over_the_entries(loss):
    """One-hot rows (three categories a row: every row three entries) take a
    loop a row of a length known for the block; a stored zero in one row of
    each block makes the lengths uneven, and the block one loop over its
    entries, which adds the same products in the same order."""
    X, Y, weights, W, b = _data(1000, 12, np.float64, loss)
    rng = np.random.default_rng(3)
    indices = (rng.integers(0, 4, size=(1000, 3)) + [0, 4, 8]).ravel()
    X = sp.csr_matrix((rng.random(3000) + 0.5, indices, np.arange(0, 3001, 3)), shape=(1000, 12))
    expected = _reference(X.toarray(), Y, weights, loss, W, b)
    equal = _passes.loss_pass(X, Y, weights, loss, W, b)
    _assert_same(equal, expected, rtol=1e-12)
    extra = np.arange(0, 1000, 256)  # a row of each block of 256: a stored zero more
    after = 3 * extra + 3  # after each of those rows' last entry, in its first column
    indptr = np.r_[0, np.cumsum(np.where(np.isin(np.arange(1000), extra), 4, 3))]
    uneven = sp.csr_matrix((np.insert(X.data, after, 0.0),
                            np.insert(X.indices, after, X.indices[3 * extra]), indptr),
                           shape=X.shape)
    flat = _passes.loss_pass(uneven, Y, weights, loss, W, b)
    assert flat[0] == equal[0]
    np.testing.assert_array_equal(flat[1], equal[1])
    np.testing.assert_array_equal(flat[2], equal[2])


@needs_numba
def test_csr_chunks_are_equal_and_one_or_a_multiple_of_four():
    """So that two or four threads share them evenly; and the pass over
    several of them has the same bits on 1, 2 and 3 threads, its blocks of
    short rows (one loop over their entries) and of long ones alike."""
    from sklearn_gd._backends import kernels

    for n_rows, n_entries in [(10, 50), (100_000, 3_804_500), (1_000_003, 10**8), (3000, 10**7)]:
        rows = kernels.csr_chunk_rows(n_rows, n_entries, 12)
        count = -(-n_rows // rows)
        assert count == 1 or count % 4 == 0
        if count > 1:  # the last chunk is short by less than one row a chunk
            assert n_rows - (count - 1) * rows > rows - count
    X, Y, weights, W, b = _data(24_000, 30, np.float64, BinaryLogLoss())
    short = (np.arange(24_000) // 256 % 2 == 1)[:, None] & (np.arange(30) >= 3)
    X[short] = 0.0  # every other block of rows: 3 entries a row
    X = sp.csr_matrix(X)  # 4.5 MiB of entries: four chunks
    assert -(-X.shape[0] // kernels.csr_chunk_rows(X.shape[0], X.nnz, 12)) == 4
    one = _passes.loss_pass(X, Y, weights, BinaryLogLoss(), W, b, n_threads=1)
    for n_threads in (2, 3):
        got = _passes.loss_pass(X, Y, weights, BinaryLogLoss(), W, b, n_threads=n_threads)
        assert got[0] == one[0]
        np.testing.assert_array_equal(got[1], one[1])
        np.testing.assert_array_equal(got[2], one[2])


@needs_numba
@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_moments_equal_numpy(center, dtype):
    """The compiled column moments agree with the numpy ones to 1e-10 (the
    date-like column's sums differ by about 1e-11 in each), with
    the same bits on 1 and 3 threads, on a date-like column, a constant
    one, and an outlier that the reference rows weigh far more than the
    whole does (the sums must be taken again, about the mean)."""
    from sklearn_gd._backends import kernels
    from sklearn_gd._backends.arrays import _dense_moments

    rng = np.random.default_rng(0)
    n = 70_000  # several chunks, float32 or float64
    X = rng.standard_normal((n, 4))
    X[:, 0] = 7.3e5 + 100 * np.sort(X[:, 0])
    # An outlier of no weight in the whole, but most of the reference rows'.
    X[:, 2], X[0, 1] = 3.0, 1e6
    weights = np.ones(n)
    weights[::n // 1024], weights[0] = 1e-20, 1e-14
    weights /= weights.sum()
    X = X.astype(dtype)
    mean, spread = _dense_moments(X, weights, center)
    for n_threads in (1, 3):
        got_mean, got_spread = kernels.column_moments(X, weights, center, n_threads)
        np.testing.assert_allclose(got_mean, mean, rtol=1e-12, atol=1e-9)
        varying = [0, 1, 3]
        np.testing.assert_allclose(got_spread[varying], spread[varying], rtol=1e-10)
        # The constant column: no spread about its mean, 3 about zero.
        np.testing.assert_allclose(got_spread[2], 0.0 if center else 3.0, atol=1e-12)
        if n_threads == 1:
            first = got_mean, got_spread
    np.testing.assert_array_equal(first[0], got_mean)
    np.testing.assert_array_equal(first[1], got_spread)


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


def _cancelling_data(n, p, loss, seed=0):
    """float32 data whose gradient sums cancel: features of mean 1 and rows
    in two halves that pull every gradient entry opposite ways (targets below
    the model's predictions, then above them; labels 0, then 1, as in data
    sorted by label). Each entry's running sum climbs through the first half
    and comes back down through the second, to a result 50 to 500 times
    smaller than the sum of its terms' sizes (measured)."""
    rng = np.random.default_rng(seed)
    X = (rng.standard_normal((n, p)) + 1.0).astype(np.float32)
    W = (0.01 * rng.standard_normal((p, 1))).astype(np.float32)
    b = np.array([0.0], dtype=np.float32)
    weights = rng.uniform(0.5, 2, n).astype(np.float32)
    weights /= weights.sum()
    second_half = (np.arange(n) >= n // 2)[:, None]
    if isinstance(loss, HalfSquaredError):
        pull = np.where(second_half, 1.0, -1.0) + 0.1 * rng.standard_normal((n, 1))
        Y = (X @ W + pull).astype(np.float32)
    else:
        Y = second_half.astype(np.float32)
    return X, Y, weights, W, b


def _gradient_terms(X, Y, weights, loss, W, b):
    """``X`` in float64 and the weighted derivatives ``s_i dloss/dz_i``: the
    gradient's terms, ``X[i, j] * dZ[i]``."""
    X = np.asarray(X, dtype=np.float64)
    Z = X @ np.asarray(W, dtype=np.float64) + float(b[0])
    _, dZ = loss.loss_gradient(np.asarray(Y, dtype=np.float64), Z)
    return X, dZ * np.asarray(weights, dtype=np.float64)[:, None]


def _float32_block_sums(X, Y, weights, loss, W, b, kernels):
    """The gradient of the fused pass had it summed its blocks in float32:
    each block's sum (exact, in float64), added in float32 across the blocks
    of a chunk, the chunks added in float64, with the kernel's blocks and
    chunks."""
    X64, dZ = _gradient_terms(X, Y, weights, loss, W, b)
    n, p = X.shape
    chunk = kernels.chunk_rows(p, X.itemsize)
    block = max(1, min(kernels._BLOCK, kernels._BLOCK_BYTES // (p * X.itemsize + 1)))
    total = np.zeros((p, 1))
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        running = np.zeros((p, 1), dtype=np.float32)
        for first in range(start, stop, block):
            rows = slice(first, min(first + block, stop))
            running += (X64[rows].T @ dZ[rows]).astype(np.float32)
        total += running
    return total


# The error of a sum measured against the sum of its terms' sizes, the
# yardstick of any summation's rounding (a cancelling sum can be far smaller
# than its terms). On _cancelling_data(300_000, 2) the fused pass, which sums
# each block's rows in float32 and the blocks in float64, is within 7e-9 of
# that size (measured, both losses; 5e-11 for the intercept and the value,
# summed in float64 throughout); the same blocks added in float32 across a
# chunk (455 blocks of 256 rows for 2 features) are off by 1.2e-7 and 2.1e-7
# (_float32_block_sums), as the pass is when its gradient accumulator is made
# float32 (1.0e-7 and 2.5e-7). The bound lies between, a factor of 4 from each.
FLOAT64_SUM_RTOL = 3e-8


@needs_numba
@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: type(loss).__name__)
def test_fused_pass_float32_stays_float32_and_sums_in_float64(loss):
    from sklearn_gd._backends import kernels

    X, Y, weights, W, b = _cancelling_data(300_000, 2, loss)
    value, grad_W, grad_b = _passes.loss_pass(X, Y, weights, loss, W, b, n_threads=2)
    assert grad_W.dtype == grad_b.dtype == np.float32
    expected_value, expected_W, expected_b = _reference(X, Y, weights, loss, W, b)
    X64, dZ = _gradient_terms(X, Y, weights, loss, W, b)
    sizes_W, size_b = np.abs(X64).T @ np.abs(dZ), np.abs(dZ).sum()
    # The sums cancel: the results are far smaller than their terms' sizes.
    assert np.abs(expected_W).max() < 0.05 * sizes_W.min()
    # The bound tells float64 sums from float32 ones on this data.
    float32_W = _float32_block_sums(X, Y, weights, loss, W, b, kernels)
    assert np.max(np.abs(float32_W - expected_W) / sizes_W) > FLOAT64_SUM_RTOL
    assert np.all(np.abs(grad_W - expected_W) <= FLOAT64_SUM_RTOL * sizes_W)
    assert np.all(np.abs(grad_b - expected_b) <= FLOAT64_SUM_RTOL * size_b)
    assert value == pytest.approx(expected_value, rel=FLOAT64_SUM_RTOL)


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
    [("dense one output", True), ("fortran order", False), ("csr", True),
     ("csc", False), ("csr multinomial", False), ("two outputs", False),
     ("multinomial", True), ("disabled", False)],
)
def test_fused_pass_is_chosen_where_it_applies(case, uses_fused, monkeypatch):
    X = np.ones((4, 3))
    W, loss = np.zeros((3, 1)), HalfSquaredError()
    if case == "fortran order":
        X = np.asfortranarray(X)
    elif case == "csr":
        X = sp.csr_matrix(X)
    elif case == "csc":
        X = sp.csc_matrix(X)
    elif case == "csr multinomial":
        X, W, loss = sp.csr_matrix(X), np.zeros((3, 3)), MultinomialLogLoss()
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
    # Whitened, it is at the optimum within 20 steps, where its decisions turn
    # on rounding: 20 steps, not 60.
    (GDLogisticRegressor, {"learning_rate": "line_search", "alpha": 1e-3, "max_iter": 20}),
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
    est = Estimator(**{"max_iter": 60, "tol": 0, "random_state": 0, **params})
    with pytest.warns(ConvergenceWarning):  # at max_iter; tol=0 runs them all
        fused = est.fit(X, y).coef_.copy()
    monkeypatch.setattr(LinearModelObjective, "fused", False)
    with pytest.warns(ConvergenceWarning):
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
