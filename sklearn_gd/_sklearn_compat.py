"""The one place that imports scikit-learn's private helpers.

A scikit-learn release that moves one of these touches this file only.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    Interval,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "Interval",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "validate_params",
]
