r"""Per-sample losses on raw predictions :math:`z_i = x_i W + b`.

Each loss gives, for targets ``Y`` and raw predictions ``Z`` of shape
``(n_samples, n_outputs)``, the loss of every sample and its derivative with
respect to ``Z``, and ``curvature``, a bound on the second derivative in
``z`` that turns into the Lipschitz constant of the objective's gradient.

``xp`` is the array namespace of ``Y`` and ``Z``: NumPy by default, or that of
an array API library when the data lives there (:mod:`sklearn_gd._backends.namespace`).
``labels`` says that the targets are class indices ``0..K-1``, one column.
``curvatures(Z)`` is each sample's second derivative in ``Z``, averaged over
the outputs' diagonal (NumPy ``Z``): what the Hessian's diagonal weighs the
samples by; ``constant_curvature`` says that it is the same everywhere.
``curvature_factors(Z)`` is the whole second derivative of each sample,
:math:`\mathrm{diag}(D_i) - F_i F_i^\top`, as ``(D, F)`` (``F`` None where
it is diagonal), what the whitened coordinates measure; ``curvatures`` is
derived from it (:func:`diagonal_curvatures`), so that a measure that needs
both computes the second derivatives once.
"""

import numpy as np


def diagonal_curvatures(D, F):
    r"""Each sample's second derivative averaged over the outputs' diagonal,
    from its :meth:`curvature_factors` ``(D, F)``: the mean over :math:`k` of
    :math:`D_k - F_k^2`."""
    return (D if F is None else D - F * F).mean(axis=1)


class _Curvatures:
    """``curvatures(Z)`` from ``curvature_factors(Z)``: one rule for every loss."""

    def curvatures(self, Z):
        return diagonal_curvatures(*self.curvature_factors(Z))


class HalfSquaredError(_Curvatures):
    r""":math:`\ell(y, z) = \tfrac12 \|y - z\|^2`, :math:`\partial_z \ell = z - y`."""

    curvature = 1.0
    kernel = "squared"
    labels = False
    constant_curvature = True

    def loss_gradient(self, Y, Z, xp=np):
        R = Z - Y
        if xp is np:
            # One output (the common case) needs no reduction over the row.
            if R.shape[1] == 1:
                return 0.5 * np.square(R[:, 0]), R
            return 0.5 * np.einsum("ij,ij->i", R, R), R
        return 0.5 * xp.sum(R * R, axis=1), R

    def curvature_factors(self, Z):
        return np.ones(Z.shape), None


class BinaryLogLoss(_Curvatures):
    r"""Logistic loss for :math:`y \in \{0, 1\}` and one raw prediction.

    :math:`\ell(y, z) = \log(1 + e^{z}) - y z`, :math:`\partial_z \ell =
    \sigma(z) - y`. Both come from one :math:`e = e^{-|z|} \le 1`, so that no
    logit overflows and the pass pays for one exponential per sample:
    :math:`\log(1 + e^{z}) = \log(1 + e) + \max(z, 0)` and
    :math:`\sigma(z) = 1/(1 + e)` for :math:`z \ge 0`, :math:`e/(1 + e)`
    otherwise. Its second derivative :math:`\sigma(1-\sigma)` is at most 1/4.
    """

    curvature = 0.25
    kernel = "logistic"
    labels = True
    constant_curvature = False

    def loss_gradient(self, Y, Z, xp=np):
        z = Z[:, 0]
        e = xp.exp(-xp.abs(z))
        # (z + |z|) / 2 is max(z, 0) with array operands only (the array API).
        losses = xp.log1p(e) + (z + xp.abs(z)) / 2 - Y[:, 0] * z
        inverse = 1 / (1 + e)
        sigmoid = xp.where(z >= 0, inverse, e * inverse)
        return losses, (sigmoid - Y[:, 0])[:, None]

    def curvature_factors(self, Z):
        r""":math:`\sigma(z) (1 - \sigma(z)) = e^{-|z|} / (1 + e^{-|z|})^2`."""
        e = np.exp(-np.abs(Z))
        return e / (1 + e) ** 2, None


class MultinomialLogLoss(_Curvatures):
    r"""Softmax cross-entropy for integer labels :math:`y \in \{0..K-1\}`.

    :math:`\ell(y, z) = \log \sum_k e^{z_k} - z_y`, :math:`\partial_z \ell =
    \mathrm{softmax}(z) - e_y`, through log-sum-exp. The Hessian
    :math:`\mathrm{diag}(p) - p p^\top` has eigenvalues at most 1/2.
    ``Y`` holds the labels as a column of integers.
    """

    curvature = 0.5
    kernel = "multinomial"
    labels = True
    constant_curvature = False

    def loss_gradient(self, Y, Z, xp=np):
        if xp is np:
            return _softmax_loss_gradient(Y[:, 0], Z)
        labels = Y[:, 0]
        # Shifting by the row maximum makes every exponent <= 0: no overflow.
        z_max = xp.max(Z, axis=1, keepdims=True)
        dZ = xp.exp(Z - z_max)
        norm = xp.sum(dZ, axis=1, keepdims=True)
        dZ /= norm
        log_norm = xp.log(norm[:, 0]) + z_max[:, 0]
        # The array API has no fancy indexing: the labels as one-hot rows.
        one_hot = xp.astype(labels[:, None] == xp.arange(Z.shape[1], device=Z.device),
                            Z.dtype)
        return log_norm - xp.sum(Z * one_hot, axis=1), dZ - one_hot

    def curvature_factors(self, Z):
        r""":math:`\mathrm{diag}(p) - p p^\top`: ``(P, P)``, column-major, for
        the reason :func:`_softmax_loss_gradient` gives."""
        Z = np.asfortranarray(Z)
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        return P, P


def _softmax_loss_gradient(labels, Z):
    """The multinomial loss and its gradient for NumPy ``Z``.

    Shifted by the row maximum, every exponent is <= 0: no overflow.
    Column-major, the reductions over the classes run down whole columns,
    5 to 50 times faster than along each short row; each sample's own class
    is a flat index into the column-major arrays.
    """
    Z = np.asfortranarray(Z)
    z_max = Z.max(axis=1, keepdims=True)
    dZ = np.asfortranarray(np.exp(Z - z_max))  # a view of it below, not a copy
    norm = dZ.sum(axis=1, keepdims=True)
    dZ /= norm
    log_norm = np.log(norm[:, 0]) + z_max[:, 0]
    own = labels * Z.shape[0] + np.arange(Z.shape[0])
    dZ.ravel(order="F")[own] -= 1
    return log_norm - Z.ravel(order="F")[own], dZ
