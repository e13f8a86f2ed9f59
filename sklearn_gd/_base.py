"""What both estimators share: parameters, the call into the core, and fitting
that either succeeds or leaves the estimator as it was."""

from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator

from ._descent import descend, print_progress
from ._minimize import LEARNING_RATE_CONSTRAINT, SOLVER_CONSTRAINTS, make_rule_and_step
from ._sklearn_compat import Interval
from .exceptions import DivergenceError

# The input both estimators accept: sparse stays sparse, float32 stays float32.
VALIDATION = {"accept_sparse": ["csr", "csc"], "dtype": ["float64", "float32"]}


class BaseGD(BaseEstimator):
    """Base class of the gradient-descent linear models (not for direct use)."""

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "learning_rate": LEARNING_RATE_CONSTRAINT,
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        **SOLVER_CONSTRAINTS,
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    def _descend(self, objective):
        """Run the core on ``objective``; set the descent's fitted attributes.

        Returns the result; raises :class:`DivergenceError` instead of
        returning a diverged one.
        """
        x0 = self._start(objective)
        solver_params = {name: getattr(self, name) for name in SOLVER_CONSTRAINTS}
        rule, step = make_rule_and_step(
            objective, x0, learning_rate=self.learning_rate, **solver_params
        )
        result = descend(
            objective,
            x0,
            rule=rule,
            step=step,
            max_iter=self.max_iter,
            tol=self.tol,
            callback=print_progress if self.verbose else None,
            stacklevel=4,  # the user's call of fit, through _fit_context
        )
        if result.status == "diverged":
            # A numpy float reads as the plain number the user typed.
            rate = self.learning_rate
            rate = rate if isinstance(rate, str) else float(rate)
            raise DivergenceError(
                f"{type(self).__name__} diverged with "
                f"learning_rate={rate!r}. {result.message} Try a "
                "smaller learning_rate, learning_rate='auto' or 'line_search', or "
                "scale the features (for example with StandardScaler)."
            )
        self.n_iter_ = result.nit
        self.loss_curve_ = result.loss_curve
        self.learning_rate_ = result.learning_rate
        self.stop_reason_ = result.message
        return result

    def _start(self, objective):
        """Zeros, or the fitted coefficients when warm-starting."""
        zeros = objective.initial_params()
        if not (self.warm_start and hasattr(self, "coef_")):
            return zeros
        W = self.coef_[:, None] if self.coef_.ndim == 1 else self.coef_.T
        rows = [W, np.reshape(self.intercept_, (1, -1))] if objective.fit_intercept else [W]
        theta = np.vstack(rows)
        if theta.shape != zeros.shape:
            raise ValueError(
                f"warm_start=True cannot start from the fitted coefficients: they "
                f"have {W.shape[0]} features and {W.shape[1]} outputs, the new "
                f"problem {objective.X.shape[1]} and {zeros.shape[1]}. Fit with "
                "warm_start=False."
            )
        return theta.astype(zeros.dtype)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


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
