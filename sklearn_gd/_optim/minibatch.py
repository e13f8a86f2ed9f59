r"""The mini-batch loop: stochastic and mini-batch gradient descent by epochs.

One epoch::

    for each batch B of the (shuffled) samples:
        f_B, g_B = value_and_grad of the objective on B, at x
        d, state = rule.update(g_B, state)
        eta, step_state = step.next_eta(step_state)
        x = prox(x - eta * d, eta)
        x_bar = running mean of the x, with averaging (sklearn_gd._optim.averaging)
    F_epoch = mean of the f_B, weighted by the batch sizes

With averaging, the iterate the epoch hands on (to the record, the callback,
early stopping and the result) is the mean ``x_bar``; the descent itself goes
on from ``x``.

and after it, scikit-learn's rule for ``n_iter_no_change``: an epoch makes
progress when ``F_epoch`` falls below the best so far by more than ``tol`` (or,
with early stopping, when the validation score rises above the best by more
than ``tol``). After ``n_iter_no_change`` epochs without progress the step
shrinks, if its schedule can (``"adaptive"``), or the descent stops.
"""

import numpy as np

from .descent import initial_state
from .problem import measure_name, prox_step, value
from .record import Record, callback_stops
from .result import Stop, finish
from .stopping import BlowUpWatch, Patience, reason_message


def descend_minibatch(problem, x0, *, rule, step, options, state=None):
    """Run up to ``options.max_iter`` epochs of mini-batch descent from ``x0``.

    ``problem`` must offer ``batch(rows)`` and ``n_samples`` besides the
    problem protocol; ``options`` (a :class:`DescentOptions`) gives the
    batches (``batch_size``, ``shuffle``, ``random_state``: a
    :class:`numpy.random.Generator` or :class:`~numpy.random.RandomState`)
    and the patience on epochs. ``state`` continues the rule's and the step
    size's state of an earlier descent. ``options.time_limit`` is asked after
    every mini-batch, and cuts the epoch short once it has passed;
    ``options.warn=False`` runs the epochs without the stopping test or a
    warning at ``max_iter`` (one epoch of ``partial_fit``). With
    ``options.average`` the state has a third part, the averaging's.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        x = x0
        # The objective alone: no gradient at x0 or at the end, the passes
        # over the data that would cost as much as an epoch's work at small
        # batches (result.start_jac and result.jac are None).
        f0 = value(problem, x)
        record = Record(options.record_path, x, f0, None)
        state = _initial_state(rule, step, x, state, options.average)
        blown_up = BlowUpWatch(f0)
        patience = options.early_stopping or Patience(options.patience, options.tol)
        stop = Stop(None if np.isfinite(f0) else "diverged", 0, state[1]["eta"])
        y = rule.lookahead(state[0]) if rule.extrapolates else x
        while stop.status is None and stop.nit < options.max_iter:
            order = _order(problem.n_samples, options.shuffle, options.random_state)
            x, y, f, stop.eta, state = _epoch(problem, y, rule, step, state, options,
                                              order)
            x = _reported(options.average, x, state)
            stop.nit += 1
            record.add(x, f)
            stop.status, state = _after_epoch(options, blown_up, patience, step, x, f,
                                              stop, state)
        if stop.status is None:
            stop.status = "max_iter"
        if options.early_stopping is not None and options.early_stopping.best_x is not None:
            x = options.early_stopping.best_x
        stop.message = _message(problem, options, stop, x, record)
    return finish(problem, options, record, stop, (x, None, None), state)


def _epoch(problem, y, rule, step, state, options, order):
    """One pass over the samples in ``order``, with gradients taken at ``y``,
    or as much of it as ``options.time_limit`` leaves time for.

    Returns the last iterate ``x``, the next point ``y`` (``x`` itself unless
    the rule extrapolates), the mean objective of the batches met, the last
    step and the rule's and step size's state.
    """
    compiled = _compiled_epoch(problem, y, rule, step, state, options, order)
    if compiled is not None:
        return compiled
    n, batch_size = problem.n_samples, options.batch_size
    rule_state, step_state, average_state = state
    total, seen, eta, x = 0.0, 0, step_state["eta"], y
    for start in range(0, n, batch_size):
        # Unshuffled batches are slices: views of X, not copies.
        stop = start + batch_size
        rows = slice(start, stop) if order is None else order[start:stop]
        f, g = problem.batch(rows).value_and_grad(y)
        total += f * min(batch_size, n - start)
        seen += min(batch_size, n - start)
        if not (np.isfinite(f) and np.all(np.isfinite(g))):
            return x, y, np.inf, eta, (rule_state, step_state, average_state)
        d, rule_state = rule.update(g, rule_state)
        eta, step_state = step.next_eta(step_state)
        x = y = prox_step(problem, y, eta, d)
        if options.average is not None:
            average_state = options.average.update(x, min(batch_size, n - start),
                                                   average_state)
        if rule.extrapolates:
            y, rule_state = rule.extrapolate(x, rule_state)
        if options.time_limit.passed():
            break
    return x, y, total / seen, eta, (rule_state, step_state, average_state)


def _compiled_epoch(problem, y, rule, step, state, options, order):
    """:func:`_epoch` in one call of the problem's compiled epoch, where it
    offers one for this rule (plain descent, or a rule written as pure
    functions, ``rule.direction`` or ``rule.extrapolation``); None to run the
    Python loop. A time limit keeps the Python loop, which asks it after
    every batch."""
    run = getattr(problem, "compiled_epoch", None)
    if run is None or options.time_limit.max_time is not None:
        return None
    rule_state, step_state, average_state = state
    average = None if options.average is None else (options.average.start, average_state)
    out = run(y, order, options.batch_size, rule, rule_state, step.schedule(step_state),
              average)
    if out is None:
        return None
    y, total, met, done, average_state, rule_state = out
    # A rule that extrapolates hands back the point of the next gradient; the
    # iterate is in its state (none yet if no batch was stepped).
    x = rule.last(rule_state) if rule.extrapolates and done else y
    step_state = step.advance(step_state, done)
    if average_state is not None:
        average_state["last"] = x
    state = (rule_state, step_state, average_state)
    # Fewer steps than batches: a batch blew up, and x is the last iterate before it.
    blew_up = done < -(-problem.n_samples // options.batch_size)
    return x, y, np.inf if blew_up else total / met, step_state["eta"], state


def _initial_state(rule, step, x0, state, average):
    """``(rule_state, step_state, average_state)``: ``state`` continued, or
    begun at ``x0``; the averaging's part is None without averaging."""
    rule_state, step_state, *kept = initial_state(rule, step, x0, state)
    if average is None:
        return rule_state, step_state, None
    # A stream may turn averaging on between its calls.
    return rule_state, step_state, kept[0] if kept and kept[0] is not None else average.init()


def _reported(average, x, state):
    """The iterate an epoch hands on: ``x``, or the mean with averaging."""
    return x if average is None else average.value(x, state[2])


def _order(n, shuffle, random_state):
    return random_state.permutation(n) if shuffle else None


def _after_epoch(options, blown_up, patience, step, x, f, stop, state):
    """The status after an epoch (None to go on) and the state, its step
    shrunk if the epochs stalled and the schedule can."""
    if blown_up(f, np.zeros(0)):
        return "diverged", state
    if options.callback is not None and callback_stops(options.callback, x, f, None,
                                                       stop.nit, stop.eta):
        return "callback", state
    if options.warn and patience.stalled(x, -f):
        shrunk, step_state = step.decay(state[1])
        if not shrunk:
            early = options.early_stopping is not None
            return ("early_stopping" if early else "converged"), state
        state = (state[0], step_state, state[2])
        patience.reset()
    if options.time_limit.passed():
        return "max_time", state
    return None, state


def _message(problem, options, stop, x, record):
    """Why the epochs stopped, in words."""
    nit, tol = stop.nit, options.tol
    if stop.status == "diverged" and nit:
        # The epoch objective that blew up, not the objective at the last
        # finite iterate, which the loop hands back.
        return reason_message("diverged", nit, record.f0, record.losses[-1], None, tol,
                              stop.eta)
    if stop.status == "max_time":
        f, g = problem.value_and_grad(x)
        return options.time_limit.message(nit, "epochs", problem.stationarity(x, g, f), tol,
                                          measure_name(problem))
    if stop.status == "converged":
        return (f"Converged after {nit} epochs: the epoch objective improved by less "
                f"than tol={tol:g} for {options.patience} epochs in a row.")
    if stop.status == "early_stopping":
        return (f"Stopped early after {nit} epochs: the validation score stopped "
                "improving; the best iterate is kept.")
    if stop.status == "max_iter":
        return (f"Mini-batch descent stopped at max_iter={nit} epochs before the epoch "
                "objective stopped improving. Increase max_iter or tol, or try another "
                "learning_rate.")
    # The callback's, and a start that is not finite: the full-batch words,
    # which need no gradient.
    return reason_message(stop.status, nit, record.f0, None, None, tol, stop.eta)
