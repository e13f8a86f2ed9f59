"""The compiled softmax pass: the numpy pass's sums to 1e-12, the same bits
on any number of threads, and chosen where it applies."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from threadpoolctl import threadpool_limits

from sklearn_gd._backends import host
from sklearn_gd._linear.losses import MultinomialLogLoss
from sklearn_gd._linear.objective import LinearModelObjective

needs_numba = pytest.mark.skipif(not host.fused_available(), reason="needs numba")


def _problem(n, p, n_classes, dtype=np.float64, seed=0):
    rng = np.random.default_rng([seed, n, p, n_classes])
    X = rng.standard_normal((n, p)).astype(dtype)
    labels = rng.integers(0, n_classes, n)
    weights = rng.uniform(0.5, 2, n).astype(dtype)
    W = (rng.standard_normal((p, n_classes)) * 0.5).astype(dtype)
    b = rng.standard_normal(n_classes).astype(dtype)
    return X, labels[:, None], weights / weights.sum(), W, b


@needs_numba
@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("shape", [(50, 3, 3), (5000, 20, 7), (1797, 64, 10)])
def test_compiled_softmax_pass_equals_the_numpy_pass(shape, intercept):
    X, Y, weights, W, b = _problem(*shape)
    b = b if intercept else None
    assert host._fused_kind(X, MultinomialLogLoss(), W) is not None
    compiled = host.host_pass(X, Y, weights, MultinomialLogLoss(), W, b)
    numpy = host.host_pass(X, Y, weights, MultinomialLogLoss(), W, b, fused=False)
    assert compiled[0] == pytest.approx(numpy[0], rel=1e-12)
    scale = np.abs(numpy[1]).max()
    assert_allclose(compiled[1], numpy[1], rtol=0, atol=1e-12 * scale)
    if intercept:
        assert_allclose(compiled[2], numpy[2], rtol=0, atol=1e-12 * scale)
    else:
        assert compiled[2] is None and numpy[2] is None


@needs_numba
@pytest.mark.parametrize("shape", [(20_000, 30, 5), (3000, 200, 40)])
def test_compiled_softmax_pass_has_the_same_bits_on_any_number_of_threads(shape):
    """Our threads and BLAS's: the blocks' products are BLAS's, under both
    pools, with few classes and with many (whose blocks are short)."""
    X, Y, weights, W, b = _problem(*shape)  # several chunks
    with threadpool_limits(1):
        one = host.host_pass(X, Y, weights, MultinomialLogLoss(), W, b, n_threads=1)
    for n_threads, blas in ((2, 1), (1, 2), (3, 2)):
        with threadpool_limits(blas):
            other = host.host_pass(X, Y, weights, MultinomialLogLoss(), W, b,
                                   n_threads=n_threads)
        assert other[0] == one[0]
        assert_array_equal(other[1], one[1])
        assert_array_equal(other[2], one[2])


def test_a_small_softmax_problem_stays_with_numpy(monkeypatch):
    """Work below the threshold (entries of X times classes) never loads
    numba; the batches of a larger problem follow the whole problem."""
    monkeypatch.setattr(host, "FUSED_MIN_SIZE", 1 << 16)
    for shape, compiled in (((150, 4, 3), False), ((2000, 18, 7), True)):
        X, Y, weights, W, _ = _problem(*shape)
        objective = LinearModelObjective(X, Y, weights, MultinomialLogLoss(), alpha=0.0,
                                         fit_intercept=True, n_outputs=W.shape[1])
        assert objective._compiled is compiled
        assert objective.batch(np.arange(4))._compiled is compiled
