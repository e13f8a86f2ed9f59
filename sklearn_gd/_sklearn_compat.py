"""The one place that imports scikit-learn's private helpers.

A scikit-learn release that moves one of these touches this file only.
"""

from sklearn.base import _fit_context
from sklearn.externals import array_api_compat
from sklearn.utils._array_api import _convert_to_numpy, get_namespace_and_device
from sklearn.utils._param_validation import (
    Interval,
    StrOptions,
    make_constraint,
    validate_params,
)
from sklearn.utils.validation import _check_sample_weight

try:
    from sklearn.utils._array_api import check_same_namespace, move_to
except ImportError:  # scikit-learn < 1.9: array API input is refused
    check_same_namespace = move_to = None

try:  # labels sorted once, carried in y's dtype for the target checks
    from sklearn.utils._unique import attach_unique, cached_unique
except ImportError:  # pragma: no cover (scikit-learn without them: sorted twice)
    import numpy as np

    def attach_unique(y):
        return y

    cached_unique = np.unique

__all__ = [
    "Interval",
    "_convert_to_numpy",
    "array_api_compat",
    "attach_unique",
    "cached_unique",
    "check_same_namespace",
    "get_namespace_and_device",
    "make_constraint",
    "move_to",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "validate_params",
]
