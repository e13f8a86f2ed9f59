"""Sums over vectors in a fixed order, and numbers rounded to a few bits,
for every layer.

A BLAS dot product (``np.vdot``, ``a @ b`` on vectors, ``np.linalg.norm``)
splits long vectors among the BLAS pool's threads and adds their partial
sums, so its last bits follow the thread count, and a fit stopped by
``max_iter`` carries them. These reductions use NumPy's own pairwise sum
instead, whose order is set by the length of the vector alone, except for
vectors too short for any BLAS to split (:data:`BLAS_ONE_THREAD`), whose dot
is then 2-3 times quicker than the pairwise sum. A leaf module:
it imports nothing of the package, and every layer may import it.
"""

import math

import numpy as np

# The longest vectors whose BLAS dot runs on one thread whatever the pool
# (OpenBLAS splits a dot only past 10000 entries): its order is then set by
# the length alone. The short vectors of a small fit's steps are dotted
# several times an iteration, where the pairwise sum's temporary costs most.
BLAS_ONE_THREAD = 4096
# The most multiply-adds of a matrix product that runs on one thread whatever
# the pool (OpenBLAS splits a product only past 4 * 65536 multiply-adds).
BLAS_ONE_PRODUCT = 1 << 16
# transposed_product's outputs: taken whole up to this many entries (products
# of two rows or more), else in tiles of _TILE x _TILE, 64 rows a product.
_WHOLE_OUTPUT = 1 << 15
_TILE = 32


def dot(a, b):
    """``<a, b>`` over all entries of two arrays, as a float, summed in a fixed order."""
    if a.size <= BLAS_ONE_THREAD:
        return float(np.vdot(a, b))
    return float(np.add.reduce(np.multiply(a, b).ravel()))


def transposed_product(a, b):
    """``a.T @ b`` for two matrices of the same rows, summed in a fixed order:
    BLAS products of blocks of rows, each within :data:`BLAS_ONE_PRODUCT`
    multiply-adds, added in turn. Where the output is wider than
    :data:`_WHOLE_OUTPUT` entries, each :data:`_TILE`-square tile of it on
    its own, so that its products keep 64 rows: a product of one row
    writes its whole output for one row's multiply-adds (the Gram matrix
    of 2000 rows of 501 columns: 0.81 s in such products, 43 ms in tiles)."""
    if a.shape[1] * b.shape[1] <= _WHOLE_OUTPUT:
        return _row_blocks(a, b)
    out = np.empty((a.shape[1], b.shape[1]), dtype=np.result_type(a, b))
    for i in range(0, a.shape[1], _TILE):
        for j in range(0, b.shape[1], _TILE):
            out[i:i + _TILE, j:j + _TILE] = _row_blocks(a[:, i:i + _TILE], b[:, j:j + _TILE])
    return out


def _row_blocks(a, b):
    """``a.T @ b``, BLAS products of blocks of rows added in turn."""
    rows = max(1, BLAS_ONE_PRODUCT // max(a.shape[1] * b.shape[1], 1))
    out = a[:rows].T @ b[:rows]
    for start in range(rows, len(a), rows):
        out += a[start:start + rows].T @ b[start:start + rows]
    return out


def matvec(a, v):
    """``a @ v`` for a matrix and a vector, in an order set by the shapes
    alone: BLAS products of blocks of rows, each within
    :data:`BLAS_ONE_THREAD` multiply-adds (a larger product OpenBLAS may
    split among its threads)."""
    if a.size <= BLAS_ONE_THREAD:
        return a @ v
    rows = max(1, BLAS_ONE_THREAD // a.shape[1])
    return np.concatenate([a[start:start + rows] @ v for start in range(0, len(a), rows)])


def max_abs(a):
    """The largest absolute entry of ``a``, as a float (0 for an empty one):
    the size the stopping tests measure."""
    return float(np.abs(a).max()) if a.size else 0.0


def norm(a):
    """The Euclidean norm of ``a`` (all entries), summed in a fixed order."""
    return math.sqrt(dot(a, a))


def rounded(values, bits=8):
    """``values`` (a number or an array) rounded to ``bits`` significant bits.

    A number the descent derives from sums over the data (a
    Barzilai-Borwein step, a column's mean or scale) differs in its last
    bits between two fits that differ only in the order of a sum: weights
    against repeated rows, dense against sparse, one library's arrays against
    another's. Rounded to 8 bits (a relative change below 0.4%), they are
    the same numbers, and the fits differ by their rounding alone.
    """
    if not isinstance(values, np.ndarray):  # the scalar functions: a tenth of numpy's time
        mantissa, exponent = math.frexp(values)
        return math.ldexp(round(mantissa * 2**bits) / 2**bits, exponent)
    mantissa, exponent = np.frexp(values)
    return np.ldexp(np.round(mantissa * 2.0**bits) / 2.0**bits, exponent)
