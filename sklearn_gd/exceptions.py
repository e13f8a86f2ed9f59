"""Exceptions raised by sklearn-gd."""


class DivergenceError(ValueError):
    """Gradient descent diverged: the objective became non-finite or blew up.

    Raised by the estimators' ``fit`` (never by :func:`~sklearn_gd.minimize`,
    which reports divergence in its result so that the run can be inspected).
    It subclasses :class:`ValueError`, so model selection tools such as
    :class:`~sklearn.model_selection.GridSearchCV` score the candidate as failed
    and carry on.
    """
