r"""The full-batch descent loop that every estimator and :func:`minimize` run.

One iteration::

    if max |s_k| <= tol: stop ("converged")       s_k = stationarity(x_k, g_k)
    d_k, state = rule.update(g(y_k), state)
    eta_k, x_{k+1}, f_{k+1}, g_{k+1} = step(problem, y_k, f(y_k), g(y_k), d_k)
    if f_{k+1} is non-finite or blew up: stop ("diverged")
    if the validation score stalled: stop ("early_stopping")
    if max_time seconds have passed: stop ("max_time")
    y_{k+1} = rule.extrapolate(x_{k+1})          (FISTA only; else y = x)

``s_k`` is the gradient for a smooth problem and the subgradient of least
size otherwise. The test comes first so that the last iterate is tested too; a
test on the drop of the objective would stop long before the optimum on an
ill-conditioned problem.
"""

import numpy as np

from .record import Record, callback_stops
from .result import Stop, finish
from .step_sizes import LineSearchFailed
from .stopping import BlowUpWatch, finite, grad_size


def initial_state(rule, step, x0, state):
    """``(rule_state, step_state)``: ``state`` continued, or both begun at ``x0``."""
    return (rule.init(x0), step.init()) if state is None else state


def descend(problem, x0, *, rule, step, options, state=None):
    """Descend ``problem`` from ``x0`` with the :class:`DescentOptions`
    ``options``; return a :class:`DescentResult`.

    ``state`` continues the rule's and the step size's state of an earlier
    descent (``(result.rule_state, result.step_state)``). Never raises on
    divergence.
    """
    # Overflow and invalid values are how divergence shows itself; the loop
    # detects them and says so, instead of numpy warning mid-computation.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        x = y = x0
        f, g = fy, gy = problem.value_and_grad(x)
        record = Record(options.record_path, x, f, g)
        rule_state, step_state = initial_state(rule, step, x, state)
        if rule.extrapolates and rule.lookahead(rule_state) is not x:
            y = rule.lookahead(rule_state)
            fy, gy = problem.value_and_grad(y)
        blown_up = BlowUpWatch(f, g)
        stop = Stop(None if finite(f, g) else "diverged", 0, step_state["eta"])
        while stop.status is None:
            if grad_size(problem.stationarity(x, g)) <= options.tol:
                stop.status = "converged"
            elif stop.nit == options.max_iter:
                stop.status = "max_iter"
            else:
                d, rule_state = rule.update(gy, rule_state)
                try:
                    stop.eta, x, f, g, step_state = step(problem, y, fy, gy, d, step_state)
                except LineSearchFailed as exc:
                    stop.status = "line_search_failed"
                    stop.message = f"Stopped after {stop.nit} iterations: {exc}."
                    break
                stop.nit += 1
                record.add(x, f)
                stop.status = _after_step(options, blown_up, x, f, g, stop)
                y, fy, gy = x, f, g
                if stop.status is None and rule.extrapolates:
                    y, rule_state = rule.extrapolate(x, rule_state)
                    fy, gy = problem.value_and_grad(y)
    x, f, g = _best_if_early_stopped(problem, options.early_stopping, x, f, g)
    if stop.status == "max_time":
        stop.message = options.time_limit.message(
            stop.nit, "iterations", problem.stationarity(x, g), options.tol)
    return finish(problem, options, record, stop, (x, f, g), (rule_state, step_state))


def _after_step(options, blown_up, x, f, g, stop):
    """The status after a full-batch step: None to go on."""
    if blown_up(f, g):
        return "diverged"
    if options.early_stopping is not None and options.early_stopping.stalled(x):
        return "early_stopping"
    if options.callback is not None and callback_stops(options.callback, x, f, g,
                                                       stop.nit, stop.eta):
        return "callback"
    if options.time_limit.passed():
        return "max_time"
    return None


def _best_if_early_stopped(problem, early_stopping, x, f, g):
    """Early stopping hands back the best validated iterate, not the last."""
    if early_stopping is None or early_stopping.best_x is None:
        return x, f, g
    x = early_stopping.best_x
    f, g = problem.value_and_grad(x)
    return x, f, g
