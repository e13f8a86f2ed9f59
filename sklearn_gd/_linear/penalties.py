r"""The elastic-net penalty on the coefficients, split into its two parts.

.. math::

    P(W) = \underbrace{\tfrac{\alpha (1 - \rho)}{2} \|W\|_F^2}_{\text{smooth}}
         + \underbrace{\alpha \rho \textstyle\sum_{jk} |W_{jk}|}_{\text{non-smooth}}

with :math:`\rho` = ``l1_ratio``. The smooth part joins the gradient; the
non-smooth part is handled by its proximal operator (soft-thresholding), so
that coefficients become exactly zero. ``"l2"`` is :math:`\rho = 0`, ``"l1"``
is :math:`\rho = 1` and no penalty is :math:`\alpha = 0`.
"""

import numpy as np

from .._reductions import dot

PENALTIES = ("l2", "l1", "elasticnet")


def penalty_strengths(penalty, alpha, l1_ratio):
    """``(alpha, l1_ratio)`` of an estimator's ``penalty``, ``alpha`` and ``l1_ratio``.

    ``l1_ratio`` counts for ``"elasticnet"`` only and ``alpha`` not at all
    for ``penalty=None``, as in scikit-learn's SGD estimators.
    """
    if penalty is None:
        return 0.0, 0.0
    return alpha, {"l2": 0.0, "l1": 1.0}.get(penalty, l1_ratio)


class ElasticNet:
    """The penalty ``P(W)`` with its gradient, proximal step and subgradient.

    Parameters
    ----------
    alpha : float >= 0
    l1_ratio : float in [0, 1]
    """

    def __init__(self, alpha, l1_ratio):
        # Python floats keep float32 coefficients float32 (NumPy 2 promotion).
        self.l2 = float(alpha * (1.0 - l1_ratio))
        self.l1 = float(alpha * l1_ratio)
        # An attribute, not a property: the descent asks at every step.
        self.nonsmooth = self.l1 > 0

    def smooth_value_and_grad(self, W):
        return 0.5 * self.l2 * dot(W, W), self.l2 * W

    def nonsmooth_value(self, W):
        return self.l1 * float(np.abs(W).sum()) if self.nonsmooth else 0.0

    def prox(self, W, eta, weights=1.0):
        r"""Soft-thresholding, :math:`\mathrm{sign}(w) \max(|w| - \eta \alpha \rho, 0)`.

        The minimizer of :math:`\tfrac{1}{2\eta}\|V - W\|^2 + \alpha\rho\|V\|_1`;
        with ``weights`` :math:`c_j` (one per row of ``W``), of
        :math:`\tfrac{1}{2\eta}\|V - W\|^2 + \alpha\rho \sum_j c_j \|V_j\|_1`,
        row by row with the threshold :math:`\eta \alpha \rho c_j`.
        """
        threshold = eta * self.l1 * weights
        return np.sign(W) * np.maximum(np.abs(W) - threshold, 0)

    def min_norm_subgradient(self, W, G, weights=1.0):
        r"""The subgradient of least size at ``W`` of the whole objective.

        ``G`` is the gradient of the smooth part. Where :math:`w \ne 0` the
        subgradient is :math:`g + \alpha\rho\,\mathrm{sign}(w)`; where
        :math:`w = 0` it is any of :math:`g + [-\alpha\rho, \alpha\rho]`, of
        which the smallest is :math:`\mathrm{sign}(g)\max(|g| - \alpha\rho, 0)`.
        It is zero exactly at the optimum, whatever the step size, which makes
        it the stopping test of a non-smooth objective.
        """
        l1 = self.l1 * weights  # per row, with weights (see prox)
        at_zero = np.sign(G) * np.maximum(np.abs(G) - l1, 0)
        return np.where(W != 0, G + l1 * np.sign(W), at_zero)
