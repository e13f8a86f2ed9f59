"""The fitted model of ours inside what a display's ``from_estimator`` is
handed, and how the data on its way to that model changed.

A display draws what one of our estimators recorded while it was fitted, so
it looks through what scikit-learn wraps estimators in: pipelines, searches
and meta-estimators holding one fitted model. Where a wrapper changed ``X``
or ``y`` before the model saw them (a pipeline's transformers, recursive
feature elimination, a transformed target), the display changes them the same
way before it evaluates the model's objective on them.
"""

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from .._estimators.base import BaseGD

# Said by every error of from_estimator that finds no fitted model of ours.
ACCEPTED = (
    "It accepts a fitted GDLinearRegressor or GDLogisticRegressor; a Pipeline whose "
    "last step is one; a search fitted with refit=True (GridSearchCV, "
    "RandomizedSearchCV, HalvingGridSearchCV, ...) over one; or a fitted "
    "meta-estimator holding one fitted model as best_estimator_, estimator_ or "
    "regressor_ (TransformedTargetRegressor, SelectFromModel, RFE, ...); wrapped in "
    "one another to any depth."
)
# Meta-estimators that hold several fitted models: which one to draw is the
# caller's choice, not ours.
SEVERAL = ("estimators_", "calibrated_classifiers_")
# Meta-estimators holding one fitted model that saw X and y as they are
# (SelectFromModel fits estimator_ on all the features, then selects).
ONE = ("best_estimator_", "estimator_", "regressor_")


def find_model(estimator, caller):
    """The fitted sklearn_gd estimator inside ``estimator``.

    Parameters
    ----------
    estimator : estimator
        Ours, or what wraps one (see ``ACCEPTED``), to any depth.
    caller : str
        Who asks, named in the errors (``"LossCurveDisplay.from_estimator"``).

    Returns
    -------
    model : GDLinearRegressor or GDLogisticRegressor
        The fitted model.
    adapters : list of callable
        The changes the wrappers made to the data on its way to ``model``,
        outermost first: each maps ``(X, y)`` to ``(X, y)``.

    Raises
    ------
    NotFittedError
        When the model, or a wrapper on the way to it, is not fitted.
    TypeError
        When nothing inside ``estimator`` is one of our estimators.
    ValueError
        For a search fitted with ``refit=False``: it holds no fitted model.
    """
    chain, adapters, node = [], [], estimator
    while True:
        chain.append(type(node).__name__)
        if isinstance(node, BaseGD):
            if not _is_fitted(node):
                raise NotFittedError(f"{caller} got {_got(chain)}, {_unfitted(chain)}. "
                                     "Fit it first. " + ACCEPTED)
            return node, adapters
        node, adapt = _inner(node, chain, caller)
        if adapt is not None:
            adapters.append(adapt)


def adapt_data(adapters, X, y):
    """``X`` and ``y`` as the model saw them: through each of ``adapters``."""
    for adapt in adapters:
        X, y = adapt(X, y)
    return X, y


def _inner(node, chain, caller):
    """The estimator ``node`` wraps, and how it changes ``(X, y)`` (None: not)."""
    if isinstance(node, Pipeline):
        # Unfitted transformers say so themselves when X goes through them.
        return node[-1], lambda X, y: (node[:-1].transform(X), y)
    if not hasattr(node, "fit"):
        raise TypeError(f"{caller} got {_got(chain)}, which is not an estimator. "
                        + ACCEPTED)
    if not _is_fitted(node):
        raise NotFittedError(f"{caller} got {_got(chain)}, {_unfitted(chain)}. Fit it "
                             "first. " + ACCEPTED)
    # Here, not at import: they load half of scikit-learn (70 ms), which
    # `import sklearn_gd` should not pay for the displays.
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.feature_selection import RFE
    from sklearn.frozen import FrozenEstimator

    if isinstance(node, FrozenEstimator):
        return node.estimator, None
    if isinstance(node, TransformedTargetRegressor):
        return node.regressor_, lambda X, y: (X, _transformed_target(node, y))
    if isinstance(node, RFE):  # RFECV too: estimator_ is refitted on the kept features
        return node.estimator_, lambda X, y: (node.transform(X), y)
    if hasattr(node, "cv_results_") and not hasattr(node, "best_estimator_"):
        raise ValueError(f"{caller} got {_got(chain)} fitted with refit=False: it holds "
                         "no fitted model to draw. Fit it with refit=True. " + ACCEPTED)
    several = [name for name in SEVERAL if hasattr(node, name)]
    # Bagging and boosting keep an unfitted template in estimator_ beside
    # their fitted estimators_: the template is not the model to draw.
    for name in () if several else ONE:
        inner = getattr(node, name, None)
        if hasattr(inner, "fit"):
            return inner, None
    hint = (f" It holds several fitted models ({several[0]}): pass the one to draw."
            if several else "")
    raise TypeError(f"{caller} got {_got(chain)}, with no fitted GDLinearRegressor or "
                    f"GDLogisticRegressor inside.{hint} " + ACCEPTED)


def _transformed_target(regressor, y):
    """``y`` as TransformedTargetRegressor.fit hands it to its regressor_."""
    y = check_array(y, input_name="y", ensure_2d=False, dtype="numeric", allow_nd=True)
    y_trans = regressor.transformer_.transform(y.reshape(-1, 1) if y.ndim == 1 else y)
    # A one-column target goes back to 1-D, as in fit.
    if np.ndim(y_trans) == 2 and np.shape(y_trans)[1] == 1 and y.ndim == 1:
        y_trans = np.asarray(y_trans)[:, 0]
    return y_trans


def _is_fitted(estimator):
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


def _got(chain):
    """What the caller got, as ``a GridSearchCV`` or ``a GridSearchCV holding
    Pipeline > GDLinearRegressor``."""
    if len(chain) == 1:
        return f"a {chain[0]}"
    return f"a {chain[0]} holding {' > '.join(chain[1:])}"


def _unfitted(chain):
    return "which is not fitted" if len(chain) == 1 else f"whose {chain[-1]} is not fitted"
