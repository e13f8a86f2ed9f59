"""What both estimators share: parameters, the call into the core, and fitting
that either succeeds or leaves the estimator as it was."""

import inspect
from contextlib import contextmanager
from functools import cache
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from .._backends.namespace import to_host
from .._backends.threads import threads_for
from .._linear.params import coef_from_theta, theta_from_coef
from .._linear.penalties import PENALTIES
from .._linear.whitened import precondition
from .._optim.averaging import Averaging
from .._optim.config import make_rule_and_step, searches
from .._optim.loop import run
from .._optim.options import DescentOptions
from .._optim.record import print_progress
from .._optim.stopping import EarlyStopping, TimeLimit
from .._sklearn_compat import Interval, StrOptions, make_constraint
from ..exceptions import DivergenceError
from .callbacks import CallbackSupportMixin
from .constraints import LEARNING_RATE_CONSTRAINT, SOLVER_CONSTRAINTS
from .holdout import validation_rows
from .outputs import place_fitted
from .warn import warn_at_caller

# The API reference of the published documentation (the page of each public
# name is generated/sklearn_gd.<Name>.html), for the HTML repr's "?" link.
DOCS_URL = "https://sklearn-gd.readthedocs.io/en/stable/"


class BaseGD(CallbackSupportMixin, BaseEstimator):
    """Base class of the gradient-descent linear models (not for direct use)."""

    _doc_link_module = "sklearn_gd"
    _doc_link_template = DOCS_URL + "generated/{estimator_module}.{estimator_name}.html"

    _parameter_constraints: dict = {
        "penalty": [StrOptions(set(PENALTIES)), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "learning_rate": LEARNING_RATE_CONSTRAINT,
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
        **SOLVER_CONSTRAINTS,
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "shuffle": ["boolean"],
        "average": ["boolean", Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "precondition": [StrOptions({"auto"}), "boolean"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "record_path": ["boolean"],
    }

    @classmethod
    def _get_param_names(cls):
        """scikit-learn's, read from the signature once per class: ``fit``
        asks for them each time, and reading them costs a small fit 2%."""
        return list(_param_names(cls))

    def _validate_params(self):
        """scikit-learn's check of the parameters against
        ``_parameter_constraints``, with each constraint's object made once
        per class (making them cost a small fit 5%), and none for a parameter
        that still holds its signature's default object (checking them cost
        a small fit 1.5%; a test checks every default); a failed check raises
        scikit-learn's own error."""
        constraints, defaults = _constraints(type(self)), _defaults(type(self))
        for name, value in self.get_params(deep=False).items():
            if value is defaults.get(name, _NO_DEFAULT):  # a default is valid (tested)
                continue
            checks = constraints.get(name)
            if checks is not None and not any(c.is_satisfied_by(value) for c in checks):
                super()._validate_params()  # raises, naming the parameter
                break

    def _hold_out(self, objective, stratify, random_state):
        """The objective to descend and the validation loss that early
        stopping watches.

        Without early stopping, ``objective`` itself and None. With it, the
        objective of the training part and the mean loss on the validation
        part (weighted as in training, class weights included, so that early
        stopping watches what the descent minimizes), the part set aside by
        :func:`~sklearn_gd._estimators.holdout.validation_rows`.
        """
        if not self.early_stopping:
            return objective, None
        train, validation = validation_rows(
            objective.X, objective.Y, objective.sample_weight, self.validation_fraction,
            random_state, strata=stratify)
        return objective.subset(train), objective.subset(validation).mean_loss

    def _fit_objective(self, objective, stratify, callbacks, attributes):
        """What ``fit`` does once it has the objective of all the data.

        Set aside the validation part (stratified by the labels ``stratify``),
        descend, and set the fitted attributes ``attributes(theta)`` and,
        with ``record_path``, their path. Returns the core's result.
        """
        random_state = check_random_state(self.random_state)
        # The thread settings hold from the coordinates' measure on: a small
        # fit never wakes a BLAS pool.
        with thread_settings(objective):
            if self._preconditions():
                # The core hands back points (the result, the path, the
                # callbacks') in the original coordinates.
                objective = precondition(objective, whiten=self._whitens())
            objective, loss = self._hold_out(objective, stratify, random_state)
            result = self._descend(objective, loss, random_state, callbacks, attributes)
        vars(self).update(attributes(result.x))
        self.coef_path_, self.intercept_path_ = self._coef_path(result.path,
                                                                objective.fit_intercept)
        self._place_fitted(objective.X)
        callbacks.end()
        return result

    def _preconditions(self):
        """Whether ``fit`` descends in standardized coordinates: full batches
        only, whose objective the statistics of all of ``X`` describe."""
        if self.precondition == "auto":
            return isinstance(self.learning_rate, str) and self.batch_size is None
        if self.precondition and self.batch_size is not None:
            raise ValueError(
                f"precondition=True descends full batches in standardized "
                f"coordinates; batch_size={self.batch_size} descends mini-batches, "
                "which step the original ones. Use batch_size=None, or precondition="
                "'auto' or False."
            )
        return bool(self.precondition)

    def _whitens(self):
        """Whether ``fit`` may descend in whitened coordinates: where the
        full-batch step size finds its own steps ("bb" and "line_search", and
        "auto" where it stands for "bb") and nothing keeps iterates (early
        stopping), the descent follows the coordinates as they are measured
        again, which whitened ones, fitted to the start, need; the constant
        steps keep the standardized ones."""
        return (searches(self.learning_rate, self.solver, self.schedule, self.batch_size)
                and not self.early_stopping)

    def _place_fitted(self, X):
        """Move the fitted arrays where ``X`` lives
        (:func:`~sklearn_gd._estimators.outputs.place_fitted`)."""
        place_fitted(self, X)

    def _coef_path(self, path, fit_intercept):
        """``coef_path_`` and ``intercept_path_`` of the core's path of thetas,
        each entry shaped as the fitted ``coef_`` and ``intercept_``."""
        if path is None:
            return None, None
        return coef_from_theta(path, fit_intercept, np.shape(self.coef_),
                               np.shape(self.intercept_))

    def _descend(self, objective, validation_loss, random_state, callbacks, attributes):
        """Run the core on ``objective``; set the descent's fitted attributes.

        ``validation_loss`` is the loss of parameters on held-out data for
        early stopping (None without); ``callbacks`` are the fit's
        :class:`~sklearn_gd._estimators.callbacks.FitCallbacks`, and
        ``attributes(theta)`` the fitted attributes they see. Returns the
        result; raises :class:`DivergenceError` instead of returning a
        diverged one.
        """
        with thread_settings(objective):
            return self._descend_with_threads(objective, validation_loss, random_state,
                                              callbacks, attributes)

    def _descend_with_threads(self, objective, validation_loss, random_state, callbacks,
                              attributes):
        """:meth:`_descend`'s work, under the fit's one thread setting."""
        time_limit = TimeLimit(self.max_time)
        x0 = self._start(objective)
        batch_size = self._batch_size(objective)
        rule, step = self._rule_and_step(objective, x0, batch_size)
        early = None if validation_loss is None else EarlyStopping(
            self.n_iter_no_change, self.tol, validation_loss)
        bridge = callbacks.per_step(objective.to_original(x0), attributes,
                                    "iteration" if batch_size is None else "epoch")
        options = self._options(
            batch_size, random_state, max_iter=self.max_iter,
            callback=self._step_callback(bridge), early_stopping=early,
            record_path=self.record_path, time_limit=time_limit,
        )
        try:
            result = run(objective, x0, rule=rule, step=step, options=options)
        finally:
            if bridge is not None:
                bridge.close()
        self._check_diverged(result)
        self._set_record(result)
        if result.warning is not None:
            warn_at_caller(result.warning)
        if result.status == "converged" and not objective.relative_test and not x0.any():
            start_jac = result.start_jac
            if start_jac is None:  # mini-batches take no gradient at x0
                start_jac = objective.value_and_grad(x0)[1]
            self._warn_if_nothing_to_fit(start_jac[: objective.X.shape[1]])
        vars(self).pop("_partial_state", None)
        return result

    def _set_record(self, result):
        self.n_iter_ = result.nit
        self.loss_curve_ = result.loss_curve
        self.times_ = result.times
        self.learning_rate_ = result.learning_rate
        self.stop_reason_ = result.message
        self.validation_scores_ = result.validation_scores

    def _partial_descend(self, objective):
        """One epoch of ``objective`` from the current coefficients, continuing
        the rule's and the step size's state of the previous ``partial_fit``:
        one step for full batches.

        The states are values, handed back by the core, and so is what is
        kept between calls (``_partial_state``: the first step and the two
        states, plain numbers, tuples and arrays that persist with no type of
        this package): the pieces are made again each call from the
        parameters, with the first call's step. A failed epoch leaves the
        kept values as they were.
        """
        time_limit = TimeLimit(self.max_time)
        x0 = self._current_params(objective)
        batch_size = self._batch_size(objective)
        kept = getattr(self, "_partial_state", None)
        if kept is not None and (kept["average"] or {}).get("last") is not None:
            # Averaged, the coefficients are the mean; the descent goes on
            # from its last iterate.
            x0 = kept["average"]["last"]
        options = self._options(batch_size, check_random_state(self.random_state),
                                max_iter=1, callback=self._step_callback(None),
                                time_limit=time_limit, warn=False)
        with thread_settings(objective):
            rule, step = self._rule_and_step(objective, x0, batch_size, stream=True,
                                             eta=None if kept is None else kept["eta"])
            state = None if kept is None else (
                (kept["rule"], kept["step"])
                + (() if kept["average"] is None else (kept["average"],)))
            result = run(objective, x0, rule=rule, step=step, options=options, state=state)
        self._check_diverged(result)
        self._partial_state = {"eta": step.eta, "rule": result.rule_state,
                               "step": result.step_state,
                               "average": result.average_state}
        self._append_record(result)
        return result

    def _append_record(self, result):
        """The record of a ``partial_fit`` epoch, after the earlier ones'."""
        self.n_iter_ = getattr(self, "n_iter_", 0) + result.nit
        previous = to_host(getattr(self, "loss_curve_", result.loss_curve[:1]))
        self.loss_curve_ = np.concatenate([previous, result.loss_curve[1:]])
        # Time spent descending, call after call: not the time between calls.
        previous = to_host(getattr(self, "times_", result.times[:1]))
        self.times_ = np.concatenate([previous, previous[-1] + result.times[1:]])
        self.coef_path_ = self.intercept_path_ = None
        self.learning_rate_ = result.learning_rate
        if result.status == "max_time":
            self.stop_reason_ = f"partial_fit: {result.message}"
        else:
            self.stop_reason_ = ("partial_fit: one epoch." if result.nit else
                                 "partial_fit: no step; the gradient already meets tol.")
        self.validation_scores_ = None

    def _options(self, batch_size, random_state, **options):
        """The core's options for this estimator's batching, ``tol``, patience
        and averaging."""
        return DescentOptions(tol=self.tol, batch_size=batch_size, shuffle=self.shuffle,
                              random_state=random_state, patience=self.n_iter_no_change,
                              average=self._averaging(batch_size), **options)

    def _averaging(self, batch_size):
        """The core's averaging for ``average``; None without."""
        if not self.average:
            return None
        if batch_size is None:
            raise ValueError(
                f"average={self.average!r} averages the iterates of mini-batch and "
                "stochastic descent, but batch_size=None descends on full batches, "
                "which reach the optimum themselves. Set batch_size, or average=False."
            )
        return Averaging(int(self.average))

    def _step_callback(self, bridge):
        """The core's callback: scikit-learn's callbacks and ``verbose``'s lines."""
        if not self.verbose:
            return bridge
        if bridge is None:
            return print_progress

        def both(info):
            print_progress(info)
            return bridge(info)
        return both

    def _rule_and_step(self, objective, x0, batch_size, stream=False, eta=None):
        """The core's pieces for this estimator's parameters (under the fit's
        thread settings: the Lipschitz estimate behind "lipschitz" and the
        first step of "bb" read X a few dozen times)."""
        solver_params = {name: getattr(self, name) for name in SOLVER_CONSTRAINTS}
        return make_rule_and_step(objective, x0, learning_rate=self.learning_rate,
                                  batch_size=batch_size, stream=stream, eta=eta,
                                  **solver_params)

    def _batch_size(self, objective):
        """None for full batches; a batch larger than the data is the whole data."""
        if self.batch_size is None:
            return None
        return min(self.batch_size, objective.n_samples)

    def _check_diverged(self, result):
        if result.status == "diverged":
            # A numpy float reads as the plain number the user typed.
            rate = self.learning_rate
            rate = rate if isinstance(rate, str) else float(rate)
            raise DivergenceError(
                f"{type(self).__name__} diverged with "
                f"learning_rate={rate!r}. {result.message} Try a "
                "smaller learning_rate, learning_rate='auto', 'lipschitz' or 'line_search', or "
                "scale the features (for example with StandardScaler)."
            )

    def _warn_if_nothing_to_fit(self, gradient):
        """Warn when the coefficients' ``gradient`` at the zero start already
        met ``tol`` without being zero.

        That gradient has the scale of the data, and ``tol`` is absolute: on
        features or targets far smaller than 1 the descent "converges" with the
        coefficients left near zero, a model that fits nothing.
        """
        size = float(np.max(np.abs(gradient))) if gradient.size else 0.0
        if 0 < size <= self.tol:
            self.stop_reason_ += (f" At the zero start the coefficients' gradient, "
                                  f"max |gradient| = {size:.3g}, already met tol.")
            warn_at_caller(
                f"{type(self).__name__} left the coefficients near zero: at the zero "
                f"start their gradient already met tol={self.tol:g}. X or y is on too "
                "small a scale for tol: scale them (for example with StandardScaler) "
                "or lower tol. stop_reason_ has the figures.")

    def _start(self, objective):
        """Zeros, or the fitted coefficients when warm-starting."""
        if not (self.warm_start and hasattr(self, "coef_")):
            return objective.initial_params()
        return self._current_params(objective, "warm_start=True")

    def _current_params(self, objective, who="partial_fit"):
        """The fitted coefficients as the core's ``theta`` (zeros if unfitted)."""
        zeros = objective.initial_params()
        if not hasattr(self, "coef_"):
            return zeros
        theta = theta_from_coef(to_host(self.coef_), to_host(self.intercept_),
                                objective.fit_intercept)
        if theta.shape != zeros.shape:
            n_features = theta.shape[0] - int(objective.fit_intercept)
            raise ValueError(
                f"{who} cannot start from the fitted coefficients: they "
                f"have {n_features} features and {theta.shape[1]} outputs, the new "
                f"problem {objective.X.shape[1]} and {zeros.shape[1]}. Fit with "
                "warm_start=False, or start a new estimator."
            )
        return objective.from_original(theta.astype(zeros.dtype))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = True
        return tags


@contextmanager
def thread_settings(objective):
    """Hold the thread pools at what the size of the objective's data calls
    for, and let its gradient passes use as many threads
    (:mod:`sklearn_gd._backends.threads`)."""
    with threads_for(objective.X) as n_threads:
        objective.n_threads = n_threads
        yield


@cache
def _param_names(cls):
    return tuple(super(BaseGD, cls)._get_param_names())


_NO_DEFAULT = object()


@cache
def _defaults(cls):
    """The default of each parameter of ``cls``, from its signature: a
    parameter that still holds its default object needs no check."""
    init = getattr(cls.__init__, "deprecated_original", cls.__init__)
    return {name: parameter.default
            for name, parameter in inspect.signature(init).parameters.items()
            if parameter.default is not parameter.empty}


@cache
def _constraints(cls):
    """``cls._parameter_constraints`` as lists of constraint objects (none
    for ``"no_validation"``)."""
    return {name: [make_constraint(c) for c in checks]
            for name, checks in cls._parameter_constraints.items()
            if checks != "no_validation"}


@contextmanager
def restore_on_failure(estimator):
    """Put back every attribute of ``estimator`` if the block raises.

    Validation already sets ``n_features_in_`` before the descent may fail; a
    fit that fails must leave a fitted model exactly as it was.
    """
    saved = dict(vars(estimator))
    try:
        yield
    except BaseException:
        vars(estimator).clear()
        vars(estimator).update(saved)
        raise
