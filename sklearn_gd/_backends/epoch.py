r"""A whole mini-batch epoch of plain descent in one compiled call (numba).

The Python mini-batch loop (:mod:`sklearn_gd._optim.minibatch`) pays some
fifty microseconds of Python per batch, which at ``batch_size=1`` is most of
an epoch. This kernel runs the same epoch, in the same order of operations,
for least squares, binary and multinomial log loss, on dense ``X`` of either
memory order or on CSR rows. For each batch :math:`B` of the samples in
``order``, at :math:`\theta = (W, b)` (one column per output):

.. math::

    s_i = w_i\, n / |B|, \qquad
    f_B = \sum_{i \in B} s_i\, \ell(y_i, z_i) + \tfrac{\lambda_2}{2} \|W\|^2
          + \lambda_1 \|W\|_1,

    g_W = \sum_{i \in B} s_i\, x_i^\top \partial_z \ell(y_i, z_i) + \lambda_2 W,
    \qquad g_b = \sum_{i \in B} s_i\, \partial_z \ell(y_i, z_i),

    \theta \leftarrow \mathrm{prox}_{\eta_j \lambda_1 \|\cdot\|_1}
        (\theta - \eta_j g), \qquad
    \eta_j = \eta_0 / (k + j)^p

(the schedule of :meth:`~sklearn_gd._optim.step_sizes.ConstantStep.schedule`,
:math:`p = 0` for a constant step), and, with averaging, the running mean of
the iterates once ``start`` samples have been seen
(:mod:`sklearn_gd._optim.averaging`). A batch whose objective or gradient is
not finite ends the epoch before its step, as in the Python loop. Batches of
eight rows or more with one output take the fused pass's losses
(:mod:`sklearn_gd._backends.kernels`), whose exponential and logarithm are
polynomials in loops that vectorize, equal to the C library's to rounding.

Importing this module imports numba.
"""

import functools
import math

import numba
import numpy as np
from numba.extending import overload

# The losses' codes are the fused passes': the batches' vectorized losses are theirs.
from .kernels import (  # noqa: F401
    _LINE_BYTES,
    KINDS,
    LOGISTIC,
    MULTINOMIAL,
    SQUARED,
    _line_entries,
    _loss_block,
    _prefetch,
)

# As the fused passes (:mod:`sklearn_gd._backends.kernels`): reassociation
# lets LLVM vectorize the sums over a row, in an order set by the row's length
# alone; no "nnan" or "ninf", so that divergence still shows as inf and NaN.
_FASTMATH = {"reassoc", "contract"}

# How many rows ahead an epoch asks for the rows it will read: shuffled rows
# are misses of every cache, and fetched while the rows before them are
# worked on, they cost half as much. Twice as far ahead it asks for where a
# CSR row lies (its indptr entry, which the nearer fetch reads) and for the
# row's label and weight.
_AHEAD = 4
# From how many rows a batch's losses (one output) take the fused pass's
# vectorized loops, whose setup a batch of a few rows does not repay.
_VECTOR_ROWS = 8


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _loss(kind, z, y, d):  # pragma: no cover (compiled)
    """One sample's loss, and ``d = dloss/dz``, as :mod:`sklearn_gd._linear.losses`
    computes them (``y`` a label for the multinomial loss)."""
    if kind == SQUARED:
        d[0] = z[0] - y
        return 0.5 * (d[0] * d[0])
    if kind == LOGISTIC:
        e = math.exp(-abs(z[0]))
        inverse = 1.0 / (1.0 + e)
        d[0] = (inverse if z[0] >= 0 else e * inverse) - y
        return math.log1p(e) + (z[0] + abs(z[0])) / 2 - y * z[0]
    label = int(y)
    z_max = z[0]
    for k in range(1, z.shape[0]):
        z_max = max(z_max, z[k])
    norm = 0.0
    for k in range(z.shape[0]):
        d[k] = math.exp(z[k] - z_max)
        norm += d[k]
    for k in range(z.shape[0]):
        d[k] /= norm
    d[label] -= 1
    return math.log(norm) + z_max - z[label]


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _eta(eta0, power, k):  # pragma: no cover (compiled)
    """The schedule's step ``eta0 / k^power``; a constant one without the
    power, which costs as much as a sample's gradient (``k^0`` is exactly 1)."""
    return eta0 if power == 0.0 else eta0 / k**power


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _norms(W, p):  # pragma: no cover (compiled)
    """``(sum W_kj^2, sum |W_kj|)`` over the coefficients (``W`` by output)."""
    squares, absolutes = 0.0, 0.0
    for k in range(W.shape[0]):
        for j in range(p):
            squares += W[k, j] * W[k, j]
            absolutes += abs(W[k, j])
    return squares, absolutes


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _step(theta, grad, out, p, eta, l2, l1, fit_intercept):  # pragma: no cover (compiled)
    """``out = prox(theta - eta * (grad + l2 W))`` (the intercepts free of the
    penalty), and ``grad`` back to zero, in one pass. Returns whether the
    whole gradient was finite (``g * 0`` is NaN for inf and NaN alone, and
    the sum of them vectorizes where a test would not) and the norms of
    ``out`` for the next batch's objective."""
    check, squares, absolutes = 0.0, 0.0, 0.0
    threshold = eta * l1
    for k in range(theta.shape[0]):
        if l1 > 0:
            for j in range(p):
                g = grad[k, j] + l2 * theta[k, j]
                grad[k, j] = 0.0
                check += g * 0.0
                v = theta[k, j] - eta * g
                v = math.copysign(max(abs(v) - threshold, 0.0), v)
                out[k, j] = v
                squares += v * v
                absolutes += abs(v)
        else:
            for j in range(p):
                g = grad[k, j] + l2 * theta[k, j]
                grad[k, j] = 0.0
                check += g * 0.0
                v = theta[k, j] - eta * g
                out[k, j] = v
                squares += v * v
        if fit_intercept:
            check += grad[k, p] * 0.0
            out[k, p] = theta[k, p] - eta * grad[k, p]
            grad[k, p] = 0.0
    return check == 0.0, squares, absolutes


def _compiled_choice(choose, like):
    """A function that numba compiles as ``choose(*argument types)``, one of
    two implementations of the signature of ``like``: each kind of argument
    gets machine code of its own, with no branch between them left to run."""

    @functools.wraps(like)
    def compiled_only(*args):
        raise NotImplementedError("called from compiled code only")

    overload(compiled_only, inline="always",
             jit_options={"fastmath": _FASTMATH, "error_model": "numpy"})(
        functools.wraps(like)(choose))
    return compiled_only


def _by_rows(dense, csr):
    """A function of the rows, compiled as ``dense`` where they are ``(X,)``, a
    dense ``X`` of either order, and as ``csr`` where they are ``(data,
    indices, indptr)``: the dense loops' bounds are those of ``X`` itself
    (which LLVM vectorizes)."""
    return _compiled_choice(lambda *types: dense if len(types[0]) == 1 else csr, dense)


def _dense_dot(rows, i, W, z):  # pragma: no cover (compiled)
    X = rows[0]
    for k in range(W.shape[0]):
        acc = 0.0
        for j in range(X.shape[1]):
            acc += X[i, j] * W[k, j]
        z[k] = acc


def _csr_dot(rows, i, W, z):  # pragma: no cover (compiled)
    data, indices, indptr = rows
    for k in range(W.shape[0]):
        acc = 0.0
        for q in range(indptr[i], indptr[i + 1]):
            acc += data[q] * W[k, indices[q]]
        z[k] = acc


# ``z = W x_i`` (``W`` by output).
_row_dot = _by_rows(_dense_dot, _csr_dot)


def _dense_axpy(rows, i, d, grad):  # pragma: no cover (compiled)
    X = rows[0]
    for k in range(grad.shape[0]):
        for j in range(X.shape[1]):
            grad[k, j] += d[k] * X[i, j]


def _csr_axpy(rows, i, d, grad):  # pragma: no cover (compiled)
    data, indices, indptr = rows
    for k in range(grad.shape[0]):
        for q in range(indptr[i], indptr[i + 1]):
            grad[k, indices[q]] += d[k] * data[q]


# ``grad[k] += d[k] * x_i``.
_row_axpy = _by_rows(_dense_axpy, _csr_axpy)


def _dense_fetch(rows, i, far):  # pragma: no cover (compiled)
    X = rows[0]
    if not far:
        for j in range(0, X.shape[1], _LINE_BYTES // X.itemsize):
            _prefetch(X, (i, j))


def _csr_fetch(rows, i, far):  # pragma: no cover (compiled)
    data, indices, indptr = rows
    if far:
        _prefetch(indptr, (i,))
    else:
        for q in range(indptr[i], indptr[i + 1], _line_entries(data, indices)):
            _prefetch(data, (q,))
            _prefetch(indices, (q,))


# Prefetch row ``i`` a cache line at a time, or, ``far`` ahead, where
# it lies (the CSR row's start, which the near fetch reads).
_fetch_row = _by_rows(_dense_fetch, _csr_fetch)


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _rule_step(theta, grad, out, p, eta, l2, direction, state,
               params):  # pragma: no cover (compiled)
    """:func:`_step` for an update rule, ``d, state = direction(g, state,
    params)`` (the rule's own function, compiled), without an L1 part: ``out
    = theta - eta * d``. Returns whether the gradient was finite, the norm of
    ``out``'s coefficients and the rule's state (unchanged if not finite)."""
    g = grad.copy()
    check = 0.0
    for k in range(theta.shape[0]):
        for j in range(theta.shape[1]):
            if j < p:
                g[k, j] += l2 * theta[k, j]
            check += g[k, j] * 0.0
            grad[k, j] = 0.0
    if not check == 0.0:
        return False, 0.0, state
    d, state = direction(g, state, params)
    squares = 0.0
    for k in range(theta.shape[0]):
        for j in range(theta.shape[1]):
            out[k, j] = theta[k, j] - eta * d[k, j]
            if j < p:
                squares += out[k, j] * out[k, j]
    return True, squares, state


def _scalar_losses(y, sw, order, start, stop, kind, scale, W, p, scale_w, fit_intercept, z,
                   d, vectors):  # pragma: no cover (compiled)
    value = 0.0
    for t in range(start, stop):
        i, row = order[t], d[t - start]
        for k in range(W.shape[0]):
            z[t - start, k] *= scale_w
            if fit_intercept:
                z[t - start, k] += W[k, p]
        s = sw[i] * scale
        value += s * _loss(kind, z[t - start], y[i], row)
        for k in range(W.shape[0]):
            row[k] *= s
    return value


def _vector_losses(y, sw, order, start, stop, kind, scale, W, p, scale_w, fit_intercept, z,
                   d, vectors):  # pragma: no cover (compiled)
    z1, d1, yb, sb, bits = vectors
    m = stop - start
    intercept = W[0, p] if fit_intercept else 0.0
    for t in range(start, stop):
        z1[t - start] = z[t - start, 0] * scale_w + intercept
        yb[t - start], sb[t - start] = y[order[t]], sw[order[t]] * scale
    value = _loss_block(kind, z1[:m], yb[:m], sb[:m], d1[:m], bits)[0]
    for t in range(m):
        d[t, 0] = d1[t]
    return value


# A batch's weighted losses at its predictions ``z`` (times ``scale_w``, plus
# the intercepts), and ``d`` their weighted derivatives: one sample at a time
# (the scalar ``_loss``), or, given ``vectors`` (:func:`_work_vectors`), for one
# output in the fused pass's loops, which vectorize. Chosen by the type of
# ``vectors``: the batches of a few rows, whose code the other would slow,
# never carry it.
_losses = _compiled_choice(
    lambda *types: _vector_losses if len(types[-1]) else _scalar_losses, _scalar_losses)


def _work_vectors(kind, batch_size):
    """The work vectors of the vectorized losses
    (:func:`~sklearn_gd._backends.kernels._loss_block`: the batch's
    predictions, derivatives, labels and weights, and the exponent bits),
    where they pay: one output, and batches of ``_VECTOR_ROWS`` rows or more;
    else ``()``."""
    if kind == MULTINOMIAL or batch_size < _VECTOR_ROWS:
        return ()
    return (*(np.empty(batch_size) for _ in range(4)), np.empty(batch_size, np.int64))


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _batch_loss(rows, n, p, y, sw, order, start, stop, kind, W, scale_w, fit_intercept, z,
                d, vectors):  # pragma: no cover (compiled)
    """The batch ``order[start:stop]``'s weighted loss at ``scale_w W`` (and
    the intercepts in ``W``'s last column), with ``d`` the weighted
    derivatives (:data:`_losses`). The predictions come first and the
    losses after, so that the rows' loads do not wait on each other (and the
    rows ``_AHEAD`` later are asked for meanwhile, and where the rows twice
    as far lie, with their labels and weights)."""
    for t in range(start, stop):
        if t + 2 * _AHEAD < n:
            far = order[t + 2 * _AHEAD]
            _fetch_row(rows, far, True)
            _prefetch(y, (far,))
            _prefetch(sw, (far,))
        if t + _AHEAD < n:
            _fetch_row(rows, order[t + _AHEAD], False)
        _row_dot(rows, order[t], W, z[t - start])
    return _losses(y, sw, order, start, stop, kind, n / (stop - start), W, p, scale_w,
                   fit_intercept, z, d, vectors)


@numba.njit(fastmath=_FASTMATH, error_model="numpy", cache=True)
def _epoch(rows, n, p, y, sw, order, batch_size, kind, theta, fit_intercept, l2, l1, eta0,
           power, k0, average, mean, counts, direction, extrapolation, rule_state,
           rule_params, vectors):  # pragma: no cover (compiled)
    """One epoch; ``theta`` (and ``mean``), of shape ``(outputs, p [+ 1])``,
    change in place.

    The rows are ``(X,)``, a dense ``X`` of ``p`` columns, or ``(data,
    indices, indptr)``, CSR arrays (:func:`_by_rows`). ``counts`` holds
    ``(samples seen, iterates averaged)`` in and out; ``average`` is the
    number of samples at which averaging begins (0: none). ``direction`` is
    None for plain descent, else an update rule's function with its state
    and numbers (:func:`_rule_step`); ``extrapolation`` None, or a rule's
    next point after each step (plain, proximal ones), whose state begins
    with the last iterate, which averaging reads; ``theta`` is then the
    point of the next gradient. ``vectors`` are the vectorized losses', or
    ``()`` (:data:`_losses`). Returns ``(sum of |B| f_B, samples met,
    batches stepped, the rule's state)``.

    The gradient reads a batch's rows again, from the L1 cache.
    """
    outputs = theta.shape[0]
    grad = np.zeros_like(theta)
    current, following = theta.copy(), np.empty_like(theta)
    z, d = np.empty((min(batch_size, n), outputs)), np.empty((min(batch_size, n), outputs))
    squares, absolutes = _norms(current, p)
    total, met, done = 0.0, 0, 0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        value = _batch_loss(rows, n, p, y, sw, order, start, stop, kind, current, 1.0,
                            fit_intercept, z, d, vectors)
        for t in range(start, stop):
            _row_axpy(rows, order[t], d[t - start], grad)
            if fit_intercept:
                for k in range(outputs):
                    grad[k, p] += d[t - start, k]
        f = value + 0.5 * l2 * squares + (l1 * absolutes if l1 > 0 else 0.0)
        total += f * (stop - start)
        met += stop - start
        if not math.isfinite(f):
            break
        eta = _eta(eta0, power, k0 + done + 1)
        if direction is None:
            finite, squares, absolutes = _step(current, grad, following, p, eta, l2, l1,
                                               fit_intercept)
        else:
            finite, squares, rule_state = _rule_step(current, grad, following, p, eta, l2,
                                                     direction, rule_state, rule_params)
        if not finite:
            break
        if extrapolation is not None:
            # A copy: the state keeps it, and the buffer is stepped into again.
            point, rule_state = extrapolation(following.copy(), rule_state, rule_params)
            following[:] = point
            squares, absolutes = _norms(following, p)
        current, following = following, current
        done += 1
        if average > 0:
            counts[0] += stop - start
            if counts[0] >= average:
                counts[1] += 1
                if extrapolation is None:
                    _average(current, mean, counts[1])
                else:
                    _average(rule_state[0], mean, counts[1])
    theta[:] = current
    return total, met, done, rule_state


@numba.njit(fastmath=_FASTMATH, error_model="numpy", cache=True)
def _sparse_epoch(rows, n, p, y, sw, order, batch_size, kind, theta, fit_intercept, l2, eta0,
                  power, k0, vectors):  # pragma: no cover (compiled)
    """:func:`_epoch` on CSR rows with an L2 penalty alone and no averaging, in
    time proportional to the stored entries, not to ``n_features``.

    The L2 part of every step shrinks every coefficient, ``W <- (1 - eta l2)
    W - eta G``, while the data part ``G`` of a batch touches only its rows'
    columns. So ``W = a V``: a step multiplies the scalar ``a`` by ``1 - eta
    l2`` and moves only the touched entries of ``V``, by ``-eta G / a``, and
    ``||W||^2 = a^2 ||V||^2`` is kept up to date from those entries alone
    (Bottou's and scikit-learn's SGD's scaled weights). ``V`` is folded back
    into ``W`` at the end, and whenever ``a`` falls below 1e-9.
    """
    outputs = theta.shape[0]
    grad = np.zeros_like(theta)
    V = theta.copy()
    scale_w = 1.0
    squares, _ = _norms(V, p)
    z, d = np.empty((min(batch_size, n), outputs)), np.empty((min(batch_size, n), outputs))
    total, met, done = 0.0, 0, 0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        value = _batch_loss(rows, n, p, y, sw, order, start, stop, kind, V, scale_w,
                            fit_intercept, z, d, vectors)
        check = 0.0
        for t in range(start, stop):
            for k in range(outputs):
                check += d[t - start, k] * 0.0
                if fit_intercept:
                    grad[k, p] += d[t - start, k]
        one = stop - start == 1
        if not one:  # a batch's rows may share columns: their gradient first
            for t in range(start, stop):
                _row_axpy(rows, order[t], d[t - start], grad)
            check += _touched_sum(rows, order, start, stop, grad)
        f = value + 0.5 * l2 * (scale_w * scale_w * squares)
        total += f * (stop - start)
        met += stop - start
        if not (math.isfinite(f) and check == 0.0):
            break
        eta = _eta(eta0, power, k0 + done + 1)
        scale_w *= 1.0 - eta * l2
        if scale_w < 1e-9:
            _fold(V, scale_w, p)
            scale_w = 1.0
            squares, _ = _norms(V, p)
        if one:  # the gradient is the row times d: no buffer
            squares = _move_row(rows, order[start], d[0], V, eta / scale_w, squares)
        else:
            squares = _move_touched(rows, order, start, stop, grad, V, eta / scale_w,
                                    squares)
        if fit_intercept:
            for k in range(outputs):
                V[k, p] -= eta * grad[k, p]
                grad[k, p] = 0.0
        done += 1
    _fold(V, scale_w, p)
    theta[:] = V
    return total, met, done


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _touched_sum(rows, order, start, stop, grad):  # pragma: no cover (compiled)
    """The sum of the touched entries of ``grad`` times 0: NaN if one is not finite."""
    _, indices, indptr = rows
    check = 0.0
    for t in range(start, stop):
        i = order[t]
        for q in range(indptr[i], indptr[i + 1]):
            for k in range(grad.shape[0]):
                check += grad[k, indices[q]] * 0.0
    return check


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _move_touched(rows, order, start, stop, grad, V, step,
                  squares):  # pragma: no cover (compiled)
    """``V -= step * grad`` on the touched entries, ``grad`` back to zero there,
    and ``||V||^2`` kept up to date (a column met twice moves once)."""
    _, indices, indptr = rows
    for t in range(start, stop):
        i = order[t]
        for q in range(indptr[i], indptr[i + 1]):
            j = indices[q]
            for k in range(V.shape[0]):
                old = V[k, j]
                V[k, j] = old - step * grad[k, j]
                grad[k, j] = 0.0
                squares += V[k, j] * V[k, j] - old * old
    return squares


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _move_row(rows, i, d, V, step, squares):  # pragma: no cover (compiled)
    """:func:`_move_touched` for a batch of the one row ``i``, whose gradient
    is ``d[k] x_i``."""
    data, indices, indptr = rows
    for k in range(V.shape[0]):
        for q in range(indptr[i], indptr[i + 1]):
            j = indices[q]
            old = V[k, j]
            V[k, j] = old - step * (d[k] * data[q])
            squares += V[k, j] * V[k, j] - old * old
    return squares


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _fold(V, scale_w, p):  # pragma: no cover (compiled)
    """``W = a V`` into ``V`` itself (the coefficients; not the intercepts)."""
    for k in range(V.shape[0]):
        for j in range(p):
            V[k, j] *= scale_w


@numba.njit(fastmath=_FASTMATH, error_model="numpy", inline="always", cache=True)
def _average(theta, mean, count):  # pragma: no cover (compiled)
    """The running mean of :mod:`sklearn_gd._optim.averaging`, in place."""
    if count == 1:
        mean[:] = theta
    else:
        for k in range(theta.shape[0]):
            for j in range(theta.shape[1]):
                mean[k, j] = mean[k, j] + (theta[k, j] - mean[k, j]) / count


def run_epoch(X, y, sw, order, batch_size, kind, theta, fit_intercept, l2, l1,
              schedule, average, rule=None):
    """Run one epoch; return ``(theta, sum of |B| f_B, samples met, batches
    stepped, averaging state, the rule's state)``.

    ``theta`` is the parameters of shape ``(n_features [+ 1], outputs)`` (a
    float64 copy is stepped, and returned in that shape); ``schedule`` is
    ``(eta0, power, k)``; ``average`` is None or ``(start, state)`` with the
    state of :class:`~sklearn_gd._optim.averaging.Averaging`; ``rule`` is
    None for plain descent, else ``(direction, extrapolation, state,
    params)``, an update rule's pure functions (:mod:`sklearn_gd._optim.rules`;
    either may be None), compiled here as they are, with its state (a tuple,
    arrays in ``theta``'s shape) and numbers.
    """
    by_output = np.array(theta.T, dtype=np.float64, order="C")
    start, state = (0, None) if average is None else average
    counts = np.array([0 if state is None else state["seen"],
                       0 if state is None else state["count"]], dtype=np.int64)
    mean = np.zeros_like(by_output) if state is None or state["mean"] is None else (
        np.array(state["mean"].T, dtype=np.float64, order="C"))
    eta0, power, k0 = (float(v) for v in schedule)
    direction, extrapolation, rule_state, params = (None, None, (), ()) if rule is None else rule
    n, p = X.shape
    rows = (X,) if isinstance(X, np.ndarray) else (X.data, X.indices, X.indptr)
    vectors = _work_vectors(kind, min(batch_size, n))
    if len(rows) == 3 and l1 == 0 and average is None and rule is None:
        total, met, done = _sparse_epoch(rows, n, p, y, sw, order, batch_size, kind,
                                         by_output, fit_intercept, l2, eta0, power, k0,
                                         vectors)
        return by_output.T, total, met, done, None, ()
    total, met, done, rule_state = _epoch(
        rows, n, p, y, sw, order, batch_size, kind, by_output, fit_intercept, l2, l1, eta0,
        power, k0, start, mean, counts, None if direction is None else _compiled(direction),
        None if extrapolation is None else _compiled(extrapolation), _by_output(rule_state),
        tuple(float(v) for v in params), vectors)
    averaged = None if average is None else {
        "seen": int(counts[0]), "count": int(counts[1]),
        "mean": mean.T if counts[1] else None}
    return by_output.T, total, met, done, averaged, _by_output(rule_state, back=True)


def _by_output(state, back=False):
    """A rule's state between the loop's layout and the kernel's: each array
    transposed (``(parameters, outputs)`` to ``(outputs, parameters)`` and
    back), in float64 for the kernel; counts as they are."""
    return tuple(
        (np.ascontiguousarray(v.T) if back else np.array(v.T, dtype=np.float64, order="C"))
        if isinstance(v, np.ndarray) else int(v) for v in state)


_COMPILED = {}


def _compiled(function):
    """An update rule's function, compiled (once a process; numba caches it on disk)."""
    if function not in _COMPILED:
        _COMPILED[function] = numba.njit(fastmath=_FASTMATH, error_model="numpy",
                                         cache=True)(function)
    return _COMPILED[function]
