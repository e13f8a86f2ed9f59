"""Parameter documentation that both estimators share, written once."""

SHARED_PARAMETERS = r"""    solver : {"gd", "momentum", "nesterov"}, default="gd"
        The update rule, from the gradient :math:`g_k` to the direction
        :math:`d_k` of the step :math:`\theta_{k+1} = \theta_k - \eta d_k`:

        - ``"gd"``: plain gradient descent, :math:`d_k = g_k`.
        - ``"momentum"`` (heavy ball): :math:`v_{k+1} = \mu v_k + g_k`,
          :math:`d_k = v_{k+1}`.
        - ``"nesterov"`` (accelerated): :math:`v_{k+1} = \mu_k v_k + g_k`,
          :math:`d_k = g_k + \mu_{k+1} v_{k+1}`, with Nesterov's momentum
          schedule :math:`\mu_k = k/(k+3)`, restarted (:math:`k = 0`,
          :math:`v = 0`) whenever :math:`\langle g_k, d_{k-1} \rangle < 0`,
          that is, when the last step went uphill.

        The stopping test is on the gradient whatever the solver.
        ``"line_search"`` and ``"bb"`` work with ``"gd"`` only.
    momentum : float in [0, 1), default=0.9
        The momentum :math:`\mu` of ``"momentum"``; ignored by ``"gd"`` and
        by ``"nesterov"``, whose momentum follows its schedule.
    warm_start : bool, default=False
        Start the descent from the coefficients of the previous ``fit``
        instead of zeros (they must have the same shape).
    verbose : int >= 0, default=0
        If positive, print one line per iteration: the objective, the step
        size and the largest absolute component of the gradient.
"""

MARKER = "    <solver, momentum, warm_start and verbose>\n"


def with_shared_parameters(cls):
    """Put :data:`SHARED_PARAMETERS` in place of the marker in ``cls``'s docstring."""
    if cls.__doc__ is not None:  # docstrings are stripped under python -OO
        cls.__doc__ = cls.__doc__.replace(MARKER, SHARED_PARAMETERS)
    return cls
