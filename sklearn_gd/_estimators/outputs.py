"""What the fitted estimators hand back, computed where ``X`` lives: scores,
labels and probabilities (lazy dask arrays for dask ``X``; arrays of ``X``'s
namespace on its device under array API dispatch), and the fitted arrays
placed with the data.
"""

import numpy as np

from .._backends.arrays import class_indices, class_scores, row_softmax, take_classes
from .._backends.namespace import is_namespace, to_device
from .inputs import validate_predict


def decision(estimator, X, method):
    """``X @ coef_.T + intercept_`` for the fitted ``estimator``'s public
    ``method``, where ``X`` lives."""
    X = validate_predict(estimator, X, method)
    coef = estimator.coef_
    # .T of a 1-D array is an error in the array API.
    return X @ (coef if coef.ndim == 1 else coef.T) + estimator.intercept_


def labels(scores, classes):
    """The class of highest score for each row, from ``classes``."""
    return take_classes(class_indices(scores), classes)


def probabilities(scores, log):
    """Class probabilities (their logs with ``log``) of a binary model's one
    score or a multinomial model's scores: the (log-)softmax of one score per
    class, the sigmoid for two classes."""
    return row_softmax(class_scores(scores), log)


def place_fitted(estimator, X):
    """Move the fitted arrays (``classes_`` excepted) where ``X`` lives.

    The core keeps them on the host (:mod:`sklearn_gd._backends.namespace`);
    under array API dispatch they belong with the data, as scikit-learn's
    estimators keep theirs. A dask fit's stay NumPy, as dask-ml's do.
    """
    if not is_namespace(X):
        return
    for name, value in vars(estimator).items():
        if name.endswith("_") and name != "classes_" and isinstance(value, np.ndarray):
            setattr(estimator, name, to_device(value, X))
