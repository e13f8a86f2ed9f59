"""The public face of the descent core."""

from numbers import Integral, Real

import numpy as np

from .._backends.namespace import dispatched_namespace, on_device, to_device, to_host
from .._optim.config import make_rule_and_step
from .._optim.descent import descend
from .._optim.options import DescentOptions
from .._optim.stopping import TimeLimit
from .._sklearn_compat import Interval, validate_params
from .constraints import LEARNING_RATE_CONSTRAINT, SOLVER_CONSTRAINTS
from .docstrings import with_shared_parameters
from .function import FunctionProblem
from .warn import warn_at_caller


@validate_params(
    {
        "fun": [callable],
        "x0": ["array-like", Real],
        "jac": [callable, "boolean"],
        "learning_rate": LEARNING_RATE_CONSTRAINT,
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
        "callback": [callable, None],
        "record_path": ["boolean"],
        "lipschitz": [Interval(Real, 0, None, closed="neither"), None],
        "l1": [Interval(Real, 0, None, closed="left")],
        **SOLVER_CONSTRAINTS,
    },
    prefer_skip_nested_validation=True,
)
@with_shared_parameters
def minimize(
    fun,
    x0,
    *,
    jac,
    learning_rate="auto",
    max_iter=1000,
    tol=1e-6,
    max_time=None,
    callback=None,
    record_path=False,
    lipschitz=None,
    l1=0.0,
    solver="gd",
    momentum=0.9,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    schedule="constant",
    power_t=0.5,
    n_iter_no_change=10,
):
    r"""Minimize a differentiable function by gradient descent.

    Each iteration takes the step

    .. math:: x_{k+1} = x_k - \eta_k d_k

    along the direction :math:`d_k` of the ``solver`` (the gradient
    :math:`\nabla f(x_k)` itself for plain gradient descent), and the descent
    stops as soon as :math:`\max_j |\nabla f(x_k)_j| \le`
    ``tol``, or after ``max_iter`` steps. This is the same loop the estimators
    run.

    Parameters
    ----------
    fun : callable
        The objective, ``fun(x) -> float``; with ``jac=True``,
        ``fun(x) -> (float, ndarray)``, the value and the gradient
        (scipy's convention).
    x0 : array-like or float
        The starting point, of any shape; ``x`` passed to ``fun`` has this
        shape. Integer input is converted to float64; float32 stays float32.
        Under ``sklearn.config_context(array_api_dispatch=True)``, an array of
        another array API library (PyTorch, CuPy, ...): ``fun`` and ``jac``
        then receive arrays of that library on ``x0``'s device, and the
        result's ``x`` and ``jac`` are such arrays too. The loop itself keeps
        ``x`` on the host (see :mod:`sklearn_gd._backends.namespace`).
    jac : callable or True
        The gradient, ``jac(x) -> ndarray`` of the shape of ``x0``, or True
        when ``fun`` returns it. Gradient descent needs it: there is no
        finite-difference fallback.
    learning_rate : float > 0, "auto", "lipschitz", "line_search" or "bb", default="auto"
        The step size :math:`\eta_k`.

        - A float: the constant textbook step :math:`\eta_k = \eta`.
        - ``"auto"``: the library's choice, ``"bb"`` for ``solver="gd"`` on
          the ``"constant"`` schedule (from :math:`\eta_0 = 1` without
          ``lipschitz``: its line search makes it safe on any function),
          ``"lipschitz"`` for every other solver and schedule.
        - ``"lipschitz"``: :math:`\eta = 1/L` when ``lipschitz=L`` is given
          (the step that guarantees a decrease for a gradient that is
          :math:`L`-Lipschitz); otherwise, for ``solver="gd"`` on the
          ``"constant"`` schedule, a backtracking step that starts at 1,
          halves until the Armijo condition of ``"line_search"`` holds, and
          never grows again, so it settles on a safe constant step.
        - ``"line_search"``: Armijo backtracking at every step, starting from
          twice the last accepted step and halving until
          :math:`f(x_k - \eta g_k) \le f(x_k) - \tfrac12 \eta \|g_k\|^2`.
        - ``"bb"``: the Barzilai-Borwein step
          :math:`\eta_k = \langle s, s \rangle / \langle s, y \rangle` with
          :math:`s = x_k - x_{k-1}`, :math:`y = g_k - g_{k-1}` (starting from
          :math:`1/L` with ``lipschitz``, else 1), halved until
          :math:`f(x_k - \eta_k g_k) \le \max_{0 \le j < 10} f(x_{k-j})
          - \tfrac12 \eta_k \|g_k\|^2`, the Armijo condition against the
          largest of the last 10 objectives (a non-monotone safeguard).
          ``"line_search"`` and ``"bb"`` work with ``solver="gd"`` only.
    max_iter : int >= 0, default=1000
        The most steps to take.
    tol : float >= 0, default=1e-6
        The descent has converged when the largest absolute component of the
        gradient is at most ``tol``.
    <max_time>
    callback : callable or None, default=None
        Called after each step as ``callback(intermediate_result)``, with a
        :class:`DescentResult` holding ``x``, ``fun``, ``jac``, ``nit`` and
        ``learning_rate``. Returning True or raising :class:`StopIteration`
        stops the descent.
    record_path : bool, default=False
        Keep every iterate in ``result.path`` (memory grows with the
        iterations).
    lipschitz : float > 0 or None, default=None
        A Lipschitz constant :math:`L` of the gradient: the step of
        ``"lipschitz"`` and the first step of ``"bb"``, and so, either way,
        of ``"auto"``.
    l1 : float >= 0, default=0.0
        Minimize :math:`f(x) + \lambda \|x\|_1` with :math:`\lambda` =
        ``l1`` instead: each step is followed by the soft-threshold
        :math:`x \leftarrow \mathrm{sign}(x) \max(|x| - \eta \lambda, 0)`
        (proximal gradient, ISTA; FISTA with ``solver="nesterov"``), the
        line searches test the proximal sufficient decrease, ``tol`` applies
        to the subgradient of least size, and ``fun`` in the result and the
        loss curve include the L1 term. The adaptive solvers cannot take it.
    <solver parameters>
    Returns
    -------
    result : DescentResult
        ``x``, ``fun``, ``jac``, ``nit``, ``success``, ``status``,
        ``message``, ``learning_rate``, ``loss_curve`` (the objective at each
        iterate, ``x0`` first) and ``path`` (the iterates, ``x0`` first, or
        None). A diverging descent is not an error here: it stops with
        ``success=False`` and ``status="diverged"``, and its path shows it.

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` or ``max_time`` is reached, or the line search
        cannot decrease the objective, before the gradient test is met.

    Examples
    --------
    The bowl :math:`f(w) = w^2` from :math:`w = 4`:

    >>> from sklearn_gd import minimize
    >>> res = minimize(lambda w: w**2, 4.0, jac=lambda w: 2 * w,
    ...                learning_rate=0.35, record_path=True)
    >>> res.success, res.nit
    (True, 14)
    >>> res.path[:3].round(6)
    array([4.  , 1.2 , 0.36])
    """
    time_limit = TimeLimit(max_time)
    like = x0 if dispatched_namespace(x0) is not None else None
    if like is not None:
        x0 = to_host(x0)
        fun, jac = on_device(fun, like), on_device(jac, like)
    x0 = np.array(x0, copy=True)
    if not np.issubdtype(x0.dtype, np.floating):
        x0 = x0.astype(np.float64)
    if jac is False:
        raise ValueError(
            "minimize needs the gradient: pass jac=callable, or jac=True when fun "
            "returns (value, gradient)."
        )
    problem = FunctionProblem(fun, jac, x0.shape, lipschitz=lipschitz, l1=l1)
    rule, step = make_rule_and_step(
        problem, x0, learning_rate=learning_rate, solver=solver, momentum=momentum,
        beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, schedule=schedule,
        power_t=power_t, n_iter_no_change=n_iter_no_change,
    )
    options = DescentOptions(max_iter=max_iter, tol=tol, callback=callback,
                             record_path=record_path, time_limit=time_limit)
    result = descend(problem, x0, rule=rule, step=step, options=options)
    if result.warning is not None:
        warn_at_caller(result.warning)
    if like is not None:
        result.x, result.jac = to_device(result.x, like), to_device(result.jac, like)
    return result
