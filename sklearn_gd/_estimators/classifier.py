"""GDLogisticRegressor: binary and multinomial logistic regression by gradient descent."""

from numbers import Number

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_is_fitted

from .._backends.arrays import host_scores
from .._backends.namespace import host_dtype, to_device, to_host
from .._linear.losses import BinaryLogLoss, MultinomialLogLoss
from .._linear.objective import LinearModelObjective
from .._linear.penalties import penalty_strengths
from .._sklearn_compat import StrOptions, _fit_context, attach_unique, cached_unique
from .base import BaseGD, restore_on_failure
from .callbacks import FitCallbacks
from .docstrings import with_shared_parameters
from .inputs import check_labels, check_weights, stream_dask_chunks, validate_fit
from .outputs import decision, labels, probabilities
from .warn import warn_at_caller


@with_shared_parameters
class GDLogisticRegressor(ClassifierMixin, BaseGD):
    r"""Logistic regression, binary or multinomial, fitted by gradient descent.

    Minimizes, over the coefficients :math:`W` and the intercepts :math:`b`,

    .. math::

        J(W, b) = \frac{1}{\sum_i s_i} \sum_{i=1}^{n} s_i\,
                  \ell(y_i, x_i W + b) + \frac{\alpha (1 - \rho)}{2} \|W\|^2
                  + \alpha \rho \|W\|_1

    where :math:`s_i` are the sample weights (1 by default) and :math:`\ell`
    is the log loss: with two classes, the sigmoid loss
    :math:`\ell(y, z) = \log(1 + e^{z}) - y z` on one score :math:`z`; with
    :math:`K > 2` classes, the multinomial (softmax) loss
    :math:`\ell(y, z) = \log \sum_k e^{z_k} - z_y` on :math:`K` scores (not
    one-vs-rest), and :math:`\rho` is 0 for ``penalty="l2"``, 1 for ``"l1"``
    and ``l1_ratio`` for ``"elasticnet"``. ``alpha=a`` therefore solves
    ``LogisticRegression(C=1 / (a * sum(s)), l1_ratio=rho)``. The default
    ``alpha=1e-4`` keeps the optimum finite on separable data.

    Starting from :math:`W = 0, b = 0`, every iteration takes the plain
    gradient step

    .. math::

        W \leftarrow W - \eta \Big(\tfrac{1}{\sum_i s_i}
            X^\top \mathrm{diag}(s) (P - Y) + \alpha (1 - \rho) W\Big), \qquad
        b \leftarrow b - \eta\, \tfrac{1}{\sum_i s_i} \sum_i s_i (p_i - y_i)

    where :math:`P` holds the predicted probabilities (sigmoid or softmax of
    the scores) and :math:`Y` the one-hot targets, in the original
    coordinates of ``X``, until the largest absolute component of the
    gradient is at most ``tol``. Scores and losses are computed with
    log-sum-exp and a stable sigmoid, so extreme logits do not overflow.

    Parameters
    ----------
    <penalty parameters>
    alpha : float >= 0, default=1e-4
        Strength :math:`\alpha` of the penalty on the coefficients (not the
        intercepts).
        With ``alpha=0`` the optimum is infinite on separable data: such a fit
        ends with a :class:`~sklearn.exceptions.ConvergenceWarning`.
    fit_intercept : bool, default=True
        Whether to fit the intercepts :math:`b`; if False, :math:`b = 0`.
    learning_rate : float > 0, "auto", "lipschitz", "line_search" or "bb", default="auto"
        The step size :math:`\eta`.

        - A float: the textbook step, constant; too large a value diverges
          (see :class:`~sklearn_gd.DivergenceError`).
        <auto learning rate>
        - ``"lipschitz"``: :math:`\eta = 1/L` with
          :math:`L = c\, \lambda_{\max}([X, 1]^\top \mathrm{diag}(s) [X, 1]) /
          \sum_i s_i + \alpha (1 - \rho)`, a Lipschitz constant of the gradient
          (:math:`c = 1/4` for two classes, :math:`1/2` for the softmax),
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
        is relative and scale-free (see ``precondition``): the default stops
        within about 1e-6 of the optimum's objective, relatively, whatever
        the features' units. Without it, when :math:`\max_j |\nabla J_j| \le`
        ``tol`` (the test of :class:`~sklearn.linear_model.LogisticRegression`'s
        lbfgs on the same mean objective). Mini-batches and early stopping
        compare the epoch objective or the validation score with ``tol``
        instead (see ``batch_size`` and ``early_stopping``).
    <max_time>
    <solver parameters>
    <batch parameters>
    <fit parameters>
    class_weight : dict, "balanced" or None, default=None
        Weights :math:`c_k` of the classes, multiplying the sample weights:
        the objective's weights become :math:`s_i c_{y_i}`, so ``alpha=a``
        solves ``LogisticRegression(C=1 / (a * sum_i s_i c_{y_i}),
        class_weight=...)``. ``"balanced"`` sets
        :math:`c_k = \sum_i s_i / (K \sum_{i: y_i = k} s_i)`, as scikit-learn
        does; a dict maps labels to weights (missing labels weigh 1).
        ``partial_fit`` balances each chunk by its own counts, over the
        classes it holds.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, of any type (strings, integers).
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        The coefficients, shaped as
        :class:`~sklearn.linear_model.LogisticRegression`'s: one row for two
        classes (the score of ``classes_[1]``), one row per class otherwise.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        The intercepts; zeros when ``fit_intercept=False``.
    n_iter_ : int
        The iterations taken.
    loss_curve_ : ndarray of shape (`n_iter_` + 1,)
        The objective :math:`J` at each iterate, the zero start first (for
        mini-batches, the epoch objective after the start).
    <recorded attributes>
    validation_scores_ : ndarray of shape (`n_iter_`,) or None
        Minus the mean log loss on the validation part after each step or
        epoch with ``early_stopping``; None otherwise.
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
    GDLinearRegressor : The regressor on the same descent core.
    sklearn_gd.minimize : The descent core, for any differentiable function.
    sklearn.linear_model.LogisticRegression : The same model, quasi-Newton solvers.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_gd import GDLogisticRegressor
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), GDLogisticRegressor(learning_rate="line_search"))
    >>> clf.fit(X, y)[-1].stop_reason_
    'Converged after 19 iterations: max |relative scaled gradient| <= tol=0.0001.'
    >>> clf.predict_proba(X[:1]).shape
    (1, 3)
    """

    _parameter_constraints: dict = {
        **BaseGD._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(self, *, penalty="l2", alpha=1e-4, l1_ratio=0.15, fit_intercept=True,
                 learning_rate="auto", max_iter=1000, tol=1e-4, max_time=None, solver="gd",
                 momentum=0.9, beta_1=0.9, beta_2=0.999, epsilon=1e-8, schedule="constant",
                 power_t=0.5, n_iter_no_change=10, batch_size=None, shuffle=True,
                 average=False, random_state=None, early_stopping=False,
                 validation_fraction=0.1,
                 precondition="auto", warm_start=False, verbose=0, record_path=False,
                 class_weight=None):
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
        self.class_weight = class_weight

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
        y : array-like of shape (n_samples,)
            Class labels, of any type; at least two classes.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights :math:`s_i`; None means 1 for every sample.

        Returns
        -------
        self : GDLogisticRegressor
            The fitted estimator. If fitting fails (bad input, divergence),
            the estimator is left exactly as it was.
        """
        callbacks = FitCallbacks(self, max_subtasks=self.max_iter + 1)
        with restore_on_failure(self):
            X, y = self._validate(X, y, reset=True)
            callbacks.begin(X, y, sample_weight)
            # The labels' one sort, which the check (of labels other than
            # integers) and the classes read from y's dtype.
            y = attach_unique(y)
            check_labels(y)
            classes = cached_unique(y)  # as LogisticRegression: y is checked above
            if self.warm_start and hasattr(self, "classes_") and not np.array_equal(
                classes, self.classes_
            ):
                raise ValueError(
                    f"warm_start=True needs the classes of the previous fit, "
                    f"{self.classes_.tolist()}, but y has {classes.tolist()}."
                )
            labels, sample_weight = self._weighted_labels(X, y, classes, sample_weight)
            objective = self._objective(X, labels, sample_weight, len(classes))
            result = self._fit_objective(
                objective, labels, callbacks,
                lambda theta: self._attributes(objective, theta, classes))
            if result.status in ("converged", "early_stopping"):
                self._warn_if_separated(X, labels, sample_weight)
        return self

    def _warn_if_separated(self, X, labels, sample_weight):
        """Warn when an unpenalized fit classifies every training sample (of
        positive weight) correctly.

        The classes are then linearly separable, and the objective has no
        minimum: it keeps falling as the coefficients grow along a separating
        direction, so where the descent stopped depends on ``tol`` and the
        step, not on the data alone.
        """
        alpha, _ = penalty_strengths(self.penalty, self.alpha, self.l1_ratio)
        scores = None if alpha > 0 else host_scores(X, self.coef_, self.intercept_)
        if scores is None:
            return
        if scores.shape[1] == 1:
            scores = np.c_[-scores, scores]
        positive = sample_weight > 0
        true = scores[np.arange(len(labels)), labels]
        scores[np.arange(len(labels)), labels] = -np.inf
        if np.all(true[positive] > scores[positive].max(axis=1)):
            self.stop_reason_ += (
                " The classes are linearly separable: max |coef_| = "
                f"{float(np.max(np.abs(to_host(self.coef_)))):.3g} is set by tol and "
                "the step.")
            warn_at_caller(
                "The classes are linearly separable: the fitted model classifies "
                "every training sample correctly, and without a penalty the "
                "objective has no minimum (it keeps falling as the coefficients "
                f"grow). The descent stopped at tol={self.tol:g}, with coefficients "
                "whose size is set by tol and the step, not by the data. Set alpha > 0 "
                "for a unique model.")

    @_fit_context(prefer_skip_nested_validation=True)
    @with_shared_parameters
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch of descent on ``(X, y)``, from the current coefficients.

        <partial_fit>

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            A chunk of training data; a dask array's row chunks are taken one
            after the other.
        y : array-like of shape (n_samples,)
            Its labels, all among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class the model will ever see; required on the first call
            (a chunk need not hold them all), and then equal to ``classes_``
            if given again.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; None means 1 for every sample.

        Returns
        -------
        self : GDLogisticRegressor
            The updated estimator; left as it was if the epoch fails.
        """
        if stream_dask_chunks(self.partial_fit, X, y, sample_weight, classes=classes):
            return self
        with restore_on_failure(self):
            first = not hasattr(self, "classes_")
            classes = _partial_fit_classes(self, classes, first)
            X, y = self._validate(X, y, reset=first)
            check_labels(y)
            unknown = np.setdiff1d(unique_labels(y), classes)
            if unknown.size:
                raise ValueError(
                    f"y has labels {unknown.tolist()} that are not among the classes "
                    f"{classes.tolist()} of the first partial_fit."
                )
            labels, sample_weight = self._weighted_labels(
                X, y, classes, sample_weight, chunk=True)
            objective = self._objective(X, labels, sample_weight, len(classes))
            result = self._partial_descend(objective)
            vars(self).update(self._attributes(objective, result.x, classes))
            self._place_fitted(X)
        return self

    def _objective_for(self, X, y, sample_weight=None):
        """The fitted model's objective on ``(X, y)``, as a function of theta.

        The same loss, class weights and penalty as ``fit`` on all of ``(X,
        y)`` (no validation part set aside), for displays that evaluate it
        anywhere; ``y`` holds labels among ``classes_``.
        """
        check_is_fitted(self)
        X, y = self._validate(X, y, reset=False)
        unknown = np.setdiff1d(unique_labels(y), self.classes_)
        if unknown.size:
            raise ValueError(f"y has labels {unknown.tolist()} that are not among "
                             f"the classes {self.classes_.tolist()}.")
        labels, sample_weight = self._weighted_labels(X, y, self.classes_, sample_weight)
        return self._objective(X, labels, sample_weight, len(self.classes_))

    def _validate(self, X, y, reset):
        """``X`` where it lives and the labels ``y`` on the host.

        Under array API dispatch the labels come to the host once, as NumPy
        (``classes_`` may hold strings, which no array library can); they go
        back to ``X``'s device as the integers the loss reads.
        """
        X, y, _ = validate_fit(self, X, y, reset=reset)
        return X, _check_label_types(to_host(y))

    def _weighted_labels(self, X, y, classes, sample_weight, chunk=False):
        """Integer labels and the sample weights times the class weights.

        A ``chunk`` of ``partial_fit`` may hold a single class, or not all of
        them: ``"balanced"`` then balances the classes it holds, by its own
        counts (the stream's are never seen).
        """
        sample_weight = to_host(check_weights(X, sample_weight))
        labels = np.searchsorted(classes, y)
        if not chunk:
            _check_two_weighted_classes(classes, labels, sample_weight)
        if self.class_weight is not None:
            weighed = np.unique(y) if chunk and self.class_weight == "balanced" else classes
            class_weight = np.ones(len(classes))
            class_weight[np.searchsorted(classes, weighed)] = compute_class_weight(
                self.class_weight, classes=weighed, y=y, sample_weight=sample_weight
            )
            sample_weight = sample_weight * class_weight[labels].astype(sample_weight.dtype)
            if not chunk:
                _check_two_weighted_classes(classes, labels, sample_weight)
        return labels, sample_weight

    def _objective(self, X, labels, sample_weight, n_classes):
        if n_classes == 2:
            loss, Y, n_outputs = BinaryLogLoss(), labels[:, None].astype(host_dtype(X)), 1
        else:
            loss, Y, n_outputs = MultinomialLogLoss(), labels[:, None], n_classes
        alpha, l1_ratio = penalty_strengths(self.penalty, self.alpha, self.l1_ratio)
        return LinearModelObjective(
            X, to_device(Y, X), to_device(sample_weight, X), loss, alpha=alpha,
            l1_ratio=l1_ratio,
            fit_intercept=self.fit_intercept, n_outputs=n_outputs,
        )

    @staticmethod
    def _attributes(objective, theta, classes):
        """``classes_``, ``coef_`` and ``intercept_`` of ``theta``."""
        W, b = objective.split(theta)
        return {"classes_": classes, "coef_": W.T.copy(), "intercept_": b.copy()}

    def decision_function(self, X):
        """The scores :math:`X W + b`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the score of ``classes_[1]`` (positive means
            ``classes_[1]``); otherwise one score per class.
        """
        return self._scores(X, "decision_function")

    def _scores(self, X, method):
        """``decision_function``'s scores, for the public ``method``, where
        ``X`` lives (which must be where ``fit``'s data did)."""
        check_is_fitted(self)
        scores = decision(self, X, method)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predict the class of each sample: the one of highest probability.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``, in the array library of ``X`` (numeric
            labels under array API dispatch; a lazy dask array for dask ``X``).
        """
        return labels(self._scores(X, "predict"), self.classes_)

    def predict_proba(self, X):
        """Class probabilities: sigmoid of the score, or softmax of the scores.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; rows sum to one.
        """
        return self._probabilities(X, "predict_proba", log=False)

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, computed without overflow.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        return self._probabilities(X, "predict_log_proba", log=True)

    def _probabilities(self, X, method, log):
        """The (log-)probabilities of the class scores, where ``X`` lives."""
        return probabilities(self._scores(X, method), log)


def _partial_fit_classes(estimator, classes, first):
    """The classes of a ``partial_fit`` call: given on the first, kept after."""
    if classes is None:
        if first:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: a chunk "
                "need not hold every class the model will see."
            )
        return estimator.classes_
    classes = unique_labels(classes)
    if len(classes) < 2:
        raise ValueError(f"partial_fit needs at least 2 classes, got {classes.tolist()}.")
    if not first and not np.array_equal(classes, estimator.classes_):
        raise ValueError(
            f"classes={classes.tolist()} differs from the classes of the first "
            f"partial_fit, {estimator.classes_.tolist()}."
        )
    return classes


def _check_label_types(y):
    """``y``, with labels of one kind: strings, or numbers.

    scikit-learn calls object labels of mixed kinds, and object labels that
    are all numbers (a pandas object column), of "unknown" type and suggests a
    regression target; the numbers become a numeric array instead.
    """
    if y.dtype != object:
        return y
    if all(isinstance(label, str) for label in y.ravel()):
        return y
    if all(isinstance(label, Number) and not isinstance(label, complex)
           for label in y.ravel()):
        return np.asarray(y.tolist())
    kinds = {type(label).__name__ for label in y.ravel()}
    raise ValueError(
        "y mixes labels of different types "
        f"({', '.join(sorted(kinds))}): the classes must be all strings or all "
        "numbers. Convert y, for example with y.astype(str)."
    )


def _check_two_weighted_classes(classes, labels, sample_weight):
    weighted = np.bincount(labels, weights=sample_weight, minlength=len(classes))
    if np.count_nonzero(weighted > 0) < 2:
        present = classes[weighted > 0] if weighted.any() else classes
        raise ValueError(
            "GDLogisticRegressor needs samples of at least 2 classes with "
            "positive sample weight, but the data contains only one class: "
            f"{present.tolist()[0]!r}."
        )
