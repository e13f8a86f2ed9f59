"""A user's differentiable function, seen by the descent loop as a problem
(the protocol of :mod:`sklearn_gd._optim.problem`)."""

import numpy as np

from .._backends.namespace import to_host
from .._linear.penalties import ElasticNet


class FunctionProblem:
    r"""Wrap ``fun`` and ``jac`` (scipy's conventions) as a problem, plus an
    optional :math:`\lambda \|x\|_1` handled by its proximal step.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float``, or ``fun(x) -> (float, ndarray)`` when
        ``jac is True``.
    jac : callable or True
        ``jac(x) -> ndarray`` of the shape of ``x``, or True.
    shape : tuple of int
        The shape every gradient must have.
    lipschitz : float or None
        A known Lipschitz constant of the gradient.
    l1 : float >= 0
        The weight :math:`\lambda` of the L1 term (0: none).
    """

    def __init__(self, fun, jac, shape, lipschitz=None, l1=0.0):
        self._fun = fun
        self._jac = jac
        self._shape = shape
        # A Python float: an np.float64 constant would turn float32 steps into float64.
        self._lipschitz = None if lipschitz is None else float(lipschitz)
        self._l1 = ElasticNet(l1, 1.0)
        self.nonsmooth = self._l1.nonsmooth

    def prox(self, x, eta):
        return self._l1.prox(x, eta).astype(x.dtype, copy=False) if self.nonsmooth else x

    def nonsmooth_value(self, x):
        return self._l1.nonsmooth_value(x)

    def stationarity(self, x, g, f):
        return self._l1.min_norm_subgradient(x, g) if self.nonsmooth else g

    def value_and_grad(self, x):
        if self._jac is True:
            out = self._fun(x)
            if not (isinstance(out, tuple) and len(out) == 2):
                raise ValueError(
                    "With jac=True, fun must return a pair (value, gradient); got "
                    f"{type(out).__name__}."
                )
            value, grad = out
        else:
            value, grad = self._fun(x), self._jac(x)
        return self._as_value(value) + self.nonsmooth_value(x), self._as_grad(grad, x.dtype)

    def lipschitz(self, rtol=None):
        return self._lipschitz

    @staticmethod
    def _as_value(value):
        value = np.asarray(to_host(value))
        if value.size != 1 or not np.issubdtype(value.dtype, np.number):
            raise ValueError(
                "fun must return a real scalar (the objective), got "
                f"{value.dtype} of shape {value.shape}."
            )
        return float(value.reshape(()))

    def _as_grad(self, grad, dtype):
        grad = np.asarray(to_host(grad), dtype=dtype)
        if grad.shape != self._shape:
            raise ValueError(
                f"The gradient must have the shape of x0, {self._shape}, but jac "
                f"returned an array of shape {grad.shape}."
            )
        return grad
