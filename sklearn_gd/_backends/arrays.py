"""Operations on arrays wherever they live: NumPy, scipy.sparse, an array API
namespace on its device, or dask (:mod:`sklearn_gd._backends.namespace`).

Each function here is written once for the estimators and the objective, and
is the one place that asks which kind of array it was handed.
"""

import numpy as np
import scipy.sparse as sp
from scipy.special import log_softmax, softmax

from .namespace import dispatched_namespace, is_dask, is_host, namespace_of, to_host


def max_row_norm(X, scale, fit_intercept):
    r""":math:`\max_i s_i \|[x_i, 1]\|^2`, without densifying a sparse ``X``."""
    if sp.issparse(X):
        squared = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    elif is_host(X):
        squared = np.einsum("ij,ij->i", X, X)
    else:
        # A norm per row, without an X * X as large as X on the device.
        xp, _ = namespace_of(X)
        squared = xp.linalg.vector_norm(X, axis=1) ** 2
        return float(xp.max(scale * (squared + int(fit_intercept))))
    return float(np.max(scale * (squared + int(fit_intercept))))


def log_frobenius_norm(X):
    """The log of ``||X||_F``, a bound on every row norm, from one BLAS pass
    where ``X``'s values lie in one block of memory (inf where they do not,
    or where the sum of squares overflows)."""
    values = X.data if sp.issparse(X) else X
    if not (is_host(values) and (values.flags.c_contiguous or values.flags.f_contiguous)):
        return np.inf
    flat = values.ravel(order="K")
    with np.errstate(over="ignore"):
        squares = float(np.vdot(flat, flat))
    return np.log(squares) / 2 if squares > 0 else -np.inf


def max_abs(a):
    """The largest absolute value of ``a``, without a copy of it."""
    if sp.issparse(a):
        a = a.data
    if is_host(a):
        return max(float(a.max()), -float(a.min())) if a.size else 0.0
    xp, _ = namespace_of(a)
    return max(float(xp.max(a)), -float(xp.min(a)))


def largest(a):
    """The largest value of a 1-D host or namespace array (0 if empty)."""
    xp = np if is_host(a) else namespace_of(a)[0]
    return float(xp.max(a)) if a.shape[0] else 0.0


def class_indices(scores):
    """The index of the winning class of each row of ``scores``: the sign of
    a binary model's one score, the largest of a multinomial's."""
    placed = dispatched_namespace(scores)
    if placed is None:
        return (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
    xp = placed[0]
    return xp.astype(scores > 0, xp.int64) if scores.ndim == 1 else xp.argmax(scores, axis=1)


def take_classes(indices, classes):
    """``classes[indices]`` where ``indices`` live (lazily for dask); string
    classes, which no array library holds, stay NumPy."""
    if is_dask(indices):
        return indices.map_blocks(_take, classes=classes, dtype=classes.dtype)
    placed = dispatched_namespace(indices)
    if placed is None:
        return classes[indices]
    if classes.dtype.kind not in "biuf":
        return classes[to_host(indices)]
    xp, device = placed
    return xp.take(xp.asarray(classes, device=device), indices)


def _take(indices, classes):
    return classes[indices]


def class_scores(scores):
    """One score per class: a binary model's ``z`` as the pair ``(0, z)``,
    whose softmax is the sigmoid of ``z``."""
    if scores.ndim == 2:
        return scores
    if is_dask(scores):
        import dask.array as da

        return da.stack([da.zeros_like(scores), scores], axis=1).rechunk({1: -1})
    placed = dispatched_namespace(scores)
    if placed is None:
        return np.column_stack([np.zeros_like(scores), scores])
    xp = placed[0]
    return xp.stack([xp.zeros_like(scores), scores], axis=1)


def row_softmax(scores, log):
    """The (log-)softmax of each row, without overflow, where ``scores`` live."""
    on_host = log_softmax if log else softmax
    if is_dask(scores):
        return scores.map_blocks(on_host, axis=1, dtype=scores.dtype)
    placed = dispatched_namespace(scores)
    if placed is None:
        return on_host(scores, axis=1)
    xp = placed[0]
    shifted = scores - xp.max(scores, axis=1, keepdims=True)
    log_proba = shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))
    return log_proba if log else xp.exp(log_proba)


def host_scores(X, coef, intercept):
    """``X @ coef.T + intercept`` on the host, or None for dask ``X``, where it
    would cost a pass over the cluster."""
    if is_dask(X):
        return None
    return to_host(X @ coef.T + intercept)


def row_keys(X, Y, seed):
    """A number in [0, 1) for each row of ``X`` with its targets ``Y``, the
    same for rows of the same values (so a repeated row gets its original's),
    and otherwise as if drawn uniformly, from the 64-bit ``seed``.

    A hash of the rows' bits: sparse rows hash as their dense twins (a zero
    adds nothing), and an array of another namespace is brought to the host
    for it.
    """
    X, Y = to_host(X), np.asarray(to_host(Y))
    with np.errstate(over="ignore"):
        h = _hash_rows(X) ^ _hash_rows(Y.reshape(len(Y), -1), salt=X.shape[1])
        h = _mix(h ^ np.uint64(seed))
    return (h >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _hash_rows(X, salt=0):
    """The sum over each row of the mixed column index times the value's bits."""
    if sp.issparse(X):
        X = X.tocsr()
        bits = _bits(X.data)
        columns = _mix(X.indices.astype(np.uint64) + np.uint64(salt + 1))
        sums = np.concatenate([[np.uint64(0)], np.cumsum(bits * columns, dtype=np.uint64)])
        return sums[X.indptr[1:]] - sums[X.indptr[:-1]]
    columns = _mix(np.arange(salt + 1, salt + 1 + X.shape[1], dtype=np.uint64))
    return _bits(np.ascontiguousarray(X)) @ columns


def _bits(values):
    """The bits of float (or integer) ``values``, as unsigned 64-bit integers."""
    values = np.asarray(values)
    if values.dtype.kind == "f":
        values = values.view(np.uint64 if values.itemsize == 8 else np.uint32)
    return values.astype(np.uint64)


def _mix(x):
    """SplitMix64's finalizer, element-wise: every input bit moves every output bit."""
    x = (x + np.uint64(0x9E3779B97F4A7C15)).astype(np.uint64)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))
