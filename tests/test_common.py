"""scikit-learn's estimator checks, for every estimator and learning-rate mode."""

import inspect

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor, minimize
from sklearn_gd._docstrings import MARKERS

# A constant step must stay under 2/L for the data at hand. The checks fit
# features as large as N(100, 1) (check_fit_idempotent: L ~ 2e4 for least
# squares, so 0.01 diverges there, as it should) and also demand a good score
# on standardized data, so the regressor's constant step is small and given
# the iterations to get there. The classifier passes every check with 0.01.
ESTIMATORS = [
    GDLinearRegressor(),
    GDLinearRegressor(learning_rate="line_search"),
    GDLinearRegressor(learning_rate=5e-5, max_iter=40_000),
    GDLogisticRegressor(),
    GDLogisticRegressor(learning_rate="line_search"),
    GDLogisticRegressor(learning_rate=0.01),
    GDLogisticRegressor(class_weight="balanced"),
    GDLinearRegressor(learning_rate="bb"),
    GDLogisticRegressor(learning_rate="bb"),
    *(Estimator(solver=solver) for Estimator in (GDLinearRegressor, GDLogisticRegressor)
      for solver in ("momentum", "nesterov", "adam", "adagrad", "rmsprop")),
]


# The checks fit with the default max_iter on data they choose; a descent that
# stops early there is expected, and not what they check.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("documented", [GDLinearRegressor, GDLogisticRegressor, minimize])
def test_every_parameter_is_documented_once(documented):
    doc = documented.__doc__
    assert not any(marker.strip() in doc for marker in MARKERS)
    for name in inspect.signature(documented).parameters:
        assert doc.count(f"\n    {name} : ") == 1, name
