r"""The mini-batch loop: stochastic and mini-batch gradient descent by epochs.

One epoch::

    for each batch B of the (shuffled) samples:
        f_B, g_B = value_and_grad of the objective on B, at x
        d, state = rule.update(g_B, state)
        eta = step.next_eta()
        x = prox(x - eta * d, eta)
    F_epoch = mean of the f_B, weighted by the batch sizes

and after it, scikit-learn's rule for ``n_iter_no_change``: an epoch makes
progress when ``F_epoch`` falls below the best so far by more than ``tol`` (or,
with early stopping, when the validation score rises above the best by more
than ``tol``). After ``n_iter_no_change`` epochs without progress the step
shrinks, if its schedule can (``"adaptive"``), or the descent stops.
"""

import numpy as np

from .descent import BlowUpWatch, Patience, Record, callback_stops, finish


def descend_minibatch(
    problem, x0, *, rule, step, batch_size, shuffle, random_state, max_iter, tol,
    n_iter_no_change, callback=None, record_path=False, early_stopping=None,
    state=None, time_limit=None, check_progress=True, stacklevel=2,
):
    """Run up to ``max_iter`` epochs of mini-batch descent from ``x0``.

    ``problem`` must offer ``batch(rows)`` and ``n_samples`` besides the
    problem protocol. ``random_state`` is a :class:`numpy.random.Generator`
    or :class:`~numpy.random.RandomState` for the shuffles. ``state`` continues
    the rule's state of an earlier descent (``result.rule_state``).
    ``time_limit`` (a :class:`~sklearn_gd._optim.descent.TimeLimit`) is asked after
    every mini-batch, and cuts the epoch short once it has passed.
    ``check_progress=False`` runs the epochs without the stopping test or a
    warning at ``max_iter`` (one epoch of ``partial_fit``).
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        x = x0
        f0, g0 = problem.value_and_grad(x)
        record = Record(record_path, x, f0, g0)
        state = rule.init(x) if state is None else state
        blown_up = BlowUpWatch(f0)
        patience = early_stopping or Patience(n_iter_no_change, tol)
        status, nit, eta = None, 0, step.eta
        if not np.isfinite(f0):
            status = "diverged"
        y = rule.lookahead(state) if hasattr(rule, "lookahead") else x
        while status is None and nit < max_iter:
            x, y, f, eta, state = _epoch(problem, y, rule, state, step, batch_size,
                                         _order(problem.n_samples, shuffle, random_state),
                                         time_limit)
            nit += 1
            record.add(x, f)
            status = _after_epoch(blown_up, patience, callback, step, x, f, nit, eta,
                                  check_progress, time_limit)
        if status is None:
            status = "max_iter"
        if early_stopping is not None and early_stopping.best_x is not None:
            x = early_stopping.best_x
        f, g = problem.value_and_grad(x)
    measure = problem.stationarity(x, g)
    message = (time_limit.message(nit, "epochs", measure, tol) if status == "max_time"
               else _message(status, nit, n_iter_no_change, tol))
    return finish(
        status, x, f, g, nit, eta, record, blown_up, tol, early_stopping, state,
        measure=measure, message=message, warn=check_progress,
        stacklevel=stacklevel + 1,
    )


def _epoch(problem, y, rule, state, step, batch_size, order, time_limit=None):
    """One pass over the samples in ``order``, with gradients taken at ``y``,
    or as much of it as ``time_limit`` leaves time for.

    Returns the last iterate ``x``, the next point ``y`` (``x`` itself unless
    the rule extrapolates), the mean objective of the batches met, the last
    step and the rule's state.
    """
    n = problem.n_samples
    total, seen, eta, x = 0.0, 0, step.eta, y
    extrapolate = getattr(rule, "extrapolate", None)
    for start in range(0, n, batch_size):
        # Unshuffled batches are slices: views of X, not copies.
        stop = start + batch_size
        rows = slice(start, stop) if order is None else order[start:stop]
        f, g = problem.batch(rows).value_and_grad(y)
        total += f * min(batch_size, n - start)
        seen += min(batch_size, n - start)
        if not (np.isfinite(f) and np.all(np.isfinite(g))):
            return x, y, np.inf, eta, state
        d, state = rule.update(g, state)
        eta = step.next_eta()
        x = y = problem.prox(y - eta * d, eta)
        if extrapolate is not None:
            y, state = extrapolate(x, state)
        if time_limit is not None and time_limit.passed():
            break
    return x, y, total / seen, eta, state


def _order(n, shuffle, random_state):
    return random_state.permutation(n) if shuffle else None


def _after_epoch(blown_up, patience, callback, step, x, f, nit, eta, check_progress,
                 time_limit):
    if blown_up(f, np.zeros(0)):
        return "diverged"
    if callback is not None and callback_stops(callback, x, f, None, nit, eta):
        return "callback"
    if check_progress and patience.stalled(x, -f):
        if not step.decay():
            return "early_stopping" if patience.score is not None else "converged"
        patience.reset()
    if time_limit is not None and time_limit.passed():
        return "max_time"
    return None


def _message(status, nit, n_iter_no_change, tol):
    """Why the epochs stopped; None for what the full-batch words say as well."""
    if status == "converged":
        return (f"Converged after {nit} epochs: the epoch objective improved by less "
                f"than tol={tol:g} for {n_iter_no_change} epochs in a row.")
    if status == "early_stopping":
        return (f"Stopped early after {nit} epochs: the validation score stopped "
                "improving; the best iterate is kept.")
    if status == "max_iter":
        return (f"Mini-batch descent stopped at max_iter={nit} epochs before the epoch "
                "objective stopped improving. Increase max_iter or tol, or try another "
                "learning_rate.")
    return None
