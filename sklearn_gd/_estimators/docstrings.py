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

        The stopping test is on the gradient whatever the solver (on the
        subgradient of least size when the objective has an L1 part).
        ``"line_search"`` and ``"bb"`` work with ``"gd"`` only.
    momentum : float in [0, 1), default=0.9
        The momentum :math:`\mu` of ``"momentum"``, and of ``"nesterov"`` on
        mini-batches (full-batch ``"nesterov"`` follows its own schedule);
        ignored by the other solvers.
    beta_1 : float in [0, 1), default=0.9
        Decay of Adam's first moment :math:`m`.
    beta_2 : float in [0, 1), default=0.999
        Decay of the second moment :math:`v` of ``"adam"`` and ``"rmsprop"``.
    epsilon : float > 0, default=1e-8
        Added to the root in ``"adam"``, ``"adagrad"`` and ``"rmsprop"``, so
        that no coordinate divides by zero.
    schedule : {"constant", "invscaling", "adaptive"}, default="constant"
        How a float (or ``"lipschitz"``) learning rate :math:`\eta` changes
        along the descent:

        - ``"constant"``: :math:`\eta_k = \eta`.
        - ``"invscaling"``: :math:`\eta_k = \eta / k^{p}` at step
          :math:`k \ge 1`, :math:`p` = ``power_t``.
        - ``"adaptive"``: :math:`\eta`, divided by 5 each time
          ``n_iter_no_change`` steps in a row bring no new best objective
          (the best since the last division).

        With ``learning_rate="lipschitz"`` (which ``"auto"`` means for every
        solver but ``"gd"``), the adaptive rules start from
        :math:`\eta = \max_j |g_{0,j}| / L` (the largest move of a first
        :math:`1/L` gradient step: their directions are about 1 per
        coordinate) and use ``"adaptive"`` in place of ``"constant"``, since a
        constant step may leave them jittering around the optimum.
        ``"line_search"`` and ``"bb"`` take the constant schedule only; with
        another schedule, ``"auto"`` means ``"lipschitz"`` for ``"gd"`` too.
    power_t : float >= 0, default=0.5
        The exponent :math:`p` of ``"invscaling"``.
    n_iter_no_change : int >= 1, default=10
        The patience of ``"adaptive"``: steps without a new best objective
        before the step is divided by 5. In the estimators it is also the
        patience, in epochs, of mini-batch descent and of early stopping (see
        ``batch_size`` and ``early_stopping``).
"""

PENALTY_PARAMETERS = r"""    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        The penalty on the coefficients (never on the intercept),
        :math:`P(W) = \alpha \rho \|W\|_1 + \tfrac{\alpha (1 - \rho)}{2}
        \|W\|_F^2` with :math:`\rho` = 0 for ``"l2"``, 1 for ``"l1"`` and
        ``l1_ratio`` for ``"elasticnet"``; None means no penalty (``alpha`` is
        then ignored). The L1 part is not differentiable: each step is followed
        by its proximal step, the soft-threshold
        :math:`w \leftarrow \mathrm{sign}(w) \max(|w| - \eta \alpha \rho, 0)`,
        so coefficients become exactly zero, and the stopping test measures
        the subgradient of least size. With it, full-batch ``"nesterov"`` is
        FISTA; the adaptive solvers cannot take it.
    l1_ratio : float in [0, 1], default=0.15
        The share :math:`\rho` of L1 in ``"elasticnet"``.
"""

BATCH_PARAMETERS = r"""    batch_size : int >= 1 or None, default=None
        None: full-batch descent, every step on the gradient of the whole
        objective. An int: mini-batch descent (1 is stochastic gradient
        descent), each step on the gradient of ``batch_size`` samples,
        weighted so that it estimates the full gradient without bias;
        ``max_iter`` then counts epochs (passes over the data), the
        ``learning_rate`` cannot be ``"line_search"`` or ``"bb"``, and
        ``"auto"`` means ``"lipschitz"``:
        :math:`1 / \mathcal{L}(b)` with :math:`\mathcal{L}(b)` the
        expected smoothness of the batches (Gower et al., 2019: :math:`L_{\max}`,
        the largest one-sample constant, for ``batch_size=1``, down to
        :math:`L` for the whole data), times :math:`1 - \mu` for
        ``"momentum"`` and ``"nesterov"`` (the adaptive solvers keep their
        full-batch ``"lipschitz"`` step), on the ``"adaptive"`` schedule, and
        ``"nesterov"`` takes the constant ``momentum``. The descent stops when
        the epoch objective (the mean of the mini-batch objectives met during
        the epoch, scikit-learn's ``loss_curve_``) has not fallen below its
        best by more than ``tol`` for ``n_iter_no_change`` epochs in a row;
        on the ``"adaptive"`` schedule that divides the step by 5 instead,
        until it has shrunk a millionfold.
    shuffle : bool, default=True
        Whether to shuffle the samples before each epoch (mini-batches only).
    average : bool or int >= 0, default=False
        Polyak-Ruppert averaging of the mini-batch iterates (``batch_size``
        set; scikit-learn's SGD estimators' ``average``). True averages from
        the first update, an int ``k`` once ``k`` samples have been seen
        (0 is False). Each update's iterate then joins the running mean
        :math:`\bar\theta_m = \bar\theta_{m-1} + (\theta_k -
        \bar\theta_{m-1}) / m`, and the mean is what ``coef_`` and
        ``intercept_`` report, what the epochs' callbacks, ``coef_path_``
        and early stopping see, while the descent goes on from the last
        iterate. The mean does not jitter with the batches, so a constant
        step reaches the accuracy that the raw iterates reach only with a
        step shrinking just right. ``partial_fit`` averages across its calls.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffles and the validation split; pass an int for
        reproducible fits.
    early_stopping : bool, default=False
        Set aside ``validation_fraction`` of the training data (stratified
        for the classifier) and measure the model's mean loss there
        (weighted as in training, without the penalty) after every epoch, or
        every step for full batches. A loss :math:`v_k` makes progress when
        :math:`v_k < v_r - \mathrm{tol}\, |v_r|`, :math:`v_r` the loss at
        the last progress (the first loss counts as progress): the
        improvement is relative, and small ones add up until they pass
        ``tol``. The descent stops after ``n_iter_no_change`` epochs (steps,
        for full batches) in a row without progress, and keeps the
        coefficients of the least validation loss. ``validation_scores_``
        records minus the losses.
    validation_fraction : float in (0, 1), default=0.1
        The share of the training data's sample weight set aside for early
        stopping (per class for the classifier). Rows are set aside by their
        values: identical rows always fall in the same part, so weighting a
        row by 2 and repeating it set aside the same data, and a class whose
        rows are all alike (a single row, say) is trained on only. Which
        rows depends on ``random_state``.
"""

FIT_PARAMETERS = r"""    precondition : "auto" or bool, default="auto"
        Descend full batches in standardized coordinates, the objective
        unchanged. With columns' means :math:`\mu_j` and scales :math:`s_j`
        the parameters are :math:`W'_j = s_j W_j` and
        :math:`b' = b + \mu^\top W`, the model the same,
        :math:`X W + b = X_c W' + b'` with :math:`X_c = (X - \mu) / s`,
        read from ``X`` itself (no copy; sparse ``X`` stays sparse). At the
        start :math:`\mu` and :math:`s` are the columns' weighted means and
        standard deviations (:math:`s_j^2 = \sigma_j^2 + \alpha (1 - \rho) /
        \bar d`, :math:`\bar d` the loss's mean curvature), so raw features,
        large offsets and mixed units converge as standardized ones do; as
        the descent goes they are measured again, weighted by the samples'
        curvatures where it has got to (at iterations 10, 20, 40, 80... and
        at a point that passes the stopping test), and the coordinates
        follow where a scale has moved by more than a factor of 2 (only for
        the ``"bb"`` and ``"line_search"`` steps, which find their steps in
        any coordinates). The stopping test is then relative and
        scale-free: :math:`\max_j |\partial J / \partial W'_j| / \sqrt{\bar d
        J} \le` ``tol``, the largest drop a Newton step along one coordinate
        would bring at most :math:`\mathrm{tol}^2 / 2` of :math:`J`.
        ``coef_``, ``intercept_``, the path, the loss curve and the
        callbacks are in the original coordinates; ``learning_rate_`` is
        the step in the new ones. Without an intercept the columns are
        scaled by their root mean square, not centered. ``"auto"``
        preconditions full-batch fits with a string ``learning_rate``, and
        not a float one, whose textbook step :math:`\eta` is meant in the
        original coordinates, nor mini-batches, which step the original
        coordinates (True with ``batch_size`` set is an error).
        ``partial_fit`` never preconditions: a stream's chunks have no
        common statistics.
    warm_start : bool, default=False
        Start the descent from the coefficients of the previous ``fit``
        instead of zeros (they must have the same shape). ``partial_fit``
        always continues from them.
    verbose : int >= 0, default=0
        If positive, print one line per iteration: the objective, the step
        size and what the stopping test compares with ``tol`` (the largest
        absolute component of the gradient of the smooth part, relative and
        scaled with ``precondition``); with mini-batches, one line per
        epoch: the epoch objective and the last step size.
    record_path : bool, default=False
        Keep the coefficients and intercepts after every iteration (every
        epoch, for mini-batches) in ``coef_path_`` and ``intercept_path_``,
        the start first, for :class:`~sklearn_gd.DescentPathDisplay`. Memory
        grows with the iterations. With ``early_stopping`` the fitted
        coefficients are the best validated ones, not the path's last entry;
        ``partial_fit`` records no path.
"""

PARTIAL_FIT = r"""        For data that comes in chunks: each call takes one pass of
        ``batch_size`` batches (one full-batch step when ``batch_size`` is
        None) over the chunk, keeping the update rule's state (momentum,
        moments) and the step size from call to call. Both are built on the
        first call (``"auto"`` is ``"lipschitz"`` here, from the first chunk,
        as for noisy mini-batches: a chunk's line search would test a
        different objective at each call) and
        kept, so parameters changed later take effect at the next ``fit``.
        There is no test on epochs and ``early_stopping`` is ignored; a
        full-batch call takes no step when the chunk's gradient already meets
        ``tol``.
"""

RECORDED_ATTRIBUTES = r"""    times_ : ndarray of shape (`n_iter_` + 1,)
        Seconds since the descent began at each iterate (per epoch for
        mini-batches), ``times_[0] == 0``; ``partial_fit`` extends it by the
        time spent in each call.
    coef_path_ : ndarray of shape ``(n_iter_ + 1, *coef_.shape)`` or None
        With ``record_path=True``, ``coef_path_[k]`` is ``coef_`` after
        ``k`` iterations (epochs for mini-batches), the start first; with
        ``early_stopping`` the kept ``coef_`` may be an earlier entry than the
        last. None otherwise, and after ``partial_fit``.
    intercept_path_ : ndarray of shape ``(n_iter_ + 1, *np.shape(intercept_))`` or None
        The intercepts along the same path; None with ``coef_path_``.
"""

AUTO_LEARNING_RATE = r"""        - ``"auto"``: the library's choice. ``"bb"`` for full-batch plain
          descent (``solver="gd"``, ``batch_size=None``,
          ``schedule="constant"``, in ``fit``), where it takes a small
          fraction of the iterations of :math:`1/L`; ``"lipschitz"`` for the
          other solvers, for mini-batches, for the other schedules and for
          ``partial_fit``, where no line search applies.
"""

MAX_TIME = r"""    max_time : float > 0 or None, default=None
        The most wall-clock seconds to spend, counted from the start of the
        descent (step-size setup included): when they have passed, the
        descent stops after the step (the mini-batch) under way and keeps
        its coefficients, with a
        :class:`~sklearn.exceptions.ConvergenceWarning` like ``max_iter``'s.
        None means no time limit. A guard for fits that must end in time,
        not a substitute for ``tol``: the iterate reached depends on the
        machine's speed.
"""

MARKERS = {
    "    <max_time>\n": MAX_TIME,
    "        <auto learning rate>\n": AUTO_LEARNING_RATE,
    "    <solver parameters>\n": SOLVER_PARAMETERS,
    "    <penalty parameters>\n": PENALTY_PARAMETERS,
    "    <batch parameters>\n": BATCH_PARAMETERS,
    "    <fit parameters>\n": FIT_PARAMETERS,
    "        <partial_fit>\n": PARTIAL_FIT,
    "    <recorded attributes>\n": RECORDED_ATTRIBUTES,
}


def with_shared_parameters(obj):
    """Put the shared parameter texts in place of their markers in ``obj``'s docstring."""
    if obj.__doc__ is not None:  # docstrings are stripped under python -OO
        for marker, text in MARKERS.items():
            obj.__doc__ = obj.__doc__.replace(marker, text)
    return obj
