"""average: Polyak-Ruppert averaging of the mini-batch iterates."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor


@pytest.fixture
def regression():
    X, y = make_regression(n_samples=200, n_features=5, noise=10.0, random_state=0)
    return X / X.std(axis=0), y / y.std()


def _fit(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return GDLinearRegressor(**params).fit(X, y)


@pytest.mark.parametrize("average, first", [(True, 1), (1, 1), (600, 3), (601, 4)])
def test_the_coefficients_are_the_mean_of_the_iterates_after_start(regression, average,
                                                                   first):
    # One batch of all 200 samples per epoch, unshuffled: the raw iterates
    # are the epochs' ends, and averaging from the 600th sample seen is the
    # mean from the end of epoch 3 on.
    X, y = regression
    params = dict(batch_size=200, shuffle=False, learning_rate=0.05, max_iter=8)
    raw = _fit(X, y, record_path=True, **params)
    averaged = _fit(X, y, average=average, **params)
    assert_allclose(averaged.coef_, raw.coef_path_[first:].mean(axis=0), rtol=1e-12)
    assert_allclose(averaged.intercept_, raw.intercept_path_[first:].mean(axis=0),
                    rtol=1e-12, atol=1e-15)
    # The descent itself is unchanged: the same epoch objectives.
    assert_allclose(averaged.loss_curve_, raw.loss_curve_, rtol=1e-15)


def test_the_mean_is_closer_to_the_optimum_than_the_last_iterate(regression):
    # A constant step keeps the raw iterates jittering about the optimum.
    X, y = regression
    alpha = 1e-4
    ridge = Ridge(alpha=alpha * len(y)).fit(X, y)
    params = dict(batch_size=1, learning_rate=0.02, max_iter=20, random_state=0,
                  alpha=alpha)
    raw, averaged = _fit(X, y, **params), _fit(X, y, average=len(y), **params)
    raw_error = np.abs(raw.coef_ - ridge.coef_).max()
    averaged_error = np.abs(averaged.coef_ - ridge.coef_).max()
    assert averaged_error < raw_error / 5


def test_average_zero_is_off(regression):
    X, y = regression
    params = dict(batch_size=20, random_state=0, max_iter=3)
    assert_allclose(_fit(X, y, average=0, **params).coef_, _fit(X, y, **params).coef_,
                    rtol=0)


def test_partial_fit_averages_across_its_calls(regression):
    # One update a call: the streamed mean is the mean of the raw stream's
    # coefficients after each call.
    X, y = regression
    params = dict(batch_size=len(y), learning_rate=0.05)
    raw, averaged = GDLinearRegressor(**params), GDLinearRegressor(average=True, **params)
    coefs = []
    for _ in range(4):
        coefs.append(raw.partial_fit(X, y).coef_.copy())
        averaged.partial_fit(X, y)
    assert_allclose(averaged.coef_, np.mean(coefs, axis=0), rtol=1e-12)


def test_full_batches_refuse_it_and_leave_the_estimator_as_it_was():
    X, y = make_classification(n_samples=50, random_state=0)
    clf = GDLogisticRegressor().fit(X, y)
    coef = clf.coef_.copy()
    clf.set_params(average=True)
    with pytest.raises(ValueError, match="average=True averages the iterates of mini"):
        clf.fit(X, y)
    assert_allclose(clf.coef_, coef, rtol=0)


def test_float32_stays_float32(regression):
    X, y = regression
    reg = _fit(X.astype(np.float32), y.astype(np.float32), batch_size=10, average=True,
               random_state=0, max_iter=2)
    assert reg.coef_.dtype == np.float32


def test_a_stream_can_turn_averaging_on_and_off(regression):
    X, y = regression
    reg = GDLinearRegressor(batch_size=50, learning_rate=0.05)
    reg.partial_fit(X, y)
    reg.set_params(average=True).partial_fit(X, y)
    assert reg._partial_state["average"]["count"] == 4
    reg.set_params(average=False).partial_fit(X, y)
    assert reg._partial_state["average"] is None
    assert reg.score(X, y) > 0.5
