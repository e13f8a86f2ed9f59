"""The record of one descent, and how a loop hands it back."""

import numpy as np
from scipy.optimize import OptimizeResult

from .problem import measure_name, original
from .stopping import reason_message, warning_message


class DescentResult(OptimizeResult):
    """What a descent did, in the shape of :class:`scipy.optimize.OptimizeResult`.

    Attributes
    ----------
    x : ndarray
        The last iterate (the solution when ``success`` is true). It has the
        shape and dtype of ``x0``.
    fun : float or None
        The objective at ``x``; None after mini-batches (below).
    jac : ndarray or None
        The gradient at ``x``; likewise.
    nit : int
        The number of steps taken.
    success : bool
        True when the stopping test was met: the one on the gradient, the
        one on epochs for mini-batches, or early stopping.
    status : str
        Why the descent stopped: ``"converged"``, ``"max_iter"``,
        ``"max_time"``, ``"diverged"``, ``"line_search_failed"``,
        ``"early_stopping"`` or ``"callback"``.
    message : str
        The reason for stopping, in words.
    learning_rate : float
        The step size of the last step (the fixed step for a constant
        learning rate, ``1/L`` for ``"lipschitz"``, the last accepted step for
        a line search: ``"line_search"``, ``"bb"``, and ``"auto"`` with
        ``solver="gd"``).
    loss_curve : ndarray of shape (nit + 1,)
        The objective at every iterate, ``loss_curve[k] = fun(path[k])``;
        ``loss_curve[0]`` is the objective at ``x0``.
    times : ndarray of shape (nit + 1,)
        The wall time of every iterate: seconds since the descent began
        (``times[0] == 0.0``, measured by :func:`time.perf_counter`), to lay
        solvers side by side by time rather than by iteration.
    path : ndarray of shape ``(nit + 1, *x0.shape)`` or None
        The iterates, ``x0`` first, when ``record_path=True``; else None.
    validation_scores : ndarray of shape (nit,) or None
        With early stopping, the validation score after every step (epoch);
        else None.
    rule_state : object
        The update rule's state at the end (velocities, moments), from which
        a later descent can continue.
    step_state : dict
        The step size's state at the end (its next step, a schedule's count),
        likewise.
    average_state : dict or None
        The averaging's state at the end (mini-batches with averaging; else
        None), likewise.
    start_jac : ndarray or None
        The gradient at ``x0``; None after mini-batches.
    warning : str or None
        The :class:`~sklearn.exceptions.ConvergenceWarning` the descent
        deserves (it ended at ``max_iter`` or ``max_time``, or its line
        search failed), worded the same for every descent stopped so; None
        when it met its test. ``message`` has this descent's figures.

    With mini-batches, ``nit`` counts epochs, and ``loss_curve[k]`` for
    ``k >= 1`` is the mean of the mini-batch objectives met during epoch
    ``k`` (scikit-learn's ``loss_curve_``), not the objective at ``path[k]``;
    and no full gradient is taken, at ``x0`` or at ``x``: at small batches
    those passes over the data would cost as much as the epochs' own work.
    """


class Stop:
    """How a loop ended: ``status``, after ``nit`` steps, the last step
    ``eta``, and the ``message`` if the loop words it itself (else None)."""

    def __init__(self, status, nit, eta, message=None):
        self.status, self.nit, self.eta, self.message = status, nit, eta, message


def finish(problem, options, record, stop, point, state, measure=None):
    """The :class:`DescentResult` of a loop, with the warning it deserves.

    ``point`` is the final ``(x, f, g)``; ``state`` the rule's and the step
    size's, and the averaging's if it has a third part; ``measure`` what the
    stopping test measured there (``problem.stationarity`` by default).
    Without a message of the loop's own, the full-batch words of
    :func:`~sklearn_gd._optim.stopping.reason_message` say why it stopped.
    The warning (``result.warning``, None for none) is for the caller to
    raise, where the user's call is; its text is the same for every descent
    stopped for the same cause under the same options, so that repeated
    warnings merge, and the figures of this descent are in ``message``.
    """
    x, f, g = point
    message = stop.message
    if message is None:
        if measure is None:
            measure = problem.stationarity(x, g, f)
        message = reason_message(stop.status, stop.nit, record.f0, f, measure, options.tol,
                                 stop.eta, measure_name(problem))
    warn = options.warn and stop.status in ("max_iter", "max_time", "line_search_failed")
    early = options.early_stopping
    return DescentResult(
        x=original(problem, x), fun=f, jac=g, nit=stop.nit,
        success=stop.status in ("converged", "early_stopping"), status=stop.status,
        message=message, learning_rate=stop.eta,
        loss_curve=np.asarray(record.losses), times=np.asarray(record.times),
        path=record.path(),
        validation_scores=None if early is None else np.asarray(early.scores),
        rule_state=state[0], step_state=state[1],
        average_state=state[2] if len(state) > 2 else None, start_jac=record.start_jac,
        warning=warning_message(stop.status, options, measure_name(problem)) if warn else None,
    )
