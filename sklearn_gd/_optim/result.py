"""The record of one descent."""

from scipy.optimize import OptimizeResult


class DescentResult(OptimizeResult):
    """What a descent did, in the shape of :class:`scipy.optimize.OptimizeResult`.

    Attributes
    ----------
    x : ndarray
        The last iterate (the solution when ``success`` is true). It has the
        shape and dtype of ``x0``.
    fun : float
        The objective at ``x``.
    jac : ndarray
        The gradient at ``x``.
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
    start_jac : ndarray
        The gradient at ``x0``.

    With mini-batches, ``nit`` counts epochs, and ``loss_curve[k]`` for
    ``k >= 1`` is the mean of the mini-batch objectives met during epoch
    ``k`` (scikit-learn's ``loss_curve_``), not the objective at ``path[k]``.
    """
