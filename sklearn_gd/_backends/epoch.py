r"""A whole mini-batch epoch of plain descent in one compiled call (numba).

The Python mini-batch loop (:mod:`sklearn_gd._optim.minibatch`) pays some
fifty microseconds of Python per batch, which at ``batch_size=1`` is most of
an epoch. This kernel runs the same epoch, in the same order of operations,
for one output (least squares and binary log loss), on dense ``X`` of either
memory order or on CSR rows. For each batch :math:`B` of the samples in
``order``, at :math:`\theta = (w, b)`:

.. math::

    s_i = w_i\, n / |B|, \qquad
    f_B = \sum_{i \in B} s_i\, \ell(y_i, z_i) + \tfrac{\lambda_2}{2} \|w\|^2
          + \lambda_1 \|w\|_1,

    g_w = \sum_{i \in B} s_i\, \partial_z \ell(y_i, z_i)\, x_i + \lambda_2 w,
    \qquad g_b = \sum_{i \in B} s_i\, \partial_z \ell(y_i, z_i),

    \theta \leftarrow \mathrm{prox}_{\eta_j \lambda_1 \|\cdot\|_1}
        (\theta - \eta_j g), \qquad
    \eta_j = \eta_0 / (k + j)^p

(the schedule of :meth:`~sklearn_gd._optim.step_sizes.ConstantStep.schedule`,
:math:`p = 0` for a constant step), and, with averaging, the running mean of
the iterates once ``start`` samples have been seen
(:mod:`sklearn_gd._optim.averaging`). A batch whose objective or gradient is
not finite ends the epoch before its step, as in the Python loop.

Importing this module imports numba.
"""

import math

import numba
import numpy as np
from llvmlite import ir
from numba.core import cgutils
from numba.extending import intrinsic

# As the fused passes (:mod:`sklearn_gd._backends.kernels`): reassociation
# lets LLVM vectorize the sums over a row, in an order set by the row's length
# alone; no "nnan" or "ninf", so that divergence still shows as inf and NaN.
_FASTMATH = {"reassoc", "contract"}

SQUARED, LOGISTIC = 0, 1
KINDS = {"squared": SQUARED, "logistic": LOGISTIC}
# How many rows ahead an epoch asks for the rows it will read: shuffled rows
# are misses of every cache, and fetched while the rows before them are
# worked on, they cost half as much.
_AHEAD = 4
# What stands in for the kind of rows an epoch does not read.
_NO_ROWS = np.empty((0, 0))
_NO_DATA = np.empty(0)
_NO_INDICES = np.empty(0, dtype=np.int32)


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


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _loss(kind, z, y):  # pragma: no cover (compiled)
    """``(loss, dloss/dz)`` of one sample, as :mod:`sklearn_gd._linear.losses`."""
    if kind == SQUARED:
        r = z - y
        return 0.5 * (r * r), r
    e = math.exp(-abs(z))
    inverse = 1.0 / (1.0 + e)
    sigmoid = inverse if z >= 0 else e * inverse
    return math.log1p(e) + (z + abs(z)) / 2 - y * z, sigmoid - y


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _norms(w, p):  # pragma: no cover (compiled)
    """``(sum w_j^2, sum |w_j|)`` over the coefficients."""
    squares, absolutes = 0.0, 0.0
    for j in range(p):
        squares += w[j] * w[j]
        absolutes += abs(w[j])
    return squares, absolutes


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _step(theta, grad, out, p, eta, l2, l1, fit_intercept):  # pragma: no cover (compiled)
    """``out = prox(theta - eta * (grad + l2 w))`` (the intercept free of the
    penalty), and ``grad`` back to zero, in one pass. Returns whether the
    whole gradient was finite (``g * 0`` is NaN for inf and NaN alone, and
    the sum of them vectorizes where a test would not) and the norms of
    ``out`` for the next batch's objective."""
    check, squares, absolutes = 0.0, 0.0, 0.0
    if l1 > 0:
        threshold = eta * l1
        for j in range(p):
            g = grad[j] + l2 * theta[j]
            grad[j] = 0.0
            check += g * 0.0
            v = theta[j] - eta * g
            v = math.copysign(max(abs(v) - threshold, 0.0), v)
            out[j] = v
            squares += v * v
            absolutes += abs(v)
    else:
        for j in range(p):
            g = grad[j] + l2 * theta[j]
            grad[j] = 0.0
            check += g * 0.0
            v = theta[j] - eta * g
            out[j] = v
            squares += v * v
    if fit_intercept:
        check += grad[p] * 0.0
        out[p] = theta[p] - eta * grad[p]
        grad[p] = 0.0
    return check == 0.0, squares, absolutes


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _row_dot(X, data, indices, indptr, i, theta, p):  # pragma: no cover (compiled)
    """``x_i . w``: a dense row of ``X``, or a CSR row when ``X`` is empty."""
    z = 0.0
    if X.shape[1] == p:
        for j in range(p):
            z += X[i, j] * theta[j]
    else:
        for q in range(indptr[i], indptr[i + 1]):
            z += data[q] * theta[indices[q]]
    return z


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _row_axpy(X, data, indices, indptr, i, d, grad, p):  # pragma: no cover (compiled)
    """``grad += d * x_i``, the row as in :func:`_row_dot`."""
    if X.shape[1] == p:
        for j in range(p):
            grad[j] += d * X[i, j]
    else:
        for q in range(indptr[i], indptr[i + 1]):
            grad[indices[q]] += d * data[q]


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _fetch_row(X, data, indices, indptr, i, p):  # pragma: no cover (compiled)
    """Prefetch row ``i``, a cache line (8 doubles) at a time."""
    if X.shape[1] == p:
        for j in range(0, p, 8):
            _prefetch(X, (i, j))
    else:
        for q in range(indptr[i], indptr[i + 1], 8):
            _prefetch(data, (q,))
            _prefetch(indices, (q,))


@numba.njit(fastmath=_FASTMATH, error_model="numpy", cache=True)
def _epoch(X, data, indices, indptr, n, p, y, sw, order, batch_size, kind, theta,
           fit_intercept, l2, l1, eta0, power, k0, average, mean,
           counts):  # pragma: no cover (compiled)
    """One epoch; ``theta`` (and ``mean``) change in place.

    The rows are those of a dense ``X`` of ``p`` columns, or, where ``X`` is
    empty, of the CSR arrays ``data, indices, indptr``. ``counts`` holds
    ``(samples seen, iterates averaged)`` in and out; ``average`` is the
    number of samples at which averaging begins (0: none). Returns
    ``(sum of |B| f_B, samples met, batches stepped)``.

    A batch's predictions come first and its gradient after, so that the
    rows' loads do not wait on each other, and the gradient reads them again
    from the L1 cache.
    """
    grad = np.zeros(theta.shape[0])
    current, following = theta.copy(), np.empty_like(theta)
    d = np.empty(min(batch_size, n))
    squares, absolutes = _norms(current, p)
    total, met, done = 0.0, 0, 0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        for t in range(start, stop):
            if t + _AHEAD < n:
                _fetch_row(X, data, indices, indptr, order[t + _AHEAD], p)
            d[t - start] = _row_dot(X, data, indices, indptr, order[t], current, p)
        scale, value = n / (stop - start), 0.0
        for t in range(start, stop):
            i = order[t]
            z = d[t - start] + current[p] if fit_intercept else d[t - start]
            loss, dloss = _loss(kind, z, y[i])
            value += sw[i] * scale * loss
            d[t - start] = sw[i] * scale * dloss
        for t in range(start, stop):
            _row_axpy(X, data, indices, indptr, order[t], d[t - start], grad, p)
            if fit_intercept:
                grad[p] += d[t - start]
        f = value + 0.5 * l2 * squares + (l1 * absolutes if l1 > 0 else 0.0)
        total += f * (stop - start)
        met += stop - start
        if not math.isfinite(f):
            break
        finite, squares, absolutes = _step(current, grad, following, p,
                                           eta0 / (k0 + done + 1) ** power, l2, l1,
                                           fit_intercept)
        if not finite:
            break
        current, following = following, current
        done += 1
        if average > 0:
            counts[0] += stop - start
            if counts[0] >= average:
                counts[1] += 1
                _average(current, mean, counts[1])
    theta[:] = current
    return total, met, done


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _average(theta, mean, count):  # pragma: no cover (compiled)
    """The running mean of :mod:`sklearn_gd._optim.averaging`, in place."""
    if count == 1:
        mean[:] = theta
    else:
        for j in range(theta.shape[0]):
            mean[j] = mean[j] + (theta[j] - mean[j]) / count


def run_epoch(X, y, sw, order, batch_size, kind, theta, fit_intercept, l2, l1,
              schedule, average):
    """Run one epoch; return ``(theta, sum of |B| f_B, samples met, batches
    stepped, averaging state)``.

    ``theta`` is the 1-D parameter vector (a copy is stepped); ``schedule``
    is ``(eta0, power, k)``; ``average`` is None or ``(start, state)`` with
    the state of :class:`~sklearn_gd._optim.averaging.Averaging`.
    """
    theta = np.array(theta, dtype=np.float64)
    start, state = (0, None) if average is None else average
    counts = np.array([0 if state is None else state["seen"],
                       0 if state is None else state["count"]], dtype=np.int64)
    mean = np.zeros_like(theta) if state is None or state["mean"] is None else np.array(
        state["mean"], dtype=np.float64)
    eta0, power, k0 = (float(v) for v in schedule)
    n, p = X.shape
    if isinstance(X, np.ndarray):
        rows = (X, _NO_DATA, _NO_INDICES, _NO_INDICES)
    else:
        rows = (_NO_ROWS, X.data, X.indices, X.indptr)
    total, met, done = _epoch(*rows, n, p, y, sw, order, batch_size, kind, theta,
                              fit_intercept, l2, l1, eta0, power, k0, start, mean, counts)
    averaged = None if average is None else {
        "seen": int(counts[0]), "count": int(counts[1]),
        "mean": mean if counts[1] else None}
    return theta, total, met, done, averaged
