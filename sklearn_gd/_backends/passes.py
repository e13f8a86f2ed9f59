r"""The gradient pass: the one place where the descent reads ``X``.

For raw predictions :math:`Z = X W + b`, a loss :math:`\ell` and weights
:math:`w_i` summing to one, a pass returns

.. math::

    \sum_i w_i\, \ell(y_i, z_i), \qquad
    X^\top \big(w \odot \partial_Z \ell\big), \qquad
    \textstyle\sum_i w_i\, \partial_{z_i} \ell,

the data term of the objective and its gradient in ``W`` and ``b``. Gradient
descent is bound by memory: every iteration must read ``X``, and the best a
pass can do is to read it once. Which pass runs is chosen here, per call, from
the data alone:

- **fused** (numba installed, dense C-contiguous ``X``, one output: least
  squares or binary log loss): one compiled loop over the rows
  (:mod:`sklearn_gd._backends.kernels`), about one ``X @ w`` in time;
- **blocked** (other dense ``X`` larger than a cache): the numpy pass over
  blocks of rows small enough that the second read of a block, by
  ``X_B.T @ r_B``, comes from the cache;
- **plain** (sparse ``X``, or small enough to stay in cache): ``X @ W``, the
  loss, then ``X.T @ R``;
- **namespace** (``X`` of another array API library, such as PyTorch on a
  GPU): the plain pass in that namespace, on that device, with one transfer
  of the results to the host (:mod:`sklearn_gd._backends.namespace`);
- **dask** (a dask array chunked by rows): the fused or plain pass on each
  chunk, where it lies, and their sum (:mod:`sklearn_gd._backends.dask_pass`).

All of them compute the same sums (to rounding; the tests hold the host
passes to 1e-12 of each other and the fits on other arrays to 1e-10 and 1e-8
of the NumPy fit).
Setting the environment variable ``SKLEARN_GD_NUMBA=0`` turns the fused pass
off, for comparison or if a numba build misbehaves.
"""

import os
from functools import cache

import numpy as np
import scipy.sparse as sp

from .._linear.losses import BinaryLogLoss, HalfSquaredError
from .namespace import is_dask, is_host, namespace_of, to_device, to_host

# A block of rows of about this size, with its residuals, stays in a core's L2
# cache (1 MiB on the machines we measure), so X_B.T @ r_B reads it from there.
BLOCK_BYTES = 1 << 19
# Below this many entries a pass takes microseconds: starting threads costs
# more than it saves.
PARALLEL_MIN_SIZE = 1 << 18


@cache
def _kernels():
    """The compiled kernels' module, or None without numba (or when disabled)."""
    if os.environ.get("SKLEARN_GD_NUMBA", "1") == "0":
        return None
    try:
        from . import kernels
    except ImportError:
        return None
    return kernels


def fused_available():
    """Whether the compiled fused pass can run here (numba installed, not disabled)."""
    return _kernels() is not None


def loss_pass(X, Y, weights, loss, W, b=None, n_threads=1, fused=True):
    """The data term of the objective and its gradients, by the fastest pass.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_targets)
    weights : ndarray of shape (n_samples,)
        Sample weights that sum to one, in the dtype of ``X``.
    loss : object
        A loss of :mod:`sklearn_gd._linear.losses`.
    W : ndarray of shape (n_features, n_outputs)
    b : ndarray of shape (n_outputs,) or None
        The intercepts; None without.
    n_threads : int, default=1
        Threads the fused pass may split the rows over.
    fused : bool, default=True
        False forbids the compiled pass (the tests compare the two).

    Returns
    -------
    value : float
    grad_W : ndarray of shape (n_features, n_outputs)
    grad_b : ndarray of shape (n_outputs,) or None
    """
    if not is_host(X):
        if is_dask(X):
            from .dask_pass import dask_pass

            return dask_pass(X, Y, weights, loss, W, b, fused=fused)
        return _namespace_pass(X, Y, weights, loss, W, b)
    kind = _fused_kind(X, loss, W) if fused else None
    if kind is not None:
        return _fused(X, Y, weights, W, b, kind, n_threads)
    if not sp.issparse(X) and X.nbytes > 2 * BLOCK_BYTES:
        return _blocked(X, Y, weights, loss, W, b)
    return _plain(X, Y, weights, loss, W, b)


def _fused_kind(X, loss, W):
    """The kernel's loss code for this call, or None where it cannot run."""
    if W.shape[1] != 1 or sp.issparse(X) or not X.flags.c_contiguous:
        return None
    kernels = _kernels()
    if kernels is None or X.dtype not in (np.float32, np.float64):
        return None
    return {HalfSquaredError: kernels.SQUARED, BinaryLogLoss: kernels.LOGISTIC}.get(
        type(loss)
    )


def _fused(X, Y, weights, W, b, kind, n_threads):
    threads = n_threads if X.size >= PARALLEL_MIN_SIZE else 1
    value, grad_w, grad_b = _kernels().fused_pass(
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
    return float(weights @ losses), X.T @ dZ, None if b is None else dZ.sum(axis=0)


def _namespace_pass(X, Y, weights, loss, W, b):
    """The plain pass where ``X`` lives; ``W``, ``b`` and the results on the host.

    The value and both gradients come back as one vector: one transfer, one
    synchronization with the device an iteration.
    """
    xp, device = namespace_of(X)
    Z = X @ to_device(W, X)
    if b is not None:
        Z = Z + to_device(b, X)
    # As the fused pass does, the loss and the sums over samples go in float64
    # (where the device has it): one float32 rounding per sample otherwise
    # decides where a float32 line search stops.
    wide = _wide_dtype(xp, device)

    def widen(array):
        return xp.astype(array, wide, copy=False)

    if xp.isdtype(Y.dtype, "real floating"):  # not the multinomial's labels
        Y = widen(Y)
    losses, dZ = loss.loss_gradient(Y, widen(Z), xp)
    weights = widen(weights)
    dZ = dZ * weights[:, None]
    grad_W = widen(X.T @ xp.astype(dZ, X.dtype, copy=False))
    parts = [xp.reshape(xp.sum(weights * losses), (1,)), xp.reshape(grad_W, (-1,))]
    if b is not None:
        parts.append(xp.sum(dZ, axis=0))
    return unpack_pass(to_host(xp.concat(parts)), W, b)


def unpack_pass(out, W, b):
    """``(value, grad_W, grad_b)`` of the vector ``[value, grad_W.ravel(), grad_b]``."""
    grad_W = out[1:1 + W.size].reshape(W.shape).astype(W.dtype, copy=False)
    grad_b = None if b is None else out[1 + W.size:].astype(W.dtype, copy=False)
    return float(out[0]), grad_W, grad_b


def _wide_dtype(xp, device):
    """float64 where ``device`` has it (not on Apple's MPS), else float32."""
    dtypes = xp.__array_namespace_info__().dtypes(device=device, kind="real floating")
    return xp.float64 if "float64" in dtypes else xp.float32


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
