r"""Compiled fused gradient passes (numba), for the ``fast`` extra.

One pass over the rows of a dense, C-contiguous ``X`` computes, for one
output, :math:`z_i = x_i w + b` and at once accumulates

.. math::

    \sum_i s_i \ell(y_i, z_i), \qquad
    \sum_i s_i \partial_z \ell(y_i, z_i)\, x_i, \qquad
    \sum_i s_i \partial_z \ell(y_i, z_i),

so that each row of ``X`` is read from memory once, while it is still in the
cache, where numpy's ``X @ w`` then ``X.T @ r`` read it twice. The rows are
cut into chunks of a size set by the shape of ``X``, each summed on its own,
the chunks' sums added in order, and the chunks shared among threads of our
own (the kernel releases the GIL): the result has the same bits on any number
of threads. Our own threads avoid numba's threading layers, whose workqueue
layer aborts when two threads launch kernels at once, as
``GridSearchCV(n_jobs)`` with threads does.

Importing this module imports numba; :mod:`sklearn_gd._backends.passes` does so only
when numba is installed.
"""

import math
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from .._reductions import BLAS_ONE_PRODUCT

# Reassociation lets LLVM vectorize the dot products and sums; no "nnan" or
# "ninf", so that an overflowing step still gives inf and NaN, which is how
# the loop sees divergence. error_model="numpy" drops Python's zero-division
# check, whose branch kept every loop with a division from vectorizing.
_FASTMATH = {"reassoc", "contract"}

SQUARED, LOGISTIC = 0, 1
# The kernel a loss names (its ``kernel`` attribute), by its code here.
MULTINOMIAL = 2
KINDS = {"squared": SQUARED, "logistic": LOGISTIC, "multinomial": MULTINOMIAL}
# Rows per block: at most 256 (the buffers of predictions and residuals), and
# few enough that the block of X, 128 KiB, is still in the L2 cache (512 KiB
# to 2 MiB a core today) for its second, gradient read. Wide rows (1000
# float64 features) make blocks of 16 rows.
_BLOCK = 256
_BLOCK_BYTES = 1 << 17
# Rows per chunk, the unit of the sums that threads share: about 1 MiB of X
# (smaller data is one chunk, summed by one thread). Set by the shape of X
# alone, never by the thread count, so every reduction has one fixed order.
_CHUNK_BYTES = 1 << 20

# exp(t) = 2^k e^r with k = round(t / ln 2) and |r| <= ln(2) / 2, e^r by its
# Taylor polynomial to degree 12 (the next term is below 2e-16 relative);
# ln 2 in two parts (Cody and Waite) so that r is exact.
_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_EXP_TERMS = tuple(1.0 / math.factorial(k) for k in range(12, -1, -1))
# log(1 + e) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = e / (2 + e) <= 1/3
# for e in [0, 1]: 18 terms leave (1/9)^18 < 1e-17 relative.
_ATANH_TERMS = tuple(1.0 / (2 * k + 1) for k in range(17, -1, -1))
# Below e^-708 the exponential is subnormal; e^-708 is zero to the loss and the
# sigmoid at float64 precision, and it keeps 2^k a normal number.
_EXP_FLOOR = -708.0


@intrinsic
def _prefetch(typingctx, array, indices):  # pragma: no cover (compiled)
    """Ask the processor to fetch the cache line of ``array[indices]`` (LLVM's
    prefetch: a hint, which changes no result)."""
    signature = numba.types.void(array, indices)

    def codegen(context, builder, sig, args):
        array_type, index_type = sig.args
        view = context.make_array(array_type)(context, builder, args[0])
        index = cgutils.unpack_tuple(builder, args[1], len(index_type))
        pointer = cgutils.get_item_pointer(context, builder, array_type, view, index,
                                           wraparound=False)
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]),
            "llvm.prefetch.p0i8")
        # A read, kept in every level of the cache, of data.
        builder.call(function, [builder.bitcast(pointer, byte_pointer), ir.Constant(i32, 0),
                                ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return signature, codegen


# The polynomials' Horner schemes are written out: numba compiles a loop over
# the coefficients (even a tuple's, with literal_unroll) to code 4 times slower.


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _exp_poly(x, c):  # pragma: no cover (compiled)
    """``sum(c[k] x^(12-k))``, the 13 coefficients ``c`` highest degree first."""
    acc = c[0]
    acc = acc * x + c[1]
    acc = acc * x + c[2]
    acc = acc * x + c[3]
    acc = acc * x + c[4]
    acc = acc * x + c[5]
    acc = acc * x + c[6]
    acc = acc * x + c[7]
    acc = acc * x + c[8]
    acc = acc * x + c[9]
    acc = acc * x + c[10]
    acc = acc * x + c[11]
    acc = acc * x + c[12]
    return acc


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _atanh_poly(x, c):  # pragma: no cover (compiled)
    """``sum(c[k] x^(17-k))``, the 18 coefficients ``c`` highest degree first."""
    acc = c[0]
    acc = acc * x + c[1]
    acc = acc * x + c[2]
    acc = acc * x + c[3]
    acc = acc * x + c[4]
    acc = acc * x + c[5]
    acc = acc * x + c[6]
    acc = acc * x + c[7]
    acc = acc * x + c[8]
    acc = acc * x + c[9]
    acc = acc * x + c[10]
    acc = acc * x + c[11]
    acc = acc * x + c[12]
    acc = acc * x + c[13]
    acc = acc * x + c[14]
    acc = acc * x + c[15]
    acc = acc * x + c[16]
    acc = acc * x + c[17]
    return acc


@numba.njit(fastmath=_FASTMATH, error_model="numpy", nogil=True, cache=True)
def _exp_nonpositive(x, scale_bits):  # pragma: no cover (compiled)
    """``x[k] = exp(x[k])`` for ``x <= 0``, in place, in loops that LLVM
    vectorizes: the C library's ``exp`` and ``log1p`` are scalar calls and
    would cost more than reading the row. (In place, because with separate
    input and output arrays that may overlap, LLVM checks at run time and
    takes its scalar loop when they do.)"""
    m = x.shape[0]
    for k in range(m):
        t = max(x[k], _EXP_FLOOR)
        n = np.floor(t * _LOG2E + 0.5)
        r = (t - n * _LN2_HI) - n * _LN2_LO
        x[k] = _exp_poly(r, _EXP_TERMS)
        scale_bits[k] = (np.int64(n) + 1023) << 52  # the bits of 2.0 ** n
    scale = scale_bits[:m].view(np.float64)
    for k in range(m):
        x[k] *= scale[k]


@numba.njit(fastmath=_FASTMATH, error_model="numpy", nogil=True, cache=True)
def _loss_block(kind, z, y, sw, d, bits):  # pragma: no cover (compiled)
    """Turn the predictions ``z`` of a block into ``d = sw * dloss/dz``;
    return the block's ``sum(sw * loss)`` and ``sum(d)``. Overwrites ``z``. One loop per loss,
    with no branch inside: each sample's work is then a short chain of
    multiply-adds that the processor overlaps across samples."""
    m = z.shape[0]
    value, grad_b = 0.0, 0.0
    if kind == SQUARED:
        for k in range(m):
            r = z[k] - y[k]
            d[k] = sw[k] * r
            value += sw[k] * (0.5 * r * r)
            grad_b += d[k]
        return value, grad_b
    # log(1 + e^z) - y z and sigmoid(z) - y, both from e = exp(-|z|) <= 1:
    # no overflow for any z.
    for k in range(m):
        d[k] = -abs(z[k])
    _exp_nonpositive(d[:m], bits)
    for k in range(m):
        e, zk = d[k], z[k]
        s = e / (2.0 + e)
        loss = 2.0 * s * _atanh_poly(s * s, _ATANH_TERMS) + max(zk, 0.0) - y[k] * zk
        d[k] = sw[k] * ((1.0 if zk >= 0.0 else e) / (1.0 + e) - y[k])
        z[k] = sw[k] * loss  # z is spent: it holds the weighted losses now
    # The sums in a loop of their own, so that the loop above has none and
    # vectorizes whole.
    for k in range(m):
        value += z[k]
        grad_b += d[k]
    return value, grad_b


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _predict_block(X, w, b, first, m, z):  # pragma: no cover (compiled)
    """``z[k] = X[first + k] @ w + b`` for ``k < m``, four rows at a time:
    one pass over ``w`` serves four rows, and each row's loop overhead and
    final horizontal sum are shared four ways."""
    p, zero = X.shape[1], X.dtype.type(0)
    k = 0
    while k + 4 <= m:
        i = first + k
        a0 = a1 = a2 = a3 = zero
        for j in range(p):
            a0 += X[i, j] * w[j]
            a1 += X[i + 1, j] * w[j]
            a2 += X[i + 2, j] * w[j]
            a3 += X[i + 3, j] * w[j]
        z[k], z[k + 1], z[k + 2], z[k + 3] = a0 + b, a1 + b, a2 + b, a3 + b
        k += 4
    for k in range(k, m):
        acc = zero
        for j in range(p):
            acc += X[first + k, j] * w[j]
        z[k] = acc + b


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _gradient_block(X, d, first, m, block):  # pragma: no cover (compiled)
    """``block += X[first:first + m].T @ d[:m]``, four rows at a time, so that
    each load and store of ``block`` serves four rows."""
    p, dtype = X.shape[1], X.dtype.type
    k = 0
    while k + 4 <= m:
        i = first + k
        d0, d1, d2, d3 = dtype(d[k]), dtype(d[k + 1]), dtype(d[k + 2]), dtype(d[k + 3])
        for j in range(p):
            block[j] += d0 * X[i, j] + d1 * X[i + 1, j] + d2 * X[i + 2, j] + d3 * X[i + 3, j]
        k += 4
    for k in range(k, m):
        dk = dtype(d[k])
        for j in range(p):
            block[j] += dk * X[first + k, j]


@numba.njit(fastmath=_FASTMATH, error_model="numpy", nogil=True, cache=True)
def _fused_rows(X, y, sw, w, b, kind, start, stop, out):  # pragma: no cover (compiled)
    """Accumulate rows ``start:stop`` into ``out = [grad_w..., grad_b, value]``.

    Block by block: the predictions (one read of the rows), the loss and its
    derivative in float64, then the block's gradient (a second read, from the
    cache). The gradient is summed in the dtype of ``X`` within a block and
    in float64 across blocks, as are the value and the intercept's gradient:
    float32 sums over a million rows would lose five digits.
    """
    p = X.shape[1]
    # Row arithmetic in the dtype of X: a float64 operand would turn float32
    # rows into float64 arithmetic, twice as slow.
    zero = X.dtype.type(0)
    grad, block = out[:p], np.zeros(p, dtype=X.dtype)
    grad[:] = 0.0  # summed in place, as the CSR rows are
    z, d, yb, wb = np.empty(_BLOCK), np.empty(_BLOCK), np.empty(_BLOCK), np.empty(_BLOCK)
    bits = np.empty(_BLOCK, dtype=np.int64)
    grad_b, value = 0.0, 0.0
    rows = max(1, min(_BLOCK, _BLOCK_BYTES // (p * X.itemsize + 1)))
    for first in range(start, stop, rows):
        m = min(rows, stop - first)
        _predict_block(X, w, b, first, m, z)
        for k in range(m):
            # float64 copies: the loss works in float64 whatever the dtype of X.
            yb[k], wb[k] = y[first + k], sw[first + k]
        v, gb = _loss_block(kind, z[:m], yb[:m], wb[:m], d[:m], bits)
        value += v
        grad_b += gb
        _gradient_block(X, d, first, m, block)
        for j in range(p):
            grad[j] += block[j]
            block[j] = zero
    out[p] = grad_b
    out[p + 1] = value


@numba.njit(fastmath=_FASTMATH, error_model="numpy", nogil=True, cache=True)
def _fused_chunks(X, y, sw, w, b, kind, rows, first, last, parts, fold):  # pragma: no cover
    """Chunks ``first:last`` of ``rows`` rows each, into ``parts`` as
    :func:`_part` says."""
    n = X.shape[0]
    for c in range(first, last):
        start = c * rows
        _fused_rows(X, y, sw, w, b, kind, start, min(start + rows, n),
                    parts[_part(first, c, fold)])
        _fold(parts, first, c, fold)


@numba.njit(error_model="numpy", nogil=True, inline="always", cache=True)
def _part(first, c, fold):  # pragma: no cover (compiled)
    """The row of ``parts`` that chunk ``c`` of a share ``first:`` writes:
    its own; or, where the share folds its chunks as it goes, the first
    chunk's own, then the row after it (a scratch, hot in the cache)."""
    return c if not fold or c == first else first + 1


@numba.njit(error_model="numpy", nogil=True, inline="always", cache=True)
def _fold(parts, first, c, fold):  # pragma: no cover (compiled)
    """With ``fold``, add chunk ``c``'s row, just written, to the share's
    running sum in ``parts[first]``: the chunks' sum in chunk order, as
    :func:`_summed_chunks` adds the other shares' rows after them."""
    if fold and c > first:
        total, part = parts[first], parts[first + 1]
        for j in range(total.shape[0]):
            total[j] += part[j]


@cache
def _executor(n_threads):
    return ThreadPoolExecutor(max_workers=n_threads, thread_name_prefix="sklearn_gd")


def chunk_rows(n_features, itemsize):
    """The rows of a chunk: about ``_CHUNK_BYTES`` of ``X``, whatever the threads."""
    return max(1, _CHUNK_BYTES // (n_features * itemsize + 1))


def _summed_chunks(chunks, args, X, width, n_threads, rows=None):
    """Run the compiled ``chunks(*args, rows, first, last, parts, fold)``
    over the chunks of ``X``'s rows (``rows`` each, by default
    :func:`chunk_rows`), each into its own row of ``parts`` (``width``
    numbers), shared by up to ``n_threads`` threads; return their sum, added
    in chunk order, so the bits do not depend on the threads.

    The calling thread's share, the first, folds its chunks into ``parts[0]``
    as it goes (:func:`_fold`), while each row is in the cache: summed after
    the pass, a twelfth of a megabyte a chunk came back from memory (0.2 ms
    of a 6 ms CSR pass on one thread). The other shares' rows follow it in
    order.
    """
    rows = chunk_rows(X.shape[1], X.itemsize) if rows is None else rows
    n_chunks = -(-X.shape[0] // rows)
    parts = np.empty((n_chunks, width))  # each chunk writes its whole row
    threads = max(1, min(n_threads, n_chunks))
    # Integers: np.linspace here cost 0.2-0.4 ms a CSR pass, measured in place.
    bounds = [n_chunks * k // threads for k in range(threads + 1)]
    # The calling thread takes the first share itself: it would only wait,
    # and a pool's thread takes tens of microseconds to wake.
    jobs = [_executor(threads - 1).submit(chunks, *args, rows, bounds[k], bounds[k + 1],
                                          parts, False)
            for k in range(1, threads)]
    chunks(*args, rows, 0, bounds[1], parts, True)
    for job in jobs:
        job.result()
    total = parts[0]
    for c in range(bounds[1], n_chunks):
        total += parts[c]
    return total


def fused_pass(X, y, sw, w, b, kind, n_threads=1):
    """``(value, grad_w, grad_b)`` of one output's loss ``kind`` over all rows.

    ``X`` dense and C-contiguous, ``y``, ``sw`` and ``w`` 1-D in the dtype of
    ``X``; ``b`` a float. The rows are cut into chunks of a size set by the
    shape of ``X`` alone (:func:`chunk_rows`), each summed on its own and the
    chunks' sums added in chunk order; ``n_threads`` threads share the
    chunks. So the result has the same bits on any number of threads, in
    any pool, whichever thread finishes first.
    """
    p = X.shape[1]
    total = _summed_chunks(_fused_chunks, (X, y, sw, w, float(b), kind), X, p + 2,
                           n_threads)
    return float(total[p + 1]), total[:p].astype(X.dtype), float(total[p])


# The farthest, in standard deviations, that the moments' reference point may
# lie from the mean: the variance's sums then lose at most 6 of 16 digits.
_MOMENT_SHIFT = 1e3


# No reassociation: each column's sums run down the rows in order, and the
# loop over the columns vectorizes without it.
@numba.njit(error_model="numpy", nogil=True, cache=True)
def _moment_chunks(X, v, ref, rows, first, last, parts, fold):  # pragma: no cover
    """Chunk ``c`` of ``rows`` rows into ``[sum v, sum v d, sum v d^2]``,
    ``d = x - ref`` per column, in float64; into ``parts`` as :func:`_part`
    says."""
    n, p = X.shape
    s1, s2 = np.empty(p), np.empty(p)
    for c in range(first, last):
        s1[:] = 0.0
        s2[:] = 0.0
        mass = 0.0
        for i in range(c * rows, min(c * rows + rows, n)):
            w = np.float64(v[i])
            mass += w
            for j in range(p):
                d = np.float64(X[i, j]) - ref[j]
                s1[j] += w * d
                s2[j] += w * d * d
        r = _part(first, c, fold)
        parts[r, 0] = mass
        parts[r, 1:p + 1] = s1
        parts[r, p + 1:] = s2
        _fold(parts, first, c, fold)


def column_moments(X, v, center, n_threads=1):
    r"""``(mean, spread)`` of the columns of dense, C-contiguous ``X`` under
    the weights ``v`` (summing to one), in one read of ``X``, as
    :func:`sklearn_gd._backends.arrays.column_moments`.

    The sums are taken about a reference ``r``, the weighted mean of about
    1024 rows spread over ``X`` (zero without ``center``):
    :math:`\mu = r + S_1 / m` and :math:`\sigma^2 = S_2 / m - (S_1 / m)^2`
    (the root mean square :math:`\sqrt{S_2 / m}` without ``center``). A
    column of large values with a small spread (dates as ordinals) is summed
    about a point near its mean, and keeps its digits; where the reference
    lies more than :data:`_MOMENT_SHIFT` standard deviations from the mean,
    the sums are taken once more, about the mean. Chunked as
    :func:`fused_pass`: the same bits on any number of threads.
    """
    n, p = X.shape
    v = np.asarray(v, dtype=np.float64)
    if not center:
        total = _summed_chunks(_moment_chunks, (X, v, np.zeros(p)), X, 2 * p + 1, n_threads)
        return np.zeros(p), np.sqrt(total[p + 1:] / total[0])
    sample = slice(None, None, max(1, n // 1024))
    # einsum, not a BLAS product, whose sums could follow the thread count.
    ref = (np.einsum("i,ij->j", v[sample], np.array(X[sample], dtype=np.float64))
           / max(float(v[sample].sum()), np.finfo(float).tiny))
    for _ in range(2):
        total = _summed_chunks(_moment_chunks, (X, v, ref), X, 2 * p + 1, n_threads)
        shift = total[1:p + 1] / total[0]
        variance = np.maximum(total[p + 1:] / total[0] - shift * shift, 0.0)
        # Summed about a point far from the mean (the sample missed an
        # outlier's column), the variance lost digits: once more about the mean.
        if np.all(shift * shift <= _MOMENT_SHIFT**2 * variance):
            break
        ref = ref + shift
    return ref + shift, np.sqrt(variance)


# Rows per block of the curvature's Gram matrices: the block's standardized
# columns (features by rows) stay in the L1 cache for every pair of columns.
_GRAM_ROWS = 128


@numba.njit(fastmath=_FASTMATH, error_model="numpy", nogil=True, cache=True)
def _gram_rows(X, U, mean, scale, intercept, out):  # pragma: no cover (compiled)
    """``out[v] += sum_i U[i, v] x_i x_i^T``, upper triangles, with ``x_i =
    [(X[i] - mean) / scale, 1]`` (the 1 with ``intercept``): a block of
    rows at a time, transposed, so that each entry is a dot product along
    the block's rows, in float64."""
    n, p = X.shape
    V, q = U.shape[1], p + intercept
    Xt, weighted = np.empty((q, _GRAM_ROWS)), np.empty(_GRAM_ROWS)
    for first in range(0, n, _GRAM_ROWS):
        m = min(_GRAM_ROWS, n - first)
        for r in range(m):
            for a in range(p):
                Xt[a, r] = (X[first + r, a] - mean[a]) / scale[a]
        Xt[p:, :m] = 1.0
        for v in range(V):
            for a in range(q):
                for r in range(m):
                    weighted[r] = U[first + r, v] * Xt[a, r]
                for b in range(a, q):
                    total = 0.0
                    for r in range(m):
                        total += weighted[r] * Xt[b, r]
                    out[v, a, b] += total


def weighted_grams(X, U, mean, scale, fit_intercept):
    """:func:`sklearn_gd._backends.arrays.weighted_grams` for a dense,
    C-contiguous ``X``: one compiled pass over the rows, without the
    ``n x V x q`` array of weighted copies that BLAS products need, in an
    order set by the shape alone. Three to four times quicker than the
    products, whose size a fixed order caps, on a few thousand rows of many
    classes."""
    q = X.shape[1] + int(fit_intercept)
    out = np.zeros((U.shape[1], q, q))
    _gram_rows(X, np.ascontiguousarray(U, dtype=np.float64), mean.astype(np.float64),
               scale.astype(np.float64), int(fit_intercept), out)
    upper = np.triu(np.ones((q, q), dtype=bool), 1)
    out.transpose(0, 2, 1)[:, upper] = out[:, upper]
    return out


def _as_float64(a):  # pragma: no cover (typed below)
    """``a`` in float64: itself where it is, else a copy."""


@overload(_as_float64, inline="always")
def _as_float64_typed(a):  # pragma: no cover (compiled)
    if a.dtype == types.float64:
        return lambda a: a
    return lambda a: a.astype(np.float64)


@numba.njit(fastmath=_FASTMATH, error_model="numpy", nogil=True, cache=True)
def _softmax_block(Zt, b, labels, sw, first, E, top, total, bits):  # pragma: no cover
    """Turn the scores ``Zt`` (classes by rows) of a block, intercepts
    ``b`` added here, into ``E = sw * (softmax - one-hot)``; return the
    block's ``sum(sw * loss)``. Every loop runs along the block's rows,
    long and contiguous, where the classes are a few: LLVM vectorizes them
    all, which a loop over each row's few classes never is."""
    n_classes, m = Zt.shape
    top[:m] = -np.inf
    for k in range(n_classes):
        for r in range(m):
            Zt[k, r] += b[k]
            top[r] = max(top[r], Zt[k, r])
    for k in range(n_classes):
        for r in range(m):
            E[k, r] = Zt[k, r] - top[r]  # <= 0
    _exp_nonpositive(E.ravel(), bits)
    total[:m] = 0.0
    for k in range(n_classes):
        for r in range(m):
            total[r] += E[k, r]
    value = 0.0
    for r in range(m):
        label, weight = labels[first + r], sw[first + r]
        # log sum_k exp(z_k) - z_label, shifted by the row's largest score.
        value += weight * (np.log(total[r]) - (Zt[label, r] - top[r]))
        total[r] = weight / total[r]
    for k in range(n_classes):
        for r in range(m):
            E[k, r] *= total[r]
    for r in range(m):
        E[labels[first + r], r] -= sw[first + r]
    return value


@numba.njit(fastmath=_FASTMATH, error_model="numpy", nogil=True, cache=True)
def _multinomial_rows(X, labels, sw, Wt, b, start, stop, out):  # pragma: no cover
    """Accumulate rows ``start:stop`` of the softmax loss into ``out = [grad_W.T
    (row-major)..., grad_b..., value]``, with ``Wt = W.T``.

    Block by block, as :func:`_fused_rows`: the block's scores by one
    matrix product, the softmax (:func:`_softmax_block`), then the block's
    gradient by a second product, its rows read again from the cache; all
    in float64. Each product is within
    :data:`~sklearn_gd._reductions.BLAS_ONE_PRODUCT` multiply-adds, which
    BLAS runs on one thread whatever its pool, so its bits are set by the
    shape alone. The products are BLAS's own: with them the pass takes half
    the time it took with compiled loops over each row's few classes and
    features (2000 rows, 18 features, 7 classes: 73 us against 140).
    """
    n_classes, p = Wt.shape
    rows = max(1, min(_BLOCK, _BLOCK_BYTES // (p * X.itemsize + 1),
                      BLAS_ONE_PRODUCT // (p * n_classes)))
    E = np.empty((n_classes, rows))
    bits = np.empty(n_classes * rows, dtype=np.int64)
    top, total = np.empty(rows), np.empty(rows)
    grad = np.zeros((n_classes, p))
    grad_b = np.zeros(n_classes)
    value = 0.0
    for first in range(start, stop, rows):
        m = min(rows, stop - first)
        Xb = _as_float64(X[first:first + m])
        Eb = E if m == rows else np.empty((n_classes, m))
        value += _softmax_block(Wt @ Xb.T, b, labels, sw, first, Eb, top, total, bits)
        for k in range(n_classes):
            grad_b[k] += Eb[k].sum()
        grad += Eb @ Xb
    out[: p * n_classes] = grad.ravel()
    out[p * n_classes: p * n_classes + n_classes] = grad_b
    out[-1] = value


@numba.njit(fastmath=_FASTMATH, error_model="numpy", nogil=True, cache=True)
def _multinomial_chunks(X, labels, sw, Wt, b, rows, first, last, parts,
                        fold):  # pragma: no cover (compiled)
    n = X.shape[0]
    for c in range(first, last):
        start = c * rows
        _multinomial_rows(X, labels, sw, Wt, b, start, min(start + rows, n),
                          parts[_part(first, c, fold)])
        _fold(parts, first, c, fold)


def multinomial_pass(X, labels, sw, W, b, n_threads=1):
    """``(value, grad_W, grad_b)`` of the softmax cross-entropy over all rows.

    ``X`` dense and C-contiguous, ``labels`` integer class indices, ``sw``
    the weights, ``W`` of shape ``(n_features, n_classes)``, ``b`` the
    intercepts (zeros without). Chunks of a size set by the shape of ``X``,
    summed in order, shared by ``n_threads`` threads, as :func:`fused_pass`.
    """
    p, n_classes = W.shape
    Wt = np.ascontiguousarray(W.T, dtype=np.float64)
    args = (X, labels, sw, Wt, np.asarray(b, dtype=np.float64))
    total = _summed_chunks(_multinomial_chunks, args, X, p * n_classes + n_classes + 1,
                           n_threads)
    grad_W = total[: p * n_classes].reshape(n_classes, p).T.astype(X.dtype)
    return float(total[-1]), grad_W, total[p * n_classes:-1].astype(X.dtype)


# A CSR chunk holds about this many bytes of entries (values and column
# indices): four times a dense chunk, since each chunk sums a gradient as
# long as a row of X, and a sparse row is short beside it.
_CSR_CHUNK_BYTES = 1 << 22
# A cache line, the unit of a prefetch.
_LINE_BYTES = 64
# Below this many entries a row, on average over a block, the block's rows
# take one loop over its entries instead of a loop each: the rows' two loop
# exits a row cost more than their entries (5 entries a row: 2.8 -> 1.5 X @ w;
# 9: 2.6 -> 1.8; 17: 11% slower in one loop; 38: 1.3 row by row, 2.3 in one).
_SHORT_ROWS = 12


# Unsigned indices spare numba the check for a negative index on every
# load. Reassociated, so that LLVM sums a row in vector lanes: it gathers w
# where the processor's gathers are fast (AVX-512, or AVX2 with fast
# gathers) and loads it entry by entry elsewhere. On the text-like matrix
# (38 entries a row), against four scalar accumulators, a pass on one thread
# took 0.87 of the time with gathers, 0.91 with AVX2 code without them (both
# on one Xeon). The lanes are set by the compiled code, never by the
# threads. One call a block: numba's own inlining would drop the fastmath
# flags, and a call a row cost a millisecond a pass.
@numba.njit(fastmath={"reassoc"}, error_model="numpy", nogil=True, cache=True)
def _rows_products(data, indices, indptr, w, first, m, z):  # pragma: no cover (compiled)
    """``z[k] = X[first + k] @ w`` for ``k < m``, each summed in float64
    (positions int64: numba would add an unsigned 64-bit position and a
    literal in float64)."""
    for k in range(m):
        total = 0.0
        for q in range(np.int64(indptr[first + k]), np.int64(indptr[first + k + 1])):
            total += data[q] * w[indices[q]]
        z[k] = total


# Unrolled by four, each entry's update made whole before the next is read,
# so that a row that names a column twice (a CSR matrix need not be
# canonical) still adds both.
@numba.njit(error_model="numpy", nogil=True, inline="always", cache=True)
def _csr_scatter(data, indices, start, end, d, grad):  # pragma: no cover (compiled)
    """``grad[indices[q]] += d * data[q]`` over ``start <= q < end``, in order."""
    quad = start + (end - start) // 4 * 4
    for q in range(start, quad, 4):
        # The four entries read before the updates: LLVM cannot tell that
        # the stores to grad leave data untouched, and read in turn, each
        # value waited for the store before it.
        i0, i1, i2, i3 = indices[q], indices[q + 1], indices[q + 2], indices[q + 3]
        x0, x1, x2, x3 = d * data[q], d * data[q + 1], d * data[q + 2], d * data[q + 3]
        grad[i0] += x0
        grad[i1] += x1
        grad[i2] += x2
        grad[i3] += x3
    for q in range(quad, end):
        grad[indices[q]] += d * data[q]


@numba.njit(error_model="numpy", nogil=True, inline="always", cache=True)
def _line_entries(data, indices):  # pragma: no cover (compiled)
    """The entries of a cache line of the wider of two arrays: a prefetch of
    both every this many entries asks for every line of each."""
    return _LINE_BYTES // max(data.itemsize, indices.itemsize)


@numba.njit(error_model="numpy", nogil=True, inline="always", cache=True)
def _fetch_lines(data, indices, start, lines):  # pragma: no cover (compiled)
    """Prefetch ``lines`` cache lines of both arrays' entries from ``start``
    on; return where they end."""
    step = _line_entries(data, indices)
    for q in range(start, start + lines * step, step):
        _prefetch(data, (q,))
        _prefetch(indices, (q,))
    return start + lines * step


@numba.njit(error_model="numpy", nogil=True, inline="always", cache=True)
def _rows_scatter(data, indices, indptr, first, m, d, grad):  # pragma: no cover (compiled)
    """``grad += X[first:first + m].T @ d[:m]``, row by row, while the next
    block's entries are prefetched: the scatter reads no memory, and without
    the hint the memory would idle through it, then stall the next block's
    products (a fifth of the pass)."""
    # As many of the next block's lines for each row, a count the branch
    # predictor learns (a row's own lines would be a new count each row).
    fetched = np.int64(indptr[first + m])
    lines = ((np.int64(indptr[min(first + 2 * m, indptr.shape[0] - 1)]) - fetched)
             // (m * _line_entries(data, indices)))
    for k in range(m):
        i = first + k
        fetched = _fetch_lines(data, indices, fetched, lines)
        _csr_scatter(data, indices, np.int64(indptr[i]), np.int64(indptr[i + 1]), d[k], grad)


@numba.njit(error_model="numpy", nogil=True, inline="always", cache=True)
def _row_ids(indptr, first, m, lo, hi, ids):  # pragma: no cover (compiled)
    """``ids[t] = k`` for the entry ``lo + t`` of row ``first + k``, with no
    branch a row: a mark at each row's first entry (an empty row's mark falls
    on the next row's, or past the last entry), then the marks' running count."""
    for t in range(hi - lo + 1):
        ids[t] = 0
    for k in range(1, m):
        ids[np.int64(indptr[first + k]) - lo] += 1
    count = 0
    for t in range(hi - lo):
        count += ids[t]
        ids[t] = count


@numba.njit(error_model="numpy", nogil=True, inline="always", cache=True)
def _flat_products(data, indices, w, lo, hi, ids, z):  # pragma: no cover (compiled)
    """``z[ids[t]] += data[q] * w[indices[q]]``, ``q = lo + t``, in one loop
    over the block's entries: each row's sum in entry order."""
    for t in range(hi - lo):
        z[ids[t]] += data[lo + t] * w[indices[lo + t]]


@numba.njit(error_model="numpy", nogil=True, inline="always", cache=True)
def _flat_scatter(data, indices, lo, hi, ids, d, grad):  # pragma: no cover (compiled)
    """``grad[indices[q]] += d[ids[t]] * data[q]``, ``q = lo + t``, in order."""
    for t in range(hi - lo):
        grad[indices[lo + t]] += d[ids[t]] * data[lo + t]


@numba.njit(error_model="numpy", nogil=True, inline="always", cache=True)
def _equal_rows(indptr, first, m, lo, hi):  # pragma: no cover (compiled)
    """The entries of each of the rows ``first:first + m`` (entries
    ``lo:hi``) where all have as many, as one-hot rows do; else -1."""
    length = (hi - lo) // m
    if hi - lo != m * length:
        return -1
    for k in range(1, m):
        if np.int64(indptr[first + k]) != lo + k * length:
            return -1
    return length


@numba.njit(error_model="numpy", nogil=True, inline="always", cache=True)
def _equal_products(data, indices, w, lo, m, length, z):  # pragma: no cover (compiled)
    """:func:`_flat_products` for ``m`` rows of ``length`` entries each, a
    loop a row whose count the branch predictor learns (the same sums).

    One-hot rows of 5 entries (2e5 x 1267): a pass on one thread took 2.5
    ms in one loop over the entries, 2.0 ms here, where scipy's ``X @ w``
    takes 0.6. The loops count from zero: from ``start`` to ``start +
    length``, numba's range cost the pass 0.5 ms of it."""
    for k in range(m):
        start = lo + k * length
        total = 0.0  # in float64, as the flat loop's sums in z
        for t in range(length):
            total += data[start + t] * w[indices[start + t]]
        z[k] = total


@numba.njit(error_model="numpy", nogil=True, inline="always", cache=True)
def _equal_scatter(data, indices, lo, m, length, d, grad):  # pragma: no cover (compiled)
    """:func:`_flat_scatter` for ``m`` rows of ``length`` entries each."""
    for k in range(m):
        start, dk = lo + k * length, d[k]
        for t in range(length):
            grad[indices[start + t]] += dk * data[start + t]


@numba.njit(error_model="numpy", nogil=True, cache=True)
def _csr_rows(data, indices, indptr, y, sw, w, b, kind, start, stop,
              out):  # pragma: no cover (compiled)
    """Accumulate CSR rows ``start:stop`` into ``out = [grad_w..., grad_b, value]``.

    As :func:`_fused_rows`, block by block: each row's prediction, a
    gather of ``w`` over its entries (one read of them); the loss and its
    derivative in float64; then the entries again, from the cache, scattered
    into the gradient (float64). A block of short rows (fewer than
    :data:`_SHORT_ROWS` entries on average) runs each step as one loop over
    its entries, each entry knowing its row, where row by row a loop's exit
    each row (a mispredicted branch) cost more than the row's entries; or,
    where its rows all have one length (one-hot rows), a loop a row of that
    length, which the branch predictor learns (the same sums, in the same
    order).
    """
    p = w.shape[0]
    # Summed in place: out's row is the fold's scratch, in the cache.
    grad = out[:p]
    grad[:] = 0.0
    z, d, yb, wb = np.empty(_BLOCK), np.empty(_BLOCK), np.empty(_BLOCK), np.empty(_BLOCK)
    bits = np.empty(_BLOCK, dtype=np.int64)
    ids = np.empty(_BLOCK * _SHORT_ROWS, dtype=np.int32)
    grad_b, value = 0.0, 0.0
    for first in range(start, stop, _BLOCK):
        m = min(_BLOCK, stop - first)
        lo, hi = np.int64(indptr[first]), np.int64(indptr[first + m])
        flat = hi - lo < m * _SHORT_ROWS
        length = _equal_rows(indptr, first, m, lo, hi) if flat else -1
        if length >= 0:
            _equal_products(data, indices, w, lo, m, length, z)
        elif flat:
            _row_ids(indptr, first, m, lo, hi, ids)
            z[:m] = 0.0
            _flat_products(data, indices, w, lo, hi, ids, z)
        else:
            _rows_products(data, indices, indptr, w, first, m, z)
        for k in range(m):
            i = first + k
            z[k] += b
            yb[k], wb[k] = y[i], sw[i]
        v, gb = _loss_block(kind, z[:m], yb[:m], wb[:m], d[:m], bits)
        value += v
        grad_b += gb
        if length >= 0:
            _equal_scatter(data, indices, lo, m, length, d, grad)
        elif flat:
            _flat_scatter(data, indices, lo, hi, ids, d, grad)
        else:
            _rows_scatter(data, indices, indptr, first, m, d, grad)
    out[p] = grad_b
    out[p + 1] = value


@numba.njit(error_model="numpy", nogil=True, cache=True)
def _csr_chunks(data, indices, indptr, y, sw, w, b, kind, rows, first, last,
                parts, fold):  # pragma: no cover (compiled)
    n = indptr.shape[0] - 1
    for c in range(first, last):
        start = c * rows
        _csr_rows(data, indices, indptr, y, sw, w, b, kind, start, min(start + rows, n),
                  parts[_part(first, c, fold)])
        _fold(parts, first, c, fold)


def _unsigned(index):
    """A view of a non-negative index array as unsigned integers of its size."""
    return index.view(np.uint32 if index.itemsize == 4 else np.uint64)


def csr_chunk_rows(n_rows, n_entries, entry_bytes):
    """The rows of a CSR chunk: equal chunks, one or a multiple of four of
    them, each about :data:`_CSR_CHUNK_BYTES` of entries."""
    count = -(-n_entries * entry_bytes // _CSR_CHUNK_BYTES)
    # Two or four threads then share the chunks evenly: eleven chunks, the
    # last one short, left one of two threads 8% more work, and both waited.
    count = count if count <= 1 else -(-count // 4) * 4
    return max(1, -(-n_rows // max(count, 1)))


def csr_pass(X, y, sw, w, b, kind, n_threads=1):
    """:func:`fused_pass` for a CSR ``X``: each entry read once from memory.

    Chunks of rows (:func:`csr_chunk_rows`, set by the shape and the
    number of entries of ``X``, never by the threads), summed in chunk order.
    """
    p = X.shape[1]
    rows = csr_chunk_rows(X.shape[0], X.nnz, X.data.itemsize + X.indices.itemsize)
    args = (X.data, _unsigned(X.indices), _unsigned(X.indptr), y, sw, w, float(b), kind)
    total = _summed_chunks(_csr_chunks, args, X, p + 2, n_threads, rows=rows)
    return float(total[p + 1]), total[:p].astype(X.dtype), float(total[p])
