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

import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .result import DescentResult
from .step_sizes import LineSearchFailed

# An objective this many times its own scale above where it started has blown
# up: a convergent gradient method never climbs that far.
BLOWUP_FACTOR = 1e4


def descend(
    problem, x0, *, rule, step, max_iter, tol, callback=None, record_path=False,
    early_stopping=None, state=None, time_limit=None, warn=True, stacklevel=2,
):
    """Descend ``problem`` from ``x0``; return a :class:`DescentResult`.

    ``early_stopping`` is None or a :class:`Patience` on a validation score,
    asked after every step; so is ``time_limit``, a :class:`TimeLimit`. ``state`` continues the rule's state of an
    earlier descent (``result.rule_state``). With ``warn`` (the default), warns with
    :class:`~sklearn.exceptions.ConvergenceWarning` when the descent ends
    without meeting ``tol`` (other than by divergence, early stopping or the
    callback), ``stacklevel`` frames above this function; never raises on
    divergence.
    """
    # Overflow and invalid values are how divergence shows itself; the loop
    # detects them and says so, instead of numpy warning mid-computation.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        x = y = x0
        f, g = fy, gy = problem.value_and_grad(x)
        record = Record(record_path, x, f, g)
        state = rule.init(x) if state is None else state
        if hasattr(rule, "lookahead") and rule.lookahead(state) is not x:
            y = rule.lookahead(state)
            fy, gy = problem.value_and_grad(y)
        blown_up = BlowUpWatch(f, g)
        eta, status, nit, message = step.eta, None, 0, None
        if not _finite(f, g):
            status = "diverged"
        while status is None:
            if _grad_size(problem.stationarity(x, g)) <= tol:
                status = "converged"
                break
            if nit == max_iter:
                status = "max_iter"
                break
            d, state = rule.update(gy, state)
            try:
                eta, x, f, g = step(problem, y, fy, gy, d)
            except LineSearchFailed as exc:
                status = "line_search_failed"
                message = f"Stopped after {nit} iterations: {exc}."
                break
            nit += 1
            record.add(x, f)
            status = _after_epoch(blown_up, early_stopping, callback, x, f, g, nit, eta,
                                  time_limit)
            y, fy, gy = x, f, g
            if status is None and hasattr(rule, "extrapolate"):
                y, state = rule.extrapolate(x, state)
                fy, gy = problem.value_and_grad(y)
    x, f, g = _best_if_early_stopped(problem, early_stopping, x, f, g)
    if status == "max_time":
        message = time_limit.message(nit, "iterations", problem.stationarity(x, g), tol)
    return finish(
        status, x, f, g, nit, eta, record, blown_up, tol, early_stopping, state,
        measure=problem.stationarity(x, g), message=message, warn=warn,
        stacklevel=stacklevel + 1,
    )


def _after_epoch(blown_up, early_stopping, callback, x, f, g, nit, eta, time_limit):
    """The status after an epoch (a full-batch step): None to go on."""
    if blown_up(f, g):
        return "diverged"
    if early_stopping is not None and early_stopping.stalled(x):
        return "early_stopping"
    if callback is not None and callback_stops(callback, x, f, g, nit, eta):
        return "callback"
    if time_limit is not None and time_limit.passed():
        return "max_time"
    return None


def _best_if_early_stopped(problem, early_stopping, x, f, g):
    """Early stopping hands back the best validated iterate, not the last."""
    if early_stopping is None or early_stopping.best_x is None:
        return x, f, g
    x = early_stopping.best_x
    f, g = problem.value_and_grad(x)
    return x, f, g


def finish(status, x, f, g, nit, eta, record, blown_up, tol, early_stopping, state,
           *, measure, message=None, warn=True, stacklevel=3):
    """The :class:`DescentResult` of a loop, with the warning it deserves.

    ``measure`` is the stationarity at ``x`` that the default ``message``
    reports.
    """
    if message is None:
        message = reason_message(status, nit, blown_up.f0, f, measure, tol, eta)
    if warn and status in ("max_iter", "max_time", "line_search_failed"):
        warnings.warn(message, ConvergenceWarning, stacklevel=stacklevel + 1)
    return DescentResult(
        x=x, fun=f, jac=g, nit=nit, success=status in ("converged", "early_stopping"),
        status=status, message=message, learning_rate=eta,
        loss_curve=np.asarray(record.losses), times=np.asarray(record.times),
        path=record.path(),
        validation_scores=(None if early_stopping is None
                           else np.asarray(early_stopping.scores)),
        rule_state=state, start_jac=record.start_jac,
    )


class TimeLimit:
    """The wall-clock budget of a fit: ``max_time`` seconds (None: no limit)
    from the moment it is created.

    The loops ask it between steps (between mini-batches), so a descent
    overruns its budget by at most one step, never by a whole run.
    """

    def __init__(self, max_time):
        self.max_time = max_time
        self._end = None if max_time is None else time.perf_counter() + max_time

    def passed(self):
        return self._end is not None and time.perf_counter() >= self._end

    def message(self, nit, unit, measure, tol):
        """Why the descent stopped at the limit, after ``nit`` ``unit``."""
        return (
            f"Gradient descent stopped at max_time={self.max_time:g} seconds after "
            f"{nit} {unit}, with max |gradient| = {_grad_size(measure):.3g} > tol="
            f"{tol:g}. Increase max_time, or try another learning_rate or solver."
        )


class Patience:
    """Counts epochs without progress, as scikit-learn's ``n_iter_no_change``.

    An epoch makes progress when its score beats the best so far by more
    than ``tol`` (a score is higher-is-better; pass minus an objective).
    :meth:`stalled` is true once ``patience`` epochs in a row made none.
    With ``score``, a function of the parameters (a validation score), the
    best parameters are kept in ``best_x``.
    """

    def __init__(self, patience, tol, score=None):
        self.patience, self.tol, self.score = patience, tol, score
        self.best, self.best_x, self.scores, self._stalls = -np.inf, None, [], 0

    def stalled(self, x, value=None):
        value = self.score(x) if self.score is not None else value
        self.scores.append(value)
        self._stalls = self._stalls + 1 if value <= self.best + self.tol else 0
        if value > self.best:
            self.best = value
            if self.score is not None:
                self.best_x = x.copy()
        return self._stalls >= self.patience

    def reset(self):
        """Count afresh (after the step was shrunk)."""
        self._stalls = 0


class BlowUpWatch:
    """Tells, step by step, whether the objective has blown up.

    Blown up means non-finite, or risen above its start by ``BLOWUP_FACTOR``
    times its own scale, or how far it had come down if that is more. The
    scale is the start's size; not the first step's change, which, were it
    counted, would let a first step that multiplied the objective by a
    thousand set the bar a thousand times higher for the steps after it. With
    the gradient ``g0`` at the start (full batches), the first step is also
    judged by the gradient, blown up if it rose with a gradient
    ``sqrt(BLOWUP_FACTOR)`` times longer (near an optimum the objective's
    excess grows as the gradient's square); a start at zero up to rounding
    (below 1e-8 of the first change), which has no size of its own, then
    takes the first change as its scale. Without ``g0`` (epochs) only an
    exact zero does, since nothing else judges the first epoch.
    """

    def __init__(self, f0, g0=None):
        self.f0 = self._best = f0
        self._g0_size = None if g0 is None else float(np.linalg.norm(g0))
        self._scale = None

    def __call__(self, f, g):
        if not _finite(f, g):
            return True
        if self._scale is None:
            change = abs(f - self.f0)
            if self._g0_size is None:
                self._scale = abs(self.f0) or change
            else:
                # Zero up to rounding, against a change that the test on the
                # gradient below has already found sound.
                self._scale = change if abs(self.f0) <= 1e-8 * change else abs(self.f0)
                if f > self.f0 and np.linalg.norm(g) > BLOWUP_FACTOR**0.5 * self._g0_size:
                    return True
        rise_limit = BLOWUP_FACTOR * max(self._scale, self.f0 - self._best)
        self._best = min(self._best, f)
        return f - self.f0 > rise_limit


def print_progress(info):
    """A callback that prints one line per iteration or epoch (``verbose``).

    A mini-batch epoch has no full gradient to report (``info.jac`` is None).
    """
    gradient = "" if info.jac is None else f", max |gradient| {_grad_size(info.jac):.4g}"
    unit = "Iteration" if info.jac is not None else "Epoch"
    print(f"{unit} {info.nit}: objective {info.fun:.8g}, step {info.learning_rate:.4g}"
          f"{gradient}")


def _grad_size(g):
    return float(np.max(np.abs(g))) if g.size else 0.0


def _finite(f, g):
    return bool(np.isfinite(f) and np.all(np.isfinite(g)))


def callback_stops(callback, x, f, g, nit, eta):
    info = DescentResult(x=x, fun=f, jac=g, nit=nit, learning_rate=eta)
    try:
        stop = callback(info)
        return isinstance(stop, (bool, np.bool_)) and bool(stop)
    except StopIteration:
        return True


def reason_message(status, nit, f0, f, g, tol, eta):
    """Why the descent stopped, in words."""
    if status == "converged":
        return f"Converged after {nit} iterations: max |gradient| <= tol={tol:g}."
    if status == "early_stopping":
        return (f"Stopped early after {nit} iterations: the validation score "
                "stopped improving; the best iterate is kept.")
    if status == "max_iter":
        return (
            f"Gradient descent stopped at max_iter={nit} iterations with "
            f"max |gradient| = {_grad_size(g):.3g} > tol={tol:g}. Increase max_iter "
            "or tol, try another learning_rate, or scale the features."
        )
    if status == "callback":
        return f"Stopped by the callback after {nit} iterations."
    if nit == 0:
        return "The objective or its gradient is not finite at the starting point."
    return (
        f"Diverged at iteration {nit}: the objective went from {f0:.6g} to {f:.6g} "
        f"with step size {eta:.6g}; the step is too large for this problem."
    )


class Record:
    """The objective and the wall time at every iterate and, on request, the
    iterates; the gradient at ``x0``. Times are seconds since the record
    began (0 at ``x0``)."""

    def __init__(self, keep_path, x0, f0, g0):
        self._start = time.perf_counter()
        self.losses, self.times = [f0], [0.0]
        self.start_jac = g0
        self._path = [x0.copy()] if keep_path else None

    def add(self, x, f):
        self.losses.append(f)
        self.times.append(time.perf_counter() - self._start)
        if self._path is not None:
            self._path.append(x.copy())

    def path(self):
        return None if self._path is None else np.stack(self._path)
