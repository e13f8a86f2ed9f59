"""GDLinearRegressor: least squares, ridge, lasso and elastic net by gradient descent."""

from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted

from .._backends.namespace import as_columns
from .._linear.losses import HalfSquaredError
from .._linear.objective import LinearModelObjective
from .._linear.penalties import penalty_strengths
from .._sklearn_compat import _fit_context
from .base import BaseGD, restore_on_failure
from .callbacks import FitCallbacks
from .docstrings import with_shared_parameters
from .inputs import stream_dask_chunks, validate_fit
from .outputs import decision


@with_shared_parameters
class GDLinearRegressor(RegressorMixin, BaseGD):
    r"""Linear least squares, optionally penalized, fitted by gradient descent.

    Minimizes, over the coefficients :math:`W` and the intercept :math:`b`,

    .. math::

        J(W, b) = \frac{1}{2 \sum_i s_i} \sum_{i=1}^{n} s_i
                  \|y_i - x_i W - b\|^2 + \frac{\alpha (1 - \rho)}{2} \|W\|^2
                  + \alpha \rho \|W\|_1

    where :math:`s_i` are the sample weights (1 by default) and :math:`\rho`
    is 0 for ``penalty="l2"``, 1 for ``"l1"`` and ``l1_ratio`` for
    ``"elasticnet"``. So ``alpha=a`` solves ``Ridge(alpha=a * sum(s))`` with
    ``"l2"``, ``Lasso(alpha=a)`` with ``"l1"`` and ``ElasticNet(alpha=a,
    l1_ratio=r)`` with ``"elasticnet"``, and the default ``alpha=0`` is
    ordinary least squares, the problem of
    :class:`~sklearn.linear_model.LinearRegression`.

    Starting from :math:`W = 0, b = 0`, every iteration takes the plain
    gradient step

    .. math::

        W \leftarrow W - \eta \Big(\tfrac{1}{\sum_i s_i}
            X^\top \mathrm{diag}(s) (XW + b - y) + \alpha (1 - \rho) W\Big), \qquad
        b \leftarrow b - \eta\, \tfrac{1}{\sum_i s_i} \sum_i s_i (x_i W + b - y_i)

    in the original coordinates of ``X`` (no scaling or centering is added),
    until the largest absolute component of the gradient is at most ``tol``
    (with an L1 part, the step is followed by a soft-threshold and the test is
    on the subgradient of least size; see ``penalty``).

    Parameters
    ----------
    <penalty parameters>
    alpha : float >= 0, default=0.0
        Strength :math:`\alpha` of the penalty on the coefficients (not the
        intercept).
    fit_intercept : bool, default=True
        Whether to fit the intercept :math:`b`; if False, :math:`b = 0`.
    learning_rate : float > 0, "auto", "lipschitz", "line_search" or "bb", default="auto"
        The step size :math:`\eta`.

        - A float: the textbook step, constant; too large a value diverges
          (see :class:`~sklearn_gd.DivergenceError`).
        <auto learning rate>
        - ``"lipschitz"``: :math:`\eta = 1/L` with
          :math:`L = \lambda_{\max}([X, 1]^\top \mathrm{diag}(s) [X, 1]) /
          \sum_i s_i + \alpha (1 - \rho)`, the Lipschitz constant of the gradient,
          estimated by power iteration on ``X`` (from below, within about a
          percent: a margin every solver tolerates, since plain descent
          converges for any constant step under :math:`2/L`). It never
          diverges, whatever the scale of the features, and each plain
          descent step lowers the objective; but it is the step of the
          steepest direction, so ill-conditioned data makes it slow. For
          mini-batches and the adaptive solvers it is scaled (see
          ``batch_size`` and ``schedule``).
        - ``"line_search"``: Armijo backtracking on the objective at every
          step, from twice the last accepted step, halving until
          :math:`J(\theta - \eta g) \le J(\theta) - \tfrac12 \eta \|g\|^2`.
        - ``"bb"``: the Barzilai-Borwein step
          :math:`\eta_k = \langle s, s \rangle / \langle s, y \rangle` with
          :math:`s = \theta_k - \theta_{k-1}`, :math:`y = g_k - g_{k-1}`
          (starting from :math:`1/L`), halved until
          :math:`J(\theta_k - \eta_k g_k) \le \max_{0 \le j < 10}
          J(\theta_{k-j}) - \tfrac12 \eta_k \|g_k\|^2`, the Armijo condition
          against the largest of the last 10 objectives (a non-monotone
          safeguard: the objective may rise for a step or two). Often the
          fewest iterations of all.
          ``"line_search"`` and ``"bb"`` work with ``solver="gd"`` only.
    max_iter : int >= 1, default=1000
        The most iterations (gradient steps).
    tol : float >= 0, default=1e-4
        The full-batch descent stops when its gradient meets ``tol``. With
        ``precondition`` (the default for string learning rates) the test
        is relative and scale-free (see ``precondition``); without it, when
        :math:`\max_j |\nabla J_j| \le` ``tol``. The test is on the
        gradient, not on the drop of the objective, which stalls long before
        the optimum on ill-conditioned data. Mini-batches and early stopping
        compare the epoch objective or the validation score with ``tol``
        instead (see ``batch_size`` and ``early_stopping``).
    <max_time>
    <solver parameters>
    <batch parameters>
    <fit parameters>

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The coefficients :math:`W^\top`, shaped as
        :class:`~sklearn.linear_model.LinearRegression`'s: 1-D for a 1-D ``y``.
    intercept_ : float or ndarray of shape (n_targets,)
        The intercept; 0.0 when ``fit_intercept=False``.
    n_iter_ : int
        The iterations taken.
    loss_curve_ : ndarray of shape (`n_iter_` + 1,)
        The objective :math:`J` at each iterate, the zero start first (for
        mini-batches, the epoch objective after the start).
    <recorded attributes>
    validation_scores_ : ndarray of shape (`n_iter_`,) or None
        Minus the mean half squared error on the validation part after each
        step or epoch with ``early_stopping``; None otherwise.
    learning_rate_ : float
        The step size of the last step: ``1/L`` for ``"lipschitz"`` (scaled
        for mini-batches and the adaptive solvers), the last accepted step
        for ``"bb"``, ``"line_search"`` and full-batch ``"gd"`` with
        ``"auto"``.
    stop_reason_ : str
        Why the descent stopped, in words.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    GDLogisticRegressor : The classifier on the same descent core.
    sklearn_gd.minimize : The descent core, for any differentiable function.
    sklearn.linear_model.LinearRegression : The closed-form solution.
    sklearn.linear_model.Ridge : L2-penalized least squares, direct solvers.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_gd import GDLinearRegressor
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = 2 * X.ravel() + 1
    >>> reg = GDLinearRegressor(tol=1e-8).fit(X, y)
    >>> reg.coef_.round(6), round(reg.intercept_, 6)
    (array([2.]), 1.0)
    """

    def __init__(self, *, penalty="l2", alpha=0.0, l1_ratio=0.15, fit_intercept=True,
                 learning_rate="auto", max_iter=1000, tol=1e-4, max_time=None, solver="gd",
                 momentum=0.9, beta_1=0.9, beta_2=0.999, epsilon=1e-8, schedule="constant",
                 power_t=0.5, n_iter_no_change=10, batch_size=None, shuffle=True,
                 average=False, random_state=None, early_stopping=False,
                 validation_fraction=0.1,
                 precondition="auto", warm_start=False, verbose=0, record_path=False):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.max_time = max_time
        self.solver = solver
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.schedule = schedule
        self.power_t = power_t
        self.n_iter_no_change = n_iter_no_change
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.average = average
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.precondition = precondition
        self.warm_start = warm_start
        self.verbose = verbose
        self.record_path = record_path

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by gradient descent.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data. Sparse CSR/CSC input is used as it is; arrays of
            other array API libraries stay on their device under
            ``array_api_dispatch``; a dask array chunked by rows is fitted
            on its cluster (see the user guide's "Beyond one machine").
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights :math:`s_i`; None means 1 for every sample.

        Returns
        -------
        self : GDLinearRegressor
            The fitted estimator. If fitting fails (bad input, divergence),
            the estimator is left exactly as it was.
        """
        callbacks = FitCallbacks(self, max_subtasks=self.max_iter + 1)
        with restore_on_failure(self):
            given_weight = sample_weight
            X, y, sample_weight = self._validate(X, y, sample_weight, reset=True)
            callbacks.begin(X, y, given_weight)
            objective = self._objective(X, y, sample_weight)
            self._fit_objective(objective, None, callbacks,
                                lambda theta: self._attributes(objective, theta, y))
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    @with_shared_parameters
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch of descent on ``(X, y)``, from the current coefficients.

        <partial_fit>

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            A chunk of training data; a dask array's row chunks are taken one
            after the other.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Its target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; None means 1 for every sample.

        Returns
        -------
        self : GDLinearRegressor
            The updated estimator; left as it was if the epoch fails.
        """
        if stream_dask_chunks(self.partial_fit, X, y, sample_weight):
            return self
        with restore_on_failure(self):
            first = not hasattr(self, "coef_")
            X, y, sample_weight = self._validate(X, y, sample_weight, reset=first)
            objective = self._objective(X, y, sample_weight)
            result = self._partial_descend(objective)
            vars(self).update(self._attributes(objective, result.x, y))
            self._place_fitted(X)
        return self

    def _validate(self, X, y, sample_weight, reset):
        return validate_fit(self, X, y, sample_weight, reset=reset, regression=True,
                            multi_output=True, y_numeric=True)

    def _objective(self, X, y, sample_weight):
        Y = as_columns(y, X.dtype)
        alpha, l1_ratio = penalty_strengths(self.penalty, self.alpha, self.l1_ratio)
        return LinearModelObjective(
            X, Y, sample_weight, HalfSquaredError(), alpha=alpha, l1_ratio=l1_ratio,
            fit_intercept=self.fit_intercept, n_outputs=Y.shape[1],
        )

    def _objective_for(self, X, y, sample_weight=None):
        """The fitted model's objective on ``(X, y)``, as a function of theta.

        The same loss and penalty as ``fit`` on all of ``(X, y)`` (no
        validation part set aside), for displays that evaluate it anywhere.
        """
        check_is_fitted(self)
        return self._objective(*self._validate(X, y, sample_weight, reset=False))

    @staticmethod
    def _attributes(objective, theta, y):
        """``coef_`` and ``intercept_`` of ``theta``, shaped as LinearRegression's."""
        W, b = objective.split(theta)
        if y.ndim == 1:
            return {"coef_": W[:, 0].copy(), "intercept_": float(b[0])}
        return {"coef_": W.T.copy(), "intercept_": b.copy()}

    def predict(self, X):
        """Predict with the linear model, :math:`\\hat y = X W + b`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values, in the dtype of the fitted coefficients and the
            array library of ``X`` (a lazy dask array for dask ``X``).
        """
        check_is_fitted(self)
        return decision(self, X, "predict")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
