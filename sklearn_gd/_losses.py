r"""Per-sample losses on raw predictions :math:`z_i = x_i W + b`.

Each loss gives, for targets ``Y`` and raw predictions ``Z`` of shape
``(n_samples, n_outputs)``, the loss of every sample and its derivative with
respect to ``Z``, and ``curvature``, a bound on the second derivative in
``z`` that turns into the Lipschitz constant of the objective's gradient.
"""

import numpy as np


class HalfSquaredError:
    r""":math:`\ell(y, z) = \tfrac12 \|y - z\|^2`, :math:`\partial_z \ell = z - y`."""

    curvature = 1.0

    def loss_gradient(self, Y, Z):
        R = Z - Y
        return 0.5 * np.einsum("ij,ij->i", R, R), R


class BinaryLogLoss:
    r"""Logistic loss for :math:`y \in \{0, 1\}` and one raw prediction.

    :math:`\ell(y, z) = \log(1 + e^{z}) - y z`, :math:`\partial_z \ell =
    \sigma(z) - y`. Both come from one :math:`e = e^{-|z|} \le 1`, so that no
    logit overflows and the pass pays for one exponential per sample:
    :math:`\log(1 + e^{z}) = \log(1 + e) + \max(z, 0)` and
    :math:`\sigma(z) = 1/(1 + e)` for :math:`z \ge 0`, :math:`e/(1 + e)`
    otherwise. Its second derivative :math:`\sigma(1-\sigma)` is at most 1/4.
    """

    curvature = 0.25

    def loss_gradient(self, Y, Z):
        z = Z[:, 0]
        e = np.exp(-np.abs(z))
        losses = np.log1p(e) + np.maximum(z, 0) - Y[:, 0] * z
        sigmoid = np.where(z >= 0, 1, e)
        sigmoid /= 1 + e
        return losses, (sigmoid - Y[:, 0])[:, None]


class MultinomialLogLoss:
    r"""Softmax cross-entropy for integer labels :math:`y \in \{0..K-1\}`.

    :math:`\ell(y, z) = \log \sum_k e^{z_k} - z_y`, :math:`\partial_z \ell =
    \mathrm{softmax}(z) - e_y`, through log-sum-exp. The Hessian
    :math:`\mathrm{diag}(p) - p p^\top` has eigenvalues at most 1/2.
    ``Y`` holds the labels as a column of integers.
    """

    curvature = 0.5

    def loss_gradient(self, Y, Z):
        labels = Y[:, 0]
        rows = np.arange(Z.shape[0])
        # Shifting by the row maximum makes every exponent <= 0: no overflow.
        z_max = Z.max(axis=1, keepdims=True)
        dZ = np.exp(Z - z_max)
        norm = dZ.sum(axis=1, keepdims=True)
        dZ /= norm
        log_norm = np.log(norm[:, 0]) + z_max[:, 0]
        dZ[rows, labels] -= 1
        return log_norm - Z[rows, labels], dZ
