"""scikit-learn's bundled datasets with standardized features, loaded once.

The arrays are shared between tests: a test must not modify them in place.
"""

from functools import cache

from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
)
from sklearn.preprocessing import StandardScaler

LOADERS = {
    "diabetes": load_diabetes,
    "breast_cancer": load_breast_cancer,
    "iris": load_iris,
    "wine": load_wine,
    "digits": load_digits,
}


@cache
def standardized(name):
    """``(X, y)`` of the dataset ``name``, each feature of zero mean and unit variance."""
    X, y = LOADERS[name](return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y
