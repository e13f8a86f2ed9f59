"""``max_time``: every loop stops once its budget of wall-clock seconds has
passed, after the step (the mini-batch) under way.

The clock is a fake that moves one second each time it is read, so the tests
count reads, not seconds: they cannot be flaky, and they fail if a loop stops
asking the clock.
"""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor, minimize
from sklearn_gd._optim import record, stopping


class TickingClock:
    """``time`` whose ``perf_counter`` moves one second per read."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        self.now += 1.0
        return self.now


@pytest.fixture
def clock(monkeypatch):
    ticking = TickingClock()
    # The limit and the record read the same clock.
    monkeypatch.setattr(stopping, "time", ticking)
    monkeypatch.setattr(record, "time", ticking)
    return ticking


def _data(n_samples=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 3))
    return X, X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=n_samples)


def test_minimize_stops_at_max_time(clock):
    # 1e-3 on w**2 needs thousands of steps to meet tol.
    with pytest.warns(ConvergenceWarning, match="max_time=5 seconds"):
        res = minimize(lambda w: w @ w, np.ones(2), jac=lambda w: 2 * w,
                       learning_rate=1e-3, max_iter=10_000, max_time=5)
    assert res.status == "max_time" and not res.success
    # One read starts the limit, one the record; then two per step (the
    # record's and the limit's): the budget's end is read after step 2.
    assert res.nit == 2
    assert res.loss_curve.shape == (3,)


@pytest.mark.parametrize("solver", ["gd", "momentum", "nesterov", "adam"])
def test_full_batch_fit_stops_at_max_time(clock, solver):
    X, y = _data()
    reg = GDLinearRegressor(solver=solver, learning_rate=1e-3, max_iter=10_000,
                            max_time=9)
    with pytest.warns(ConvergenceWarning, match="max_time=9 seconds"):
        reg.fit(X, y)
    assert 1 <= reg.n_iter_ <= 4
    assert "max_time" in reg.stop_reason_
    assert np.all(np.isfinite(reg.coef_))


def test_minibatch_epoch_is_cut_short(clock):
    # One sample a batch: an epoch is 40 steps, far more than the budget.
    X, y = _data()
    reg = GDLinearRegressor(batch_size=1, shuffle=False, max_iter=50, max_time=6)
    with pytest.warns(ConvergenceWarning, match="max_time=6 seconds"):
        reg.fit(X, y)
    assert reg.n_iter_ == 1 and "after 1 epochs" in reg.stop_reason_
    assert clock.now < 20  # a full epoch would read it 40 times


def test_partial_fit_epoch_is_cut_short(clock):
    X, y = _data()
    clf = GDLogisticRegressor(batch_size=1, shuffle=False, max_time=6)
    clf.partial_fit(X, y > 0, classes=[False, True])  # no warning: an epoch's call
    assert clf.n_iter_ == 1 and "max_time=6 seconds" in clf.stop_reason_
    assert clock.now < 20


def test_no_limit_by_default(clock):
    X, y = _data()
    # Constant steps: more than 10 of them (a whitened fit takes two).
    reg = GDLinearRegressor(tol=1e-8, learning_rate="lipschitz").fit(X, y)
    assert reg.stop_reason_.startswith("Converged") and clock.now > 10


@pytest.mark.parametrize("max_time", [0, -1.0, "1"])
def test_invalid_max_time(max_time):
    X, y = _data()
    with pytest.raises(InvalidParameterError, match="max_time"):
        GDLinearRegressor(max_time=max_time).fit(X, y)
    with pytest.raises(InvalidParameterError, match="max_time"):
        minimize(lambda w: w @ w, np.ones(2), jac=lambda w: 2 * w, max_time=max_time)
