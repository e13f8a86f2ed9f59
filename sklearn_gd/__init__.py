"""Gradient descent for scikit-learn: plain, visible and fast."""

from ._estimators.classifier import GDLogisticRegressor
from ._estimators.minimize import minimize
from ._estimators.regressor import GDLinearRegressor
from ._optim.result import DescentResult
from ._plot import DescentPathDisplay, LossCurveDisplay
from .exceptions import DivergenceError

__version__ = "0.1.0"

# Public names report their public home: pickles, skops files and the docs
# then name sklearn_gd.GDLinearRegressor, never a private module.
for _public in (GDLinearRegressor, GDLogisticRegressor, DescentResult, DescentPathDisplay,
                LossCurveDisplay):
    _public.__module__ = __name__
del _public

__all__ = [
    "DescentPathDisplay",
    "DescentResult",
    "DivergenceError",
    "GDLinearRegressor",
    "GDLogisticRegressor",
    "LossCurveDisplay",
    "minimize",
]
