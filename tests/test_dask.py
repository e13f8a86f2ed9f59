"""Dask arrays chunked by rows, fitted on a ``distributed`` LocalCluster that
the tests start themselves: the fit equals the NumPy fit, predictions stay
lazy, partial_fit streams the chunks, and bad layouts get clear errors."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification, make_regression

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    """Two worker processes of one thread: the chunks' tasks and the data
    cross process boundaries, as they do on a real cluster."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def _regression():
    return make_regression(400, 6, noise=1.0, random_state=0)


def _classification(n_classes):
    return make_classification(400, 6, n_informative=4, n_classes=n_classes,
                               random_state=0)


def _chunked(X, rows=100):
    return da.from_array(X, chunks=(rows, X.shape[1]) if X.ndim == 2 else rows)


CASES = [
    (GDLinearRegressor(tol=1e-8), _regression, False),
    (GDLinearRegressor(learning_rate="lipschitz", alpha=0.1, tol=1e-8), _regression, True),
    # In the original coordinates, bit for bit: the fits below take the same
    # steps. (Preconditioned, a line search may accept a step for one and
    # halve it for the other where the objectives differ in their last bit;
    # see test_preconditioned_fit_reaches_the_numpy_objective.)
    (GDLogisticRegressor(tol=1e-8, precondition=False), lambda: _classification(2), True),
    (GDLogisticRegressor(tol=1e-8, precondition=False, class_weight="balanced"),
     lambda: _classification(3), True),
]


@pytest.mark.parametrize("estimator, data, weighted", CASES,
                         ids=["regressor", "ridge-weighted", "binary-weighted",
                              "multinomial-balanced-weighted"])
def test_fit_equals_the_numpy_fit(client, estimator, data, weighted):
    X, y = data()
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y)) if weighted else None
    reference = estimator.fit(X, y, sample_weight=weights)
    fitted = type(estimator)(**estimator.get_params()).fit(
        _chunked(X), _chunked(y), sample_weight=None if weights is None else _chunked(weights))
    assert fitted.n_iter_ == reference.n_iter_
    assert isinstance(fitted.coef_, np.ndarray)
    assert_allclose(fitted.coef_, reference.coef_, rtol=1e-8, atol=1e-12)
    assert_allclose(fitted.intercept_, reference.intercept_, rtol=1e-8, atol=1e-12)
    prediction = fitted.predict(_chunked(X))
    assert isinstance(prediction, da.Array)
    assert_allclose(prediction.compute(), reference.predict(X), rtol=1e-8)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_preconditioned_fit_reaches_the_numpy_objective(client, n_classes):
    """The columns' moments, and the curvatures the descent measures them
    again at, are read from the chunks where they lie."""
    X, y = _classification(n_classes)
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    reference = GDLogisticRegressor(tol=1e-8).fit(X, y, sample_weight=weights)
    fitted = GDLogisticRegressor(tol=1e-8).fit(_chunked(X), _chunked(y),
                                               sample_weight=_chunked(weights))
    assert fitted.stop_reason_.startswith("Converged")
    assert_allclose(fitted.loss_curve_[-1], reference.loss_curve_[-1], rtol=1e-11)


def test_probabilities_stay_lazy(client):
    X, y = _classification(2)
    fitted = GDLogisticRegressor().fit(_chunked(X), y)
    reference = GDLogisticRegressor().fit(X, y)
    for method in ("predict_proba", "predict_log_proba", "decision_function"):
        result = getattr(fitted, method)(_chunked(X))
        assert isinstance(result, da.Array), method
        assert_allclose(result.compute(), getattr(reference, method)(X), rtol=1e-8,
                        err_msg=method)


def test_each_pass_is_one_task_a_chunk_and_one_sum(client):
    """A pass sends one task to each chunk and one that sums their results,
    and the driver gathers only the sum: nothing grows with the iterations."""
    X, y = _regression()
    with distributed.get_task_stream(client) as stream:
        fitted = GDLinearRegressor(tol=1e-6).fit(_chunked(X), y)
    names = [task["key"][0] if isinstance(task["key"], tuple) else task["key"]
             for task in stream.data]
    passes = sum(name.startswith("_add") for name in names)
    chunk_tasks = sum(name.startswith("_chunk_pass") for name in names)
    assert passes >= fitted.n_iter_ + 1
    assert chunk_tasks == 4 * passes


def test_partial_fit_streams_the_chunks(client):
    X, y = _classification(3)
    streamed = GDLogisticRegressor().partial_fit(_chunked(X), _chunked(y), classes=[0, 1, 2])
    reference = GDLogisticRegressor()
    for rows in np.array_split(np.arange(len(y)), 4):
        reference.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
    assert streamed.n_iter_ == reference.n_iter_ == 4
    assert_allclose(streamed.coef_, reference.coef_, rtol=1e-10)


def test_without_a_cluster_dask_schedules_the_same_passes(monkeypatch):
    import sklearn_gd._backends.dask_pass as module

    monkeypatch.setattr(module, "_client", lambda: None)
    X, y = _regression()
    reference = GDLinearRegressor(tol=1e-8).fit(X, y)
    fitted = GDLinearRegressor(tol=1e-8).fit(_chunked(X), y)
    assert_allclose(fitted.coef_, reference.coef_, rtol=1e-8)


def test_chunks_along_features_are_refused(client):
    X, y = _regression()
    with pytest.raises(ValueError, match=r"chunked along its features.*rechunk"):
        GDLinearRegressor().fit(da.from_array(X, chunks=(100, 3)), y)


@pytest.mark.parametrize("params, match", [
    ({"batch_size": 16}, "Mini-batches"),
    ({"early_stopping": True}, "early_stopping=True is not available"),
])
def test_options_a_dask_fit_lacks_are_refused(client, params, match):
    X, y = _regression()
    with pytest.raises(ValueError, match=match):
        GDLinearRegressor(**params).fit(_chunked(X), y)


def test_bad_data_is_refused_and_the_fitted_model_kept(client):
    X, y = _regression()
    fitted = GDLinearRegressor().fit(_chunked(X), y)
    coef = fitted.coef_.copy()
    bad = X.copy()
    bad[5, 2] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        fitted.fit(_chunked(bad), y)
    with pytest.raises(ValueError, match="Negative values in data passed to sample_weight"):
        fitted.fit(_chunked(X), y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="400 samples but y has 399"):
        fitted.fit(_chunked(X), y[:-1])
    with pytest.raises(ValueError, match="X has 5 features, but GDLinearRegressor is "
                                         "expecting 6"):
        fitted.predict(_chunked(X[:, :5]))
    assert_allclose(fitted.coef_, coef)
