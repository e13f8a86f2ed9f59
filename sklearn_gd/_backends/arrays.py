"""Operations on arrays wherever they live: NumPy, scipy.sparse, an array API
namespace on its device, or dask (:mod:`sklearn_gd._backends.namespace`).

Each function here is written once for the estimators and the objective, and
is the one place that asks which kind of array it was handed.
"""

from functools import cache, partial

import numpy as np
import scipy.sparse as sp
from scipy.special import log_softmax, softmax

from .._reductions import transposed_product
from .host import _kernels
from .namespace import (
    dispatched_namespace,
    is_dask,
    is_host,
    namespace_of,
    to_device,
    to_host,
)
from .threads import SMALL_SIZE


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


def column_moments(X, weights, center=True, n_threads=1, compiled=False):
    r"""The weighted mean and standard deviation of every column of ``X``,
    as float64 NumPy arrays, without a copy of ``X``.

    ``weights`` sum to one. Without ``center`` the mean is zero and the
    scale the root mean square. Dense ``X`` is read once, a block of rows
    at a time, its spread summed around each block's mean, so that a column
    of large values with a small spread (dates as ordinals) keeps its
    digits; sparse ``X`` takes :math:`E[x^2] - E[x]^2`, which keeps it
    sparse.
    """
    if is_dask(X):
        mean = (weights @ X).compute() if center else np.zeros(X.shape[1])
        spread = (((X - mean) ** 2) * weights[:, None]).sum(axis=0).compute()
        return np.asarray(mean, dtype=np.float64), np.sqrt(np.asarray(spread, np.float64))
    if not is_host(X):
        return _namespace_moments(X, weights, center)
    weights = np.asarray(to_host(weights), dtype=np.float64)
    if sp.issparse(X):
        mean = _sparse_column_sums(X, weights, 1) if center else np.zeros(X.shape[1])
        square = _sparse_column_sums(X, weights, 2)
        return mean, np.sqrt(np.maximum(square - mean * mean, 0))
    kernels = _kernels() if compiled and X.flags.c_contiguous else None
    if kernels is not None and X.dtype in (np.float32, np.float64):
        return kernels.column_moments(X, weights, center, n_threads)
    return _dense_moments(X, weights, center)


def _dense_moments(X, weights, center):
    r""":func:`column_moments` of NumPy ``X`` in one read: each block of
    about 1 MiB of rows gets its own weighted mean and its spread about it,
    run from the cache, and the blocks are merged as they come (Chan, Golub
    and LeVeque's pairwise update):
    :math:`\mu \leftarrow \mu + \delta\, m_b / (m + m_b)` and
    :math:`M \leftarrow M + M_b + \delta^2 m m_b / (m + m_b)`, with
    :math:`\delta = \mu_b - \mu` and :math:`m, m_b` the weights' masses.
    Sums about each block's own mean keep the digits of a column of large
    values with a small spread (dates as ordinals). (The BLAS sums may
    follow the thread count in the last bit; the standardized coordinates
    round what they take from here far above it.)"""
    n, p = X.shape
    rows = max(1, (1 << 20) // max(8 * p, 1))
    buffer = np.empty((min(rows, n), p))
    mean, spread, mass = np.zeros(p), np.zeros(p), 0.0
    for start in range(0, n, rows):
        block_weights = weights[start:start + rows]
        block_mass = float(block_weights.sum())
        if block_mass <= 0:
            continue
        block = buffer[:len(block_weights)]
        block[...] = X[start:start + rows]  # float64 whatever X's dtype
        block_mean = (block_weights @ block) / block_mass if center else mean
        block -= block_mean
        np.multiply(block, block, out=block)
        delta, merged = block_mean - mean, mass + block_mass
        spread += block_weights @ block + delta * delta * (mass * block_mass / merged)
        mean = mean + delta * (block_mass / merged)
        mass = merged
    return mean, np.sqrt(spread)


def _sparse_column_sums(X, weights, power):
    r""":math:`\sum_i w_i x_{ij}^{power}` of a CSR or CSC ``X``, a block of its
    compressed axis at a time (a temporary of a block's entries, never of all
    of them, and no conversion of ``X``)."""
    out = np.zeros(X.shape[1])
    by_rows = X.format == "csr"
    lines = X.shape[0] if by_rows else X.shape[1]
    step = max(1, lines * (1 << 17) // max(X.nnz, 1))
    for start in range(0, lines, step):
        stop = min(start + step, lines)
        first, last = X.indptr[start], X.indptr[stop]
        counts = np.diff(X.indptr[start:stop + 1])
        values = X.data[first:last].astype(np.float64) ** power
        if by_rows:
            values *= np.repeat(weights[start:stop], counts)
            out += np.bincount(X.indices[first:last], weights=values, minlength=len(out))
        else:
            values *= weights[X.indices[first:last]]
            out[start:stop] += np.bincount(np.repeat(np.arange(stop - start), counts),
                                           weights=values, minlength=stop - start)
    return out


def _namespace_moments(X, weights, center):
    """:func:`column_moments` of a namespace array, on its device (two passes,
    the mean's and the spread's, in blocks of rows)."""
    xp, _ = namespace_of(X)
    weights = xp.astype(to_device(np.asarray(to_host(weights)), X), X.dtype)
    rows = max(1, (1 << 24) // max(4 * X.shape[1], 1))
    # The array API forbids slices that end past the array.
    blocks = [slice(start, min(start + rows, X.shape[0]))
              for start in range(0, X.shape[0], rows)]
    mean = xp.zeros(X.shape[1], dtype=X.dtype, device=X.device)
    if center:
        for rows in blocks:
            mean += weights[rows] @ X[rows, :]
    spread = xp.zeros_like(mean)
    for rows in blocks:
        block = X[rows, :] - mean
        spread += weights[rows] @ (block * block)
    return (np.asarray(to_host(mean), dtype=np.float64),
            np.sqrt(np.asarray(to_host(spread), dtype=np.float64)))


def curvature_hessian(grams, weights, D, F):
    r"""The Hessian of :math:`\sum_i w_i \ell(y_i, \tilde x_i \Theta)` in
    the standardized coordinates, :math:`\sum_i w_i (\mathrm{diag}(D_i) -
    F_i F_i^\top) \otimes \tilde x_i \tilde x_i^\top` with :math:`\tilde x_i
    = [(x_i - \mu) / s, 1]` (the 1 with ``fit_intercept``), as a float64
    NumPy array of shape ``(N, N)``, :math:`N = (p + 1) K`, its rows in the
    order of a C-ordered ``(p + 1, K)`` array.

    ``D`` and ``F`` (None for no such term) have one row per sample, or a
    single row for all. Block :math:`(k, m)` is the Gram matrix of
    :math:`\tilde X` weighted by :math:`w (\delta_{km} D_k - F_k F_m)`, from
    ``grams`` (:func:`gram_source`).
    """
    n, K = len(weights), D.shape[1]
    if F is not None and len(F) != len(D):
        D, F = np.broadcast_arrays(D, F)
    if F is None:  # the blocks (k, k) alone
        k = m = np.arange(K)
        U = D
    else:  # the blocks (k, m), k <= m: U negated, and the weights with it
        k, m = _upper_pairs(K)
        U = F[:, k]
        U *= F[:, m]
        U[:, _diagonal_pairs(K)] -= D
        weights = -weights
    if len(U) == n:
        blocks = grams(weights[:, None] * U)
    else:  # the same for every sample: each block a multiple of one Gram matrix
        blocks = U[0][:, None, None] * grams(weights[:, None])
    q = blocks.shape[1]
    if F is None and K > 1:  # the blocks (k, m), k != m, are zero
        out = np.zeros((q, K, q, K))
        out[:, k, :, m] = blocks
        return out.reshape(q * K, q * K)
    return blocks.take(_block_index(q, K))


@cache
def _diagonal_pairs(K):
    """The positions of the pairs ``(k, k)`` among :func:`_upper_pairs`."""
    k, m = _upper_pairs(K)
    index = np.flatnonzero(k == m)
    index.flags.writeable = False
    return index


@cache
def _block_index(q, K):
    """Where each entry of the ``(q K, q K)`` Hessian lies in the ``(V, q,
    q)`` blocks of the pairs ``(k, m)``, ``k <= m``, of :func:`_upper_pairs`
    (one product of NumPy's in place of a scatter per triangle)."""
    pair = np.empty((K, K), dtype=np.intp)
    k, m = _upper_pairs(K)
    pair[k, m] = pair[m, k] = np.arange(len(k))
    a = np.arange(q)
    index = (pair[None, :, None, :] * q * q + a[:, None, None, None] * q
             + a[None, None, :, None])
    index = index.reshape(q * K, q * K)
    index.flags.writeable = False
    return index


# Entries of the rows' outer products at most (512 KiB), for RowProducts.
ROW_PRODUCTS = 1 << 16


def gram_source(X, mean, scale, fit_intercept, compiled=False):
    r"""``U -> weighted_grams(X, U, mean, scale, fit_intercept, compiled)``,
    for the measures of one fit, which all weigh the same :math:`\tilde X`:
    a :class:`RowProducts` of host ``X`` where it holds at most
    :data:`ROW_PRODUCTS` entries and no compiled pass is chosen."""
    if (not compiled and is_host(X) and not sp.issparse(X)
            and len(X) * RowProducts.width(X.shape[1] + int(fit_intercept)) <= ROW_PRODUCTS):
        return RowProducts(X, mean, scale, fit_intercept)
    return partial(weighted_grams, X, mean=mean, scale=scale, fit_intercept=fit_intercept,
                   compiled=compiled)


class RowProducts:
    r""":func:`weighted_grams` of a small dense ``X``, each call one product.

    The upper triangles of the rows' outer products :math:`\tilde x_i \tilde
    x_i^\top` are made once, one row per sample; each column's Gram matrix
    is then :math:`U^\top` times them
    (:func:`~sklearn_gd._reductions.transposed_product`, so in an order set
    by the shapes alone), where the products and the weighted copies would
    cost a small measure several times over. They take ``q (q + 1) / 2``
    entries a sample, for :math:`q` columns of :math:`\tilde X`.
    """

    @staticmethod
    def width(q):
        """The entries of one row's upper triangle."""
        return q * (q + 1) // 2

    def __init__(self, X, mean, scale, fit_intercept):
        p = X.shape[1]
        Xt = np.empty((X.shape[0], p + int(fit_intercept)))
        np.divide(np.asarray(X, dtype=np.float64) - mean, scale, out=Xt[:, :p])
        Xt[:, p:] = 1.0  # the intercept's column, with one
        self._q, upper = Xt.shape[1], _upper_pairs(Xt.shape[1])
        self._rows = Xt[:, upper[0]] * Xt[:, upper[1]]

    def __call__(self, U):
        triangles = transposed_product(U, self._rows)
        return triangles.take(_triangle_index(self._q), axis=1)


@cache
def _triangle_index(q):
    """Where each entry of a symmetric ``(q, q)`` matrix lies in its upper
    triangle, as :func:`_upper_pairs` lists it."""
    index = np.empty((q, q), dtype=np.intp)
    upper = _upper_pairs(q)
    index[upper] = index[upper[::-1]] = np.arange(len(upper[0]))
    index.flags.writeable = False
    return index


@cache
def _upper_pairs(K):
    """``np.triu_indices(K)``, read-only: it costs more than a small measure's
    products, and every measure of a fit asks for the same (the classes'
    pairs, and the columns' for :class:`RowProducts`)."""
    pairs = np.triu_indices(K)
    for index in pairs:
        index.flags.writeable = False
    return pairs


def weighted_grams(X, U, mean, scale, fit_intercept, compiled=False):
    r"""For each column :math:`u` of ``U``, :math:`\sum_i u_i \tilde x_i
    \tilde x_i^\top` with :math:`\tilde x_i = [(x_i - \mu) / s, 1]` (the 1
    with ``fit_intercept``): float64, of shape ``(U.shape[1], q, q)``.

    The sums run in an order set by ``X``'s shape alone
    (:func:`~sklearn_gd._reductions.transposed_product` over blocks of rows,
    each a dense float64 copy of the block alone; scipy's sparse products), so
    the matrices have the same bits on any number of threads. A sparse ``X``
    stays sparse: :math:`X^\top \mathrm{diag}(u) X` and :math:`X^\top u`,
    centered afterwards. With ``compiled`` (the objective's choice, by the
    problem's shape, as for its passes), a dense C-contiguous ``X`` takes
    the compiled pass (:func:`sklearn_gd._backends.kernels.weighted_grams`)
    where numba is installed.
    """
    if sp.issparse(X):
        return np.stack([_sparse_gram(X, u, mean, scale, fit_intercept) for u in U.T])
    kernels = _kernels() if compiled and is_host(X) and X.flags.c_contiguous else None
    if kernels is not None and X.dtype in (np.float32, np.float64):
        return kernels.weighted_grams(X, U, mean, scale, fit_intercept)
    q, V = X.shape[1] + int(fit_intercept), U.shape[1]
    out = np.zeros((V * q, q))
    for start, block in _dense_row_blocks(X, max(1, (1 << 17) // max(V * q, 1))):
        Xt = np.empty((len(block), q))
        np.divide(block - mean, scale, out=Xt[:, :X.shape[1]])
        Xt[:, X.shape[1]:] = 1.0  # the intercept's column, with one
        # Every column's weighted copy side by side: one product for all.
        weighted = U[start:start + len(block), :, None] * Xt[:, None, :]
        out += transposed_product(weighted.reshape(len(Xt), V * q), Xt)
    return out.reshape(V, q, q)


def _sparse_gram(X, u, mean, scale, fit_intercept):
    """:func:`weighted_grams` for one column ``u`` and a sparse ``X``."""
    p = X.shape[1]
    weighted = X.multiply(u[:, None])
    # The p x p product is small; it is written into a dense matrix entry by
    # entry, which no sparse matrix of X's shape ever is.
    product = (X.T @ weighted).tocoo()
    gram = np.zeros((p, p))
    np.add.at(gram, (product.row, product.col), product.data)
    first, total = np.asarray(weighted.sum(axis=0), dtype=np.float64).ravel(), u.sum()
    cross = np.multiply.outer(first, mean)
    gram += total * np.multiply.outer(mean, mean) - cross - cross.T
    gram /= np.multiply.outer(scale, scale)
    if not fit_intercept:
        return gram
    side = (first - total * mean) / scale
    return np.block([[gram, side[:, None]], [side[None, :], np.array([[total]])]])


def _dense_row_blocks(X, rows):
    """``(start, block)`` for blocks of ``rows`` rows of ``X``, each a dense
    float64 NumPy array (a dask chunk, or a slice of an array API array,
    brought to the host a block at a time)."""
    if is_dask(X):
        X, start = X.rechunk({1: -1}), 0
        for i in range(X.numblocks[0]):
            block = np.asarray(X.blocks[i].compute(), dtype=np.float64)
            yield start, block
            start += len(block)
        return
    n = X.shape[0]
    for start in range(0, n, rows):
        # Both axes, and no stop past the end: the array API asks for them.
        block = to_host(X[start:min(start + rows, n), :])
        yield start, np.asarray(block, dtype=np.float64)


def predictions(X, W, b):
    """The raw predictions ``X @ W + b`` (``b`` None: none) as a float64 NumPy
    array, wherever ``X`` lives (``W`` and ``b`` are NumPy)."""
    if is_host(X) or is_dask(X):
        Z = X @ W
    else:
        Z = X @ to_device(W, X)
    Z = np.asarray(to_host(Z), dtype=np.float64)
    return Z if b is None else Z + b


def log_frobenius_norm(X):
    """The log of ``||X||_F``, a bound on every row norm, from one BLAS pass
    where ``X``'s values lie in one block of memory (inf where they do not,
    or where the sum of squares overflows)."""
    values = X.data if sp.issparse(X) else X
    if not (is_host(values) and (values.flags.c_contiguous or values.flags.f_contiguous)):
        return np.inf
    flat = values.ravel(order="K")
    with np.errstate(over="ignore"):
        # A small X's sum in NumPy's own loop: it runs before the fit holds
        # the BLAS pool at one thread, and waking the pool for it costs a
        # small fit more than its whole descent does.
        small = flat.size < SMALL_SIZE
        squares = float(np.einsum("i,i->", flat, flat) if small else np.vdot(flat, flat))
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
