"""A Cholesky factor and the inverse of a triangular one, whose bits follow
the matrix alone, whatever the BLAS pool.

LAPACK takes a matrix of at most :data:`BLOCK` rows by its unthreaded path;
OpenBLAS splits a larger one among its threads, and the last bits of the
factor then follow the thread count. So a larger matrix is taken in blocks of
:data:`BLOCK` rows: each diagonal block by LAPACK, each product between
blocks by :func:`~sklearn_gd._reductions.transposed_product` (BLAS products
within one thread, added in an order set by the shapes).
"""

import numpy as np
from scipy.linalg.lapack import dpotrf, dtrtri

from .._reductions import transposed_product

# The most rows LAPACK factors or inverts whole.
BLOCK = 64


def cholesky(C):
    """``(L, info)`` as LAPACK's ``dpotrf(C, lower=1, clean=1)``: ``L`` lower
    triangular with ``L L^T = C``, ``info`` 0, or the (1-based) column where
    ``C`` is not positive definite in floating point (``L`` is then not a
    factor)."""
    n = len(C)
    if n <= BLOCK:
        return dpotrf(C, lower=1, clean=1)
    L = np.zeros_like(C)
    for start in range(0, n, BLOCK):
        rows, done = slice(start, min(start + BLOCK, n)), L[start:start + BLOCK, :start]
        # The Schur complement's block: what the columns before leave of C.
        block = C[rows, rows] - transposed_product(done.T, done.T)
        factor, info = dpotrf(block, lower=1, clean=1)
        if info != 0:
            return L, start + info
        L[rows, rows] = factor
        if rows.stop < n:
            below = C[rows.stop:, rows] - transposed_product(L[rows.stop:, :start].T, done.T)
            inverse, _ = dtrtri(factor, lower=1)
            L[rows.stop:, rows] = transposed_product(below.T, inverse.T)
    return L, 0


def triangular_inverse(L):
    """``(L^{-1}, info)`` of a lower triangular ``L``, as LAPACK's
    ``dtrtri(L, lower=1)`` (``info`` > 0: a zero on the diagonal)."""
    n = len(L)
    if n <= BLOCK:
        return dtrtri(L, lower=1)
    out = np.zeros_like(L)
    for start in range(0, n, BLOCK):
        rows = slice(start, min(start + BLOCK, n))
        inverse, info = dtrtri(L[rows, rows], lower=1)
        if info != 0:
            return out, start + info
        out[rows, rows] = inverse
        if start:
            # Row block i of L L^{-1} = I below the diagonal:
            # L_ii X_i + L_i,<i X_<i = 0, so X_i = -L_ii^{-1} L_i,<i X_<i.
            known = transposed_product(L[rows, :start].T, out[:start, :start])
            out[rows, :start] = -transposed_product(inverse.T, known)
    return out, 0
