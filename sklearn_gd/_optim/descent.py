r"""The full-batch descent loop that every estimator and :func:`minimize` run.

One iteration::

    if max |s_k| <= tol: stop ("converged")       s_k = stationarity(x_k, g_k, f_k)
    d_k, state = rule.update(g(y_k), state)
    eta_k, x_{k+1}, f_{k+1}, g_{k+1} = step(problem, y_k, f(y_k), g(y_k), d_k)
    if f_{k+1} is non-finite or blew up: stop ("diverged")
    if the validation score stalled: stop ("early_stopping")
    if max_time seconds have passed: stop ("max_time")
    y_{k+1} = rule.extrapolate(x_{k+1})          (FISTA only; else y = x)

``s_k`` is the gradient for a smooth problem and the subgradient of least
size otherwise. The test comes first so that the last iterate is tested too; a
test on the drop of the objective would stop long before the optimum on an
ill-conditioned problem. Where the step sizes search and the problem's test
is relative (it reads the gradient against a curvature), ``s_k`` is read at
the least curvature the steps have met since the coordinates were last
measured along every direction
(:class:`~sklearn_gd._optim.stopping.LeastCurvature`): a long step says a
direction is flatter than the test assumes.

A problem that can change its own coordinates (``rescaled(x, g, nit)``, the
estimators' standardized objective) is asked to at iteration
:data:`RESCALE_AFTER` and at every doubling of it (10, 20, 40, ...,
:data:`RESCALE_GROWTH`), or on the problem's own schedule (``rescale_after``
and ``rescale_growth``); a problem that names ``rescale_beyond`` is also
asked after any step longer than it, at least :data:`RESCALE_GAP` iterations
after the last ask (a gap that doubles each time the problem keeps its
coordinates), and at least the problem's ``rescale_spacing`` where it names
one (what a measure costs, in passes); and at a point that passes the
stopping test, where the problem names ``remeasure_at_stop`` and unless
asked there already; new coordinates take the test again (it reads the
gradient against the curvature measured last, which a skewed column moves
between the asks). All of this
when the step size finds its own steps (``step.searches``) and nothing else
keeps iterates (early stopping): it hands back itself in the new
coordinates with ``x`` and ``g`` in them (the value is the same and the
gradient follows the chain rule, so no pass is needed), or None to go on as
it is. The rule and the step size then start afresh from the
new point, the step size with its last step, or the problem's
``newton_step`` where it names a shorter one; unless ``x`` itself comes back,
which says that the coordinates (so the values and gradients) are the same
and only what ``stationarity`` measures has changed, and the descent goes on
with its state. Points leave the loop (the
path, the callbacks, the result's ``x``) in the problem's ``to_original``
coordinates, the same whatever the changes.
"""

import numpy as np

from .problem import measure_name, original
from .record import Record, callback_stops
from .result import Stop, finish
from .step_sizes import LineSearchFailed
from .stopping import BlowUpWatch, LeastCurvature, finite, grad_size

# The iteration of the first change of coordinates; the next ones at its
# doublings, so that a descent of k iterations is asked about log2(k) times.
RESCALE_AFTER = 10
RESCALE_GROWTH = 2
# The fewest iterations between two asks prompted by a long step.
RESCALE_GAP = 2


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
        record = Record(options.record_path, original(problem, x), f, g)
        rule_state, step_state = initial_state(rule, step, x, state)
        if rule.extrapolates and rule.lookahead(rule_state) is not x:
            y = rule.lookahead(rule_state)
            fy, gy = problem.value_and_grad(y)
        blown_up = BlowUpWatch(f, g)
        stop = Stop(None if finite(f, g) else "diverged", 0, step_state["eta"])
        least = LeastCurvature(step.searches)
        rescales = _Rescales(problem, rule, step, options, least)
        while stop.status is None:
            if grad_size(least.stationarity(problem, x, g, f)) <= options.tol:
                if rescales.confirms(problem, stop.nit):
                    changed, problem, x, f, g, rule_state, step_state = rescales.ask(
                        problem, x, f, g, rule, step, (rule_state, step_state), stop.nit)
                    y, fy, gy = x, f, g
                    if changed:  # tested again, in the new measure
                        continue
                stop.status = "converged"
            elif stop.nit == options.max_iter:
                stop.status = "max_iter"
            else:
                if rescales.due(problem, stop):
                    _, problem, x, f, g, rule_state, step_state = rescales.ask(
                        problem, x, f, g, rule, step, (rule_state, step_state), stop.nit)
                    y, fy, gy = x, f, g
                d, rule_state = rule.update(gy, rule_state)
                try:
                    stop.eta, x, f, g, step_state = step(problem, y, fy, gy, d, step_state)
                except LineSearchFailed as exc:
                    stop.status = "line_search_failed"
                    stop.message = f"Stopped after {stop.nit} iterations: {exc}."
                    break
                stop.nit += 1
                least.stepped(problem, stop.eta)
                record.add(original(problem, x) if record.keeps_path else x, f)
                stop.status = _after_step(options, blown_up, problem, x, f, g, stop, least)
                y, fy, gy = x, f, g
                if stop.status is None and rule.extrapolates:
                    y, rule_state = rule.extrapolate(x, rule_state)
                    fy, gy = problem.value_and_grad(y)
    x, f, g = _best_if_early_stopped(problem, options.early_stopping, x, f, g)
    measure = least.stationarity(problem, x, g, f)
    if stop.status == "max_time":
        stop.message = options.time_limit.message(
            stop.nit, "iterations", measure, options.tol, measure_name(problem))
    return finish(problem, options, record, stop, (x, f, g), (rule_state, step_state),
                  measure)


def _rescale(problem, x, f, g, rule, step, state, nit):
    """The problem in new coordinates if it changes them at ``x``, the point
    and gradient in them, and the rule and step size begun afresh (the step
    size from its last step, or the problem's shorter ``newton_step``); else
    all as it was."""
    changed = problem.rescaled(x, g, nit)
    if changed is None:
        return problem, x, f, g, *state
    if changed[1] is x:  # the same coordinates, only what the test measures is new
        return changed[0], x, f, g, *state
    problem, x, g = changed  # the same value, the gradient by the chain rule
    eta = state[1]["eta"]
    newton = getattr(problem, "newton_step", None)
    return problem, x, f, g, rule.init(x), {
        **step.init(), "eta": eta if newton is None else min(eta, newton)}


class _Rescales:
    """When the descent asks the problem for new coordinates (module docstring)."""

    def __init__(self, problem, rule, step, options, least):
        self.least = least  # the stopping test's LeastCurvature, told of new coordinates
        self.at = None  # the next iteration of the fixed schedule; None: never ask
        if (getattr(problem, "rescaled", None) is not None and step.searches
                and not rule.extrapolates and options.early_stopping is None):
            self.at = getattr(problem, "rescale_after", RESCALE_AFTER)
        self.gap, self.earliest = RESCALE_GAP, RESCALE_GAP
        self.asked = None  # the iteration of the last ask

    def due(self, problem, stop):
        """Whether to ask ``problem`` now, after ``stop.nit`` steps, the last
        of length ``stop.eta``."""
        if self.at is None:
            return False
        if stop.nit == self.at:
            self.at = int(self.at * getattr(problem, "rescale_growth", RESCALE_GROWTH))
            return True
        beyond = getattr(problem, "rescale_beyond", None)
        return beyond is not None and stop.nit >= self.earliest and stop.eta > beyond

    def confirms(self, problem, nit):
        """Whether to ask ``problem`` at a point that passes the stopping
        test: where it says its ``remeasure_at_stop``, unless asked there
        already (the test means what it says only in coordinates measured
        near the point)."""
        return (self.at is not None and nit > 0 and self.asked != nit
                and getattr(problem, "remeasure_at_stop", False))

    def ask(self, problem, x, f, g, rule, step, state, nit):
        """``(changed, problem, x, f, g, rule_state, step_state)`` after asking
        ``problem`` at ``x`` (:func:`_rescale`), ``changed`` whether it
        answered with another problem."""
        answer = _rescale(problem, x, f, g, rule, step, state, nit)
        changed = answer[0] is not problem
        self.answered(changed, nit, answer[0])
        return (changed, *answer)

    def answered(self, changed, nit, problem):
        """After an ask at iteration ``nit``: the next long step may ask again
        ``gap`` iterations on, and twice as many after an ask that changed
        nothing (whose measure still costs its passes); never sooner than
        ``problem``'s ``rescale_spacing``, where it names one."""
        if changed:
            self.least.measured(problem)
        self.gap = self.gap if changed else 2 * self.gap
        self.earliest = nit + max(self.gap, getattr(problem, "rescale_spacing", 0))
        self.asked = nit


def _after_step(options, blown_up, problem, x, f, g, stop, least):
    """The status after a full-batch step: None to go on (``least``, the
    :class:`~sklearn_gd._optim.stopping.LeastCurvature` the test reads at)."""
    if blown_up(f, g):
        return "diverged"
    if options.early_stopping is not None and options.early_stopping.stalled(x):
        return "early_stopping"
    if options.callback is not None and callback_stops(
            options.callback, original(problem, x), f, g, stop.nit, stop.eta,
            (measure_name(problem), grad_size(least.stationarity(problem, x, g, f)))):
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
