"""Whether the data is finite and its scale fits the descent's floating point.

The descent runs in the original coordinates of ``X`` and squares what it
reads (the Lipschitz constant, the squared error, the adaptive rules' second
moments), so values near the float limits are refused with an error that asks
for scaling, rather than fitted into a model of zeros or infinities.
"""

import numpy as np
from sklearn.utils import assert_all_finite

from .._backends.arrays import largest, log_frobenius_norm, max_abs, max_row_norm
from .._backends.namespace import host_dtype


def check_scale(X, y=None, estimator_name=None):
    """Raise a ValueError if validated ``X`` is not finite (scikit-learn's
    error, naming ``estimator_name``), or if it (or regression targets ``y``)
    is too large, or ``y`` too small, for the descent's floating point.

    The Lipschitz constant is about the largest squared row norm of ``X``; the
    loss squares the residuals, and the adaptive rules square the gradient,
    whose size is about a row norm times ``max(|y|, 1)``. Past the float
    maximum these become inf, and then a zero step or a zero model; targets
    whose squares underflow give every model a loss of zero. The descent
    runs in the original coordinates, so the user is asked to scale instead.
    """
    log_norm = log_frobenius_norm(X)
    if not np.isfinite(log_norm):  # not finite, or beyond the fast pass: ask
        assert_all_finite(X, input_name="X", estimator_name=estimator_name)
    finfo = np.finfo(host_dtype(X))
    limit = float(np.log(finfo.max)) - 1  # a factor e to spare for the sums
    y_scale = 0.0 if y is None else max_abs(y)
    if 0 < y_scale < np.sqrt(finfo.tiny) or y_scale > np.sqrt(finfo.max) / np.e:
        raise ValueError(
            f"y's values are too {'large' if y_scale > 1 else 'small'} for gradient "
            f"descent in {finfo.dtype}: max |y| = {y_scale:.3g}, whose square "
            f"{'overflows' if y_scale > 1 else 'underflows to zero'} in the squared "
            "error. Scale y, for example with "
            "sklearn.compose.TransformedTargetRegressor."
        )
    # The largest row norm of X may reach exp(log_row_limit).
    log_row_limit = limit / 2 - np.log(max(y_scale, 1.0))
    if log_norm < log_row_limit:  # one fast pass settles it, nearly always
        return
    x_scale = max_abs(X)
    log_row = np.log(x_scale) if x_scale > 0 else -np.inf
    if log_row + np.log(X.shape[1]) / 2 >= log_row_limit:  # not surely safe: measure
        log_row += np.log(max_row_norm(X / x_scale, 1.0, False)) / 2
    if log_row >= log_row_limit:
        raise ValueError(
            f"X's values are too large for gradient descent in {finfo.dtype}: "
            f"max |X| = {x_scale:.3g}{'' if y is None else f' and max |y| = {y_scale:.3g}'}"
            "; the step size and the adaptive solvers work with the squares of "
            "the row norms and of the gradient, which overflow (beyond "
            f"{finfo.max:.3g}). Scale the features, for example with StandardScaler."
        )


def scaled_to_one(sample_weight):
    """``sample_weight``, divided by its largest value if that is so large
    that their sum could overflow.

    Only the weights' ratios count (the objective divides them by their sum),
    so this changes no fit; the weights of every other case are left exactly
    as given.
    """
    most = largest(sample_weight)
    if most < np.sqrt(np.finfo(host_dtype(sample_weight)).max):
        return sample_weight
    return sample_weight / most
