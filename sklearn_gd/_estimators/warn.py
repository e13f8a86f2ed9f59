"""Warnings that point at the user's line.

A warning raised deep in a fit should name the line that called ``fit``,
``partial_fit`` or :func:`~sklearn_gd.minimize`, whatever the depth of the
package's own frames and of scikit-learn's decorators around those methods;
a fixed ``stacklevel`` breaks whenever either changes, and pointed at
scikit-learn's ``_fit_context`` wrapper.
"""

import os
import sys
import warnings

import sklearn
from sklearn.exceptions import ConvergenceWarning

_OURS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SKLEARN = os.path.dirname(os.path.abspath(sklearn.__file__))


def warn_at_caller(message, category=ConvergenceWarning):
    """Warn with ``message``, attributed to the first frame outside this
    package and outside scikit-learn's method wrappers: the caller of the
    public method (a user's script, or scikit-learn's own code when a search
    fits the estimator)."""
    frame, level = sys._getframe(1), 2
    while frame is not None and _skipped(frame.f_code):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def _skipped(code):
    filename = os.path.abspath(code.co_filename)
    if filename.startswith(_OURS + os.sep):
        return True
    # _fit_context and validate_params wrap the public methods in a "wrapper".
    return code.co_name == "wrapper" and filename.startswith(_SKLEARN + os.sep)
