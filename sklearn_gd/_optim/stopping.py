"""When a descent stops: the patience count, the blow-up watch, the time limit,
and why it stopped, in words.

One patience vocabulary serves every test that waits for progress: a value
makes progress when it beats a reference by more than a tolerance, and
``patience`` values in a row without progress stop the wait. The
estimators' ``n_iter_no_change`` is that patience, counted in steps of the
full-batch descent for the ``"adaptive"`` schedule, in epochs of the
mini-batch descent, and in steps or epochs, whichever the descent takes, for
early stopping. Two references serve:

- :func:`count_stalls` (the step's schedule and the epochs' test, as
  scikit-learn's SGD estimators count): the best value so far, and ``tol``
  absolute;
- :class:`EarlyStopping`: the validation loss at the last progress, and
  ``tol`` relative to it, so that a loss still falling by small steps, which
  add up to more than ``tol`` within the patience, is never taken for a
  stall.
"""

import math
import time

import numpy as np

from .._reductions import max_abs, norm

# An objective this many times its own scale above where it started has blown
# up: a convergent gradient method never climbs that far.
BLOWUP_FACTOR = 1e4


def count_stalls(best, stalls, value, tol):
    """One count of patience: ``(best, stalls, new_best)`` after ``value``.

    ``stalls`` counts the values in a row that did not beat ``best`` by more
    than ``tol``; ``new_best`` says that ``value`` is the best so far (by any
    margin).
    """
    stalls = stalls + 1 if value <= best + tol else 0
    new_best = bool(value > best)
    return (value if new_best else best), stalls, new_best


class Patience:
    """Counts epochs without progress, as scikit-learn's ``n_iter_no_change``.

    :meth:`stalled` is true once ``patience`` values in a row made none
    (:func:`count_stalls`; a value is higher-is-better: pass minus the epoch
    objective).
    """

    def __init__(self, patience, tol):
        self.patience, self.tol = patience, tol
        self.best, self._stalls = -np.inf, 0

    def stalled(self, x, value):
        self.best, self._stalls, _ = count_stalls(self.best, self._stalls, value, self.tol)
        return self._stalls >= self.patience

    def reset(self):
        """Count afresh (after the step was shrunk)."""
        self._stalls = 0


class EarlyStopping:
    """Early stopping on a validation loss, as scikit-learn's SGD and MLP
    estimators do it, with the improvement measured relatively.

    After each step (full batches) or epoch, ``loss(x)``, the validation
    loss, is compared with the loss at the last progress: it makes progress
    when it falls below that reference by more than ``tol`` times its size.
    ``patience`` values in a row without progress stop the descent, and the
    iterate of the least validation loss seen (the first, if tied) is kept in
    ``best_x``. ``scores`` records minus the losses (higher is better, as
    scikit-learn's ``validation_scores_``).
    """

    def __init__(self, patience, tol, loss):
        self.patience, self.tol, self.loss = patience, tol, loss
        self.best_loss, self.best_x, self.scores = np.inf, None, []
        self._reference, self._stalls = None, 0

    def stalled(self, x, value=None):
        loss = self.loss(x)
        self.scores.append(-loss)
        if loss < self.best_loss:
            self.best_loss, self.best_x = loss, x.copy()
        reference = self._reference
        if reference is None or loss < reference - self.tol * abs(reference):
            self._reference, self._stalls = loss, 0
        else:
            self._stalls += 1
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
        self._g0_size = None if g0 is None else norm(g0)
        self._scale = None

    def __call__(self, f, g):
        if not finite(f, g):
            return True
        if self._scale is None:
            change = abs(f - self.f0)
            if self._g0_size is None:
                self._scale = abs(self.f0) or change
            else:
                # Zero up to rounding, against a change that the test on the
                # gradient below has already found sound.
                self._scale = change if abs(self.f0) <= 1e-8 * change else abs(self.f0)
                if f > self.f0 and norm(g) > BLOWUP_FACTOR**0.5 * self._g0_size:
                    return True
        rise_limit = BLOWUP_FACTOR * max(self._scale, self.f0 - self._best)
        self._best = min(self._best, f)
        return f - self.f0 > rise_limit


class LeastCurvature:
    r"""The least curvature a descent has met since its coordinates were
    last measured along every direction, for a stopping test that reads the
    gradient against a curvature.

    A problem whose test is relative (``relative_test``) reads its gradient
    against its ``curvature`` :math:`\bar d`, the mean one: where the
    curvature along every direction is about :math:`\bar d`, a gradient
    :math:`g` says the optimum is :math:`g^2 / (2 \bar d)` away. A step
    that a line search or Barzilai-Borwein's rule chose says more: BB's step
    :math:`\eta` is the inverse of the curvature the last step met, and a
    search that accepted :math:`\eta` found no more along it. So a step
    :math:`r = \eta \bar d > 1` times Newton's says that some direction is
    :math:`r` times flatter than the test assumes, and a gradient along it
    :math:`r` times further from its optimum than the test reads. The test
    is then taken at the least such curvature (the problem's
    ``stationarity(x, g, f, flatness=r)``), until the problem measures its
    curvature along every direction (a ``whole_metric`` one, whitened
    coordinates), which takes the flat directions into its coordinates.
    Coordinates standardized again keep :math:`r`: their scales, measured
    column by column, see no direction across columns. Without it, a
    3000 x 1500 binary fit of raw values from 0 to 999, mostly zeros and
    nearly separable, passed the test 7.2e-4 above its optimum after 156
    iterations, 37 steps after one 890 times Newton's; with it, 230
    iterations to 5e-7.

    Only where the step sizes search (``active``): a constant step says
    nothing of the curvature.
    """

    def __init__(self, active):
        self.active, self.ratio = active, 1.0

    def stepped(self, problem, eta):
        """After a step of length ``eta`` in ``problem``'s coordinates."""
        if self.active and getattr(problem, "relative_test", False):
            self.ratio = max(self.ratio, eta * problem.curvature)

    def measured(self, problem):
        """After a change of coordinates to ``problem``."""
        if getattr(problem, "whole_metric", False):
            self.ratio = 1.0

    def stationarity(self, problem, x, g, f):
        """``problem.stationarity(x, g, f)``, read at the least curvature met
        (the problem's own ``flatness`` argument)."""
        if self.ratio == 1.0:
            return problem.stationarity(x, g, f)
        return problem.stationarity(x, g, f, flatness=self.ratio)


class TimeLimit:
    """The wall-clock budget of a fit: ``max_time`` seconds (None: no limit)
    from the moment it is created.

    The loops ask it between steps (between mini-batches), so a descent
    overruns its budget by at most one step, never by a whole run.
    """

    def __init__(self, max_time=None):
        self.max_time = max_time
        self._end = None if max_time is None else time.perf_counter() + max_time

    def passed(self):
        return self._end is not None and time.perf_counter() >= self._end

    def message(self, nit, unit, measure, tol, name="max |gradient|"):
        """Why the descent stopped at the limit, after ``nit`` ``unit``, with
        the stopping test's ``measure`` (its ``name`` in words)."""
        return (
            f"Gradient descent stopped at max_time={self.max_time:g} seconds after "
            f"{nit} {unit}, with {name} = {grad_size(measure):.3g} > tol="
            f"{tol:g}. Increase max_time, or try another learning_rate or solver."
        )


# The size the stopping test takes of what it measures: the largest absolute
# component (the standardized objective reads it too, for its flatness).
grad_size = max_abs


def finite(f, g):
    return math.isfinite(f) and bool(np.isfinite(g).all())


def warning_message(status, options, name="max |gradient|"):
    """The warning of a descent stopped by ``status`` under ``options``: the
    same words for every such descent (no figure of this one's, which would
    keep Python from merging repeated warnings), and what to do about it.
    ``name`` is what the stopping test measures, in words."""
    tol, unit = options.tol, "iterations" if options.batch_size is None else "epochs"
    if status == "max_time":
        return (f"Gradient descent stopped at max_time={options.time_limit.max_time:g} "
                f"seconds before meeting tol={tol:g}. Increase max_time, or try another "
                "learning_rate or solver.")
    if status == "line_search_failed":
        return (f"Gradient descent stopped before meeting tol={tol:g}: the line search "
                "found no step with a sufficient decrease (floating-point noise, "
                "usually). Increase tol, or scale the features.")
    if options.batch_size is not None:
        return (f"Mini-batch descent stopped at max_iter={options.max_iter} epochs "
                "before the epoch objective stopped improving. Increase max_iter or "
                "tol, or try another learning_rate.")
    return (f"Gradient descent stopped at max_iter={options.max_iter} {unit} before "
            f"{name} <= tol={tol:g}. Increase max_iter or tol, try another "
            "learning_rate, or scale the features.")


def reason_message(status, nit, f0, f, g, tol, eta, name="max |gradient|"):
    """Why the full-batch descent stopped, in words; ``g`` is what the
    stopping test measures, ``name`` that in words."""
    if status == "converged":
        return f"Converged after {nit} iterations: {name} <= tol={tol:g}."
    if status == "early_stopping":
        return (f"Stopped early after {nit} iterations: the validation score "
                "stopped improving; the best iterate is kept.")
    if status == "max_iter":
        return (
            f"Gradient descent stopped at max_iter={nit} iterations with "
            f"{name} = {grad_size(g):.3g} > tol={tol:g}. Increase max_iter "
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
