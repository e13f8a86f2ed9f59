r"""The objective of a penalized linear model, in the shape the core descends.

.. math::

    J(W, b) = \frac{1}{\sum_i s_i} \sum_i s_i\, \ell(y_i, x_i W + b)
              + \frac{\alpha}{2} \|W\|_F^2

The parameters are one array ``theta`` of shape ``(n_features [+ 1],
n_outputs)``: ``W`` on top, the intercept ``b`` as the last row when
``fit_intercept``. The intercept is not penalized.
"""

import numpy as np

from ._lipschitz import gram_spectral_norm


class LinearModelObjective:
    """Loss plus L2 penalty of a linear model, for the descent loop.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_targets)
        Targets as the loss reads them.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative, with a positive sum.
    loss : object
        A loss from :mod:`sklearn_gd._losses`.
    alpha : float >= 0
    fit_intercept : bool
    n_outputs : int
        Columns of ``W``.
    """

    def __init__(self, X, Y, sample_weight, loss, *, alpha, fit_intercept, n_outputs):
        self.X, self.Y, self.loss = X, Y, loss
        self.alpha, self.fit_intercept = alpha, fit_intercept
        self.n_outputs = n_outputs
        # Dividing by the sum of the weights keeps the objective a weighted
        # mean: weight 2 is the same as a repeated row.
        self._weights = sample_weight / sample_weight.sum()

    def initial_params(self):
        shape = (self.X.shape[1] + int(self.fit_intercept), self.n_outputs)
        return np.zeros(shape, dtype=self.X.dtype)

    def split(self, theta):
        """``(W, b)``; ``b`` is zeros when there is no intercept."""
        p = self.X.shape[1]
        b = theta[p] if self.fit_intercept else np.zeros_like(theta[0])
        return theta[:p], b

    def value_and_grad(self, theta):
        W, b = self.split(theta)
        Z = self.X @ W
        if self.fit_intercept:
            Z += b
        losses, dZ = self.loss.loss_gradient(self.Y, Z)
        value = self._weights @ losses + 0.5 * self.alpha * np.vdot(W, W)
        dZ *= self._weights[:, None]
        grad = np.empty_like(theta)
        grad[: W.shape[0]] = self.X.T @ dZ + self.alpha * W
        if self.fit_intercept:
            grad[-1] = dZ.sum(axis=0)
        return float(value), grad

    def lipschitz(self):
        r""":math:`L = c\, \lambda_{\max}([X, 1]^\top \mathrm{diag}(w) [X, 1]) + \alpha`.

        ``c`` bounds the loss's second derivative in the raw prediction and
        ``w`` are the normalized sample weights.
        """
        gram = gram_spectral_norm(self.X, self._weights, self.fit_intercept)
        return self.loss.curvature * gram + self.alpha
