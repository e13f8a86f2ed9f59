"""One place for the three shapes of a linear model's parameters.

- the fitted attributes ``coef_`` and ``intercept_``, shaped as scikit-learn's
  (``coef_`` 1-D or ``(n_outputs, n_features)``; ``intercept_`` a float or 1-D);
- the core's ``theta`` of shape ``(n_features [+ 1], n_outputs)``: ``W =
  coef_.T`` on top, the intercept as the last row when it is fitted;
- the flat vector ``np.r_[coef_.ravel(), np.ravel(intercept_)]`` whose
  coordinates the displays index (so ``-1`` is the last intercept).
"""

import numpy as np


def theta_from_coef(coef, intercept, fit_intercept):
    """The core's ``theta`` of the fitted ``coef_`` and ``intercept_``."""
    W = coef[:, None] if coef.ndim == 1 else coef.T
    rows = [W, np.reshape(intercept, (1, -1))] if fit_intercept else [W]
    return np.vstack(rows)


def coef_from_theta(theta, fit_intercept, coef_shape, intercept_shape):
    """``(coef, intercept)`` of ``theta``, shaped ``coef_shape`` and
    ``intercept_shape``.

    ``theta`` may carry leading axes (a path of shape ``(n_iterates,
    n_features [+ 1], n_outputs)``); they lead in both results too.
    """
    lead = theta.shape[:-2]
    n_features = theta.shape[-2] - int(fit_intercept)
    W = theta[..., :n_features, :]
    coef = np.swapaxes(W, -1, -2).reshape((*lead, *coef_shape))
    if fit_intercept:
        intercept = theta[..., n_features, :]
    else:
        intercept = np.zeros((*lead, theta.shape[-1]), dtype=theta.dtype)
    return coef, intercept.reshape((*lead, *intercept_shape))


def flat_from_coef(coef, intercept, n_lead=0):
    """The flat vector ``np.r_[coef.ravel(), np.ravel(intercept)]``; with
    ``n_lead`` leading axes (a path), one such vector per entry."""
    coef, intercept = np.asarray(coef), np.asarray(intercept)
    lead = coef.shape[:n_lead]
    return np.concatenate([coef.reshape(*lead, -1), intercept.reshape(*lead, -1)],
                          axis=-1)


def coef_from_flat(flat, coef_shape, intercept_shape):
    """``(coef, intercept)`` of a flat vector, shaped as the fitted ones."""
    size = int(np.prod(coef_shape))
    return flat[:size].reshape(coef_shape), flat[size:].reshape(intercept_shape)


def flat_name(index, coef_shape, intercept_shape):
    """The attribute a flat coordinate comes from, as ``"coef_[0, 2]"`` or
    ``"intercept_"``; ``index`` may be negative."""
    size, n_intercepts = int(np.prod(coef_shape)), int(np.prod(intercept_shape))
    index = range(size + n_intercepts)[index]
    if index < size:
        where = np.unravel_index(index, coef_shape)
        return f"coef_[{', '.join(str(int(i)) for i in where)}]"
    if not intercept_shape:
        return "intercept_"
    where = np.unravel_index(index - size, intercept_shape)
    return f"intercept_[{', '.join(str(int(i)) for i in where)}]"
