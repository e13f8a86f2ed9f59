"""batch_size=1 is scikit-learn's SGD: the same updates, the same numbers.

With the samples in order (``shuffle=False``) and a fixed number of epochs,
``SGDClassifier(loss="log_loss")`` and ``SGDRegressor()`` take the very
steps of ``batch_size=1`` descent on the same objective, schedules and
averaging included: the migration table of the user guide rests on this.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier, SGDRegressor
from sklearn.preprocessing import scale

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor

EPOCHS = 3
SCHEDULES = [
    ({"learning_rate": "constant", "eta0": 0.01}, {"learning_rate": 0.01}),
    ({"learning_rate": "invscaling", "eta0": 0.01, "power_t": 0.25},
     {"learning_rate": 0.01, "schedule": "invscaling", "power_t": 0.25}),
]
AVERAGES = [False, True, 100]


def _pair(sgd, ours, X, y, sgd_params, our_params, average):
    common = dict(alpha=1e-3, max_iter=EPOCHS, shuffle=False, average=average)
    theirs = sgd(tol=None, **common, **sgd_params).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # cut after 3 epochs
        mine = ours(batch_size=1, tol=0, n_iter_no_change=EPOCHS, **common,
                    **our_params).fit(X, y)
    return theirs, mine


@pytest.mark.parametrize("sgd_params, our_params", SCHEDULES)
@pytest.mark.parametrize("average", AVERAGES)
def test_sgd_regressor(sgd_params, our_params, average):
    X, y = load_diabetes(return_X_y=True)
    X, y = scale(X), scale(y)
    theirs, mine = _pair(SGDRegressor, GDLinearRegressor, X, y, sgd_params, our_params,
                         average)
    assert_allclose(mine.coef_, theirs.coef_, rtol=1e-12, atol=1e-13)
    assert_allclose(mine.intercept_, theirs.intercept_, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("sgd_params, our_params", SCHEDULES)
@pytest.mark.parametrize("average", AVERAGES)
def test_sgd_classifier_log_loss(sgd_params, our_params, average):
    X, y = load_breast_cancer(return_X_y=True)
    X = scale(X)
    theirs, mine = _pair(SGDClassifier, GDLogisticRegressor, X, y,
                         {"loss": "log_loss", **sgd_params}, our_params, average)
    assert_allclose(mine.coef_, theirs.coef_, rtol=1e-10, atol=1e-12)
    assert_allclose(mine.intercept_, theirs.intercept_, rtol=1e-10, atol=1e-12)
    assert np.array_equal(mine.predict(X), theirs.predict(X))
