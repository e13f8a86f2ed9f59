"""Gradient descent for scikit-learn: plain, visible and fast."""

from ._classifier import GDLogisticRegressor
from ._minimize import minimize
from ._plot import DescentPathDisplay, LossCurveDisplay
from ._regressor import GDLinearRegressor
from ._result import DescentResult
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
