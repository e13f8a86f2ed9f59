r"""The gradient passes over host data: NumPy arrays and scipy.sparse matrices.

Which pass runs is chosen per call, from the data and the loss alone (see
:mod:`sklearn_gd._backends.passes` for the sums they compute):

- **fused** (numba installed, a loss that names a compiled kernel, and
  dense C-contiguous ``X``, or CSR ``X`` with one output): one compiled loop
  over the rows (:mod:`sklearn_gd._backends.kernels`), about one ``X @ w``
  in time;
- **blocked** (other dense ``X`` larger than a cache): the numpy pass over
  blocks of rows small enough that the second read of a block, by
  ``X_B.T @ r_B``, comes from the cache;
- **plain** (other sparse ``X``, or small enough to stay in cache): ``X @ W``,
  the loss, then ``X.T @ R``.

Setting the environment variable ``SKLEARN_GD_NUMBA=0`` turns the fused pass
off, for comparison or if a numba build misbehaves.
"""

import importlib
import os
from functools import cache

import numpy as np
import scipy.sparse as sp

from .._reductions import dot

# A block of rows of about this size, with its residuals, stays in a core's L2
# cache (1 MiB on the machines we measure), so X_B.T @ r_B reads it from there.
BLOCK_BYTES = 1 << 19
# Below this many entries a pass takes microseconds: starting threads costs
# more than it saves.
PARALLEL_MIN_SIZE = 1 << 18
# Below this much work a pass over the whole data (entries of X times outputs)
# the numpy passes serve: the whole fit takes milliseconds, less than a fresh
# process takes to import numba and load the compiled kernels (half a second),
# which a small fit then never pays. Chosen by the shape of the problem alone,
# so a fit takes the same path, and gives the same bits, in a fresh process
# and a warm one.
FUSED_MIN_SIZE = 1 << 16


def worth_compiling(size):
    """Whether a problem of ``size`` (entries of the whole ``X`` times
    outputs) takes the compiled passes; its mini-batches follow it."""
    return size >= FUSED_MIN_SIZE


def _compiled_module(name):
    """The compiled module ``name`` of this package, or None without numba (or
    when ``SKLEARN_GD_NUMBA=0`` disables it)."""
    if os.environ.get("SKLEARN_GD_NUMBA", "1") == "0":
        return None
    try:
        return importlib.import_module(f"{__package__}.{name}")
    except ImportError:
        return None


@cache
def _kernels():
    """The compiled passes' module (:mod:`sklearn_gd._backends.kernels`), or None."""
    return _compiled_module("kernels")


@cache
def _epoch_kernels():
    """The compiled epoch's module (:mod:`sklearn_gd._backends.epoch`), or None."""
    return _compiled_module("epoch")


def epoch_runner(X, Y, loss):
    """The compiled mini-batch epoch for this data and loss
    (:func:`sklearn_gd._backends.epoch.run_epoch`), or None where it cannot
    run: numba missing, ``X`` neither a dense array of floats nor CSR, or a
    loss without a kernel there or with several columns of targets (the
    multinomial loss's one column of labels gives several outputs). Unlike
    the passes, it serves data of any size: what it saves is Python's cost
    per batch."""
    kernels = _epoch_kernels()
    if kernels is None or Y.ndim != 2 or Y.shape[1] != 1:
        return None  # several targets (a regression's) read several columns of Y
    if getattr(loss, "kernel", None) not in kernels.KINDS:
        return None
    dense = isinstance(X, np.ndarray) and X.ndim == 2
    if not (dense or (sp.issparse(X) and X.format == "csr")):
        return None
    if X.dtype not in (np.float32, np.float64):
        return None
    return kernels.run_epoch


def epoch_kind(loss):
    """The compiled epoch's code for ``loss`` (given a runner)."""
    return _epoch_kernels().KINDS[loss.kernel]


def fused_available():
    """Whether the compiled fused pass can run here (numba installed, not disabled)."""
    return _kernels() is not None


def host_pass(X, Y, weights, loss, W, b=None, n_threads=1, fused=True):
    """The pass of :func:`~sklearn_gd._backends.passes.loss_pass` over host ``X``:
    the fused kernel where it applies, else the blocked or the plain one."""
    kind = _fused_kind(X, loss, W) if fused else None
    if kind is not None:
        return _fused(X, Y, weights, W, b, kind, n_threads)
    if not sp.issparse(X) and X.nbytes > 2 * BLOCK_BYTES:
        return _blocked(X, Y, weights, loss, W, b)
    return _plain(X, Y, weights, loss, W, b)


def _fused_kind(X, loss, W):
    """The kernel's loss code for this call, or None where it cannot run."""
    # The loss names its kernel; a loss without one runs the numpy passes. Only
    # the softmax's kernel takes several outputs (one per class), and dense
    # rows only.
    name = getattr(loss, "kernel", None)
    if sp.issparse(X):
        if X.format != "csr" or W.shape[1] != 1:
            return None
    elif not X.flags.c_contiguous or (W.shape[1] != 1 and name != "multinomial"):
        return None
    if name is None:
        return None
    kernels = _kernels()
    if kernels is None or X.dtype not in (np.float32, np.float64):
        return None
    return kernels.KINDS.get(name)


def _fused(X, Y, weights, W, b, kind, n_threads):
    kernels = _kernels()
    sparse = sp.issparse(X)
    threads = n_threads if (X.nnz if sparse else X.size) >= PARALLEL_MIN_SIZE else 1
    if kind == kernels.MULTINOMIAL:
        intercept = np.zeros(W.shape[1]) if b is None else b
        value, grad_W, grad_b = kernels.multinomial_pass(X, Y[:, 0], weights, W,
                                                         intercept, threads)
        return value, grad_W, None if b is None else grad_b
    one_output = kernels.csr_pass if sparse else kernels.fused_pass
    value, grad_w, grad_b = one_output(
        X, Y[:, 0], weights, np.ascontiguousarray(W[:, 0]),
        0.0 if b is None else b[0], kind, threads,
    )
    return value, grad_w[:, None], None if b is None else np.array([grad_b], X.dtype)


def _plain(X, Y, weights, loss, W, b):
    Z = X @ W
    if b is not None:
        Z += b
    losses, dZ = loss.loss_gradient(Y, Z)
    dZ *= weights[:, None]
    # A fixed-order sum: a BLAS dot over the samples splits them among threads.
    return dot(weights, losses), X.T @ dZ, None if b is None else dZ.sum(axis=0)


def _blocked(X, Y, weights, loss, W, b):
    rows = max(64, BLOCK_BYTES // max(X.shape[1] * X.itemsize, 1))
    value, grad_W = 0.0, np.zeros_like(W)
    grad_b = None if b is None else np.zeros_like(b)
    for start in range(0, X.shape[0], rows):
        block = slice(start, start + rows)
        v, gW, gb = _plain(X[block], Y[block], weights[block], loss, W, b)
        value += v
        grad_W += gW
        if b is not None:
            grad_b += gb
    return value, grad_W, grad_b


def unpack_pass(out, W, b):
    """``(value, grad_W, grad_b)`` of the vector ``[value, grad_W.ravel(), grad_b]``."""
    grad_W = out[1:1 + W.size].reshape(W.shape).astype(W.dtype, copy=False)
    grad_b = None if b is None else out[1 + W.size:].astype(W.dtype, copy=False)
    return float(out[0]), grad_W, grad_b
