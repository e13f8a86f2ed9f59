"""The constraints of the parameters that ``minimize`` and both estimators
share (scikit-learn's ``_parameter_constraints``)."""

from numbers import Integral, Real

from .._optim.config import LEARNING_RATES, SCHEDULES, SOLVERS
from .._sklearn_compat import Interval, StrOptions

SOLVER_CONSTRAINTS = {
    "solver": [StrOptions(set(SOLVERS))],
    "momentum": [Interval(Real, 0, 1, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "schedule": [StrOptions(set(SCHEDULES))],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
}

LEARNING_RATE_CONSTRAINT = [
    Interval(Real, 0, None, closed="neither"),
    StrOptions(set(LEARNING_RATES)),
]
