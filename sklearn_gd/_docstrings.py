"""Parameter documentation shared by ``minimize`` and both estimators, written once."""

SOLVER_PARAMETERS = r"""    solver : {"gd", "momentum", "nesterov", "adam", "adagrad", "rmsprop"}, default="gd"
        The update rule: from the gradient :math:`g_k` to the direction
        :math:`d_k`, and the step :math:`-\eta_k d_k` on the parameters.
        Squares, roots and divisions in the adaptive rules are per coordinate.

        - ``"gd"``: plain gradient descent, :math:`d_k = g_k`.
        - ``"momentum"`` (heavy ball): :math:`v_{k+1} = \mu v_k + g_k`,
          :math:`d_k = v_{k+1}`.
        - ``"nesterov"`` (accelerated): :math:`v_{k+1} = \mu_k v_k + g_k`,
          :math:`d_k = g_k + \mu_{k+1} v_{k+1}`, with Nesterov's momentum
          schedule :math:`\mu_k = k/(k+3)`, restarted (:math:`k = 0`,
          :math:`v = 0`) whenever :math:`\langle g_k, d_{k-1} \rangle < 0`,
          that is, when the last step went uphill.
        - ``"adam"``: :math:`m_{k+1} = \beta_1 m_k + (1 - \beta_1) g_k`,
          :math:`v_{k+1} = \beta_2 v_k + (1 - \beta_2) g_k^2`,
          :math:`d_k = \hat m / (\sqrt{\hat v} + \epsilon)` with
          :math:`\hat m = m_{k+1} / (1 - \beta_1^{k+1})` and
          :math:`\hat v = v_{k+1} / (1 - \beta_2^{k+1})`.
        - ``"adagrad"``: :math:`G_{k+1} = G_k + g_k^2`,
          :math:`d_k = g_k / (\sqrt{G_{k+1}} + \epsilon)`.
        - ``"rmsprop"``: :math:`v_{k+1} = \beta_2 v_k + (1 - \beta_2) g_k^2`,
          :math:`d_k = g_k / (\sqrt{v_{k+1} / (1 - \beta_2^{k+1})} +
          \epsilon)` (with Adam's bias correction).

        The stopping test is on the gradient whatever the solver.
        ``"line_search"`` and ``"bb"`` work with ``"gd"`` only.
    momentum : float in [0, 1), default=0.9
        The momentum :math:`\mu` of ``"momentum"``; ignored by the other
        solvers (``"nesterov"`` follows its own schedule).
    beta_1 : float in [0, 1), default=0.9
        Decay of Adam's first moment :math:`m`.
    beta_2 : float in [0, 1), default=0.999
        Decay of the second moment :math:`v` of ``"adam"`` and ``"rmsprop"``.
    epsilon : float > 0, default=1e-8
        Added to the root in ``"adam"``, ``"adagrad"`` and ``"rmsprop"``, so
        that no coordinate divides by zero.
    schedule : {"constant", "invscaling", "adaptive"}, default="constant"
        How a float (or ``"auto"``) learning rate :math:`\eta` changes along
        the descent:

        - ``"constant"``: :math:`\eta_k = \eta`.
        - ``"invscaling"``: :math:`\eta_k = \eta / k^{p}` at step
          :math:`k \ge 1`, :math:`p` = ``power_t``.
        - ``"adaptive"``: :math:`\eta`, divided by 5 each time
          ``n_iter_no_change`` steps in a row bring no new best objective
          (the best since the last division).

        With ``learning_rate="auto"``, the adaptive rules start from
        :math:`\eta = \max_j |g_{0,j}| / L` (the largest move of a first
        :math:`1/L` gradient step: their directions are about 1 per
        coordinate) and use ``"adaptive"`` in place of ``"constant"``, since a
        constant step may leave them jittering around the optimum. ``"line_search"`` and
        ``"bb"`` take the constant schedule only.
    power_t : float >= 0, default=0.5
        The exponent :math:`p` of ``"invscaling"``.
    n_iter_no_change : int >= 1, default=10
        The patience of ``"adaptive"``: steps without a new best objective
        before the step is divided by 5.
"""

FIT_PARAMETERS = r"""    warm_start : bool, default=False
        Start the descent from the coefficients of the previous ``fit``
        instead of zeros (they must have the same shape).
    verbose : int >= 0, default=0
        If positive, print one line per iteration: the objective, the step
        size and the largest absolute component of the gradient.
"""

MARKERS = {
    "    <solver parameters>\n": SOLVER_PARAMETERS,
    "    <fit parameters>\n": FIT_PARAMETERS,
}


def with_shared_parameters(obj):
    """Put the shared parameter texts in place of their markers in ``obj``'s docstring."""
    if obj.__doc__ is not None:  # docstrings are stripped under python -OO
        for marker, text in MARKERS.items():
            obj.__doc__ = obj.__doc__.replace(marker, text)
    return obj
