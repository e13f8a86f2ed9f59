"""Gradient descent for scikit-learn: plain, visible and fast."""

from ._estimators.classifier import GDLogisticRegressor
from ._estimators.minimize import minimize
from ._estimators.regressor import GDLinearRegressor
from ._optim.result import DescentResult
from ._plot import DescentPathDisplay, LossCurveDisplay
from .exceptions import DivergenceError

__version__ = "0.1.0"

__all__ = [
    "DescentPathDisplay",
    "DescentResult",
    "DivergenceError",
    "GDLinearRegressor",
    "GDLogisticRegressor",
    "LossCurveDisplay",
    "minimize",
]
