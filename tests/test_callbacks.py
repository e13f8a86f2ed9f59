"""scikit-learn's callback API: set_callbacks, ProgressBar and ScoringMonitor."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor

callback = pytest.importorskip("sklearn.callback")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


class Recorder:
    """A FitCallback that records its hooks and can ask the fit to stop."""

    def __init__(self, stop_after=None):
        self.stop_after, self.events, self.coefs = stop_after, [], []

    def setup(self, estimator, context):
        self.events.append("setup")

    def teardown(self, estimator, context):
        self.events.append("teardown")

    def on_fit_task_begin(self, estimator, context):
        self.events.append(("begin", context.task_name))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None, **kwargs):
        self.events.append(("end", context.task_name))
        if context.task_name in ("iteration", "epoch") and fitted_estimator is not None:
            self.coefs.append(fitted_estimator.coef_.copy())
            return self.stop_after is not None and len(self.coefs) >= self.stop_after
        return False


@pytest.mark.parametrize("batch_size, task", [(None, "iteration"), (16, "epoch")])
def test_one_subtask_per_step_and_one_fit_task(iris, batch_size, task):
    X, y = iris
    recorder = Recorder()
    clf = GDLogisticRegressor(solver="nesterov", batch_size=batch_size, random_state=0)
    clf.set_callbacks(recorder).fit(X, y)
    assert recorder.events[0] == "setup" and recorder.events[-1] == "teardown"
    assert recorder.events.count(("begin", "fit")) == recorder.events.count(("end", "fit")) == 1
    # One subtask per step, plus the one begun after the last step and closed empty.
    assert recorder.events.count(("begin", task)) == clf.n_iter_ + 1
    assert recorder.events.count(("end", task)) == clf.n_iter_ + 1
    assert len(recorder.coefs) == clf.n_iter_
    assert_allclose(recorder.coefs[-1], clf.coef_)
    assert not hasattr(clf, "_callback_fit_ctx")


def test_fitted_estimator_at_step_k_is_the_fit_with_max_iter_k():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    recorder = Recorder()
    GDLinearRegressor(solver="nesterov").set_callbacks(recorder).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        five = GDLinearRegressor(solver="nesterov", max_iter=5).fit(X, y)
    assert_allclose(recorder.coefs[4], five.coef_, rtol=1e-12)


def test_a_callback_can_stop_the_fit(iris):
    X, y = iris
    clf = GDLogisticRegressor().set_callbacks(Recorder(stop_after=3)).fit(X, y)
    assert clf.n_iter_ == 3
    assert "callback" in clf.stop_reason_


def test_scoring_monitor_logs_a_score_per_iteration(iris):
    X, y = iris
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = GDLogisticRegressor(solver="nesterov").set_callbacks(monitor).fit(X, y)
    rows = monitor.get_logs().data
    steps = [row for row in rows if row["task_name"] == "iteration"]
    assert len(steps) == clf.n_iter_
    assert steps[-1]["accuracy"] == pytest.approx(clf.score(X, y))
    assert [row["accuracy"] for row in rows if row["task_name"] == "fit"] == [clf.score(X, y)]


def test_progress_bar_runs_to_the_end(iris, capsys):
    pytest.importorskip("rich")
    X, y = iris
    GDLogisticRegressor(solver="nesterov").set_callbacks(callback.ProgressBar()).fit(X, y)
    assert "100%" in capsys.readouterr().out


def test_failed_fit_tears_the_callbacks_down(iris):
    X, y = iris
    recorder = Recorder()
    clf = GDLogisticRegressor().set_callbacks(recorder)
    X_bad = X.copy()
    X_bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(X_bad, y)
    assert recorder.events[-1] == "teardown"
    assert not hasattr(clf, "_callback_fit_ctx")


def test_callbacks_compose_with_verbose(iris, capsys):
    X, y = iris
    recorder = Recorder()
    clf = GDLogisticRegressor(verbose=1, max_iter=3)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        clf.set_callbacks(recorder).fit(X, y)
    assert capsys.readouterr().out.count("Iteration") == 3
    assert len(recorder.coefs) == 3
