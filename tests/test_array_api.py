"""The estimators and ``minimize`` on arrays of other array API libraries.

Under ``sklearn.config_context(array_api_dispatch=True)`` the data stays in its
namespace and on its device, the fitted arrays go there too, and the fit is
the NumPy fit (the same iterates, to rounding). scikit-learn's own array API
checks run in ``test_common.py``; these compare values and cover the rest of
the estimators' surface: mini-batches, penalties, multi-output, weights, warm
starts, partial_fit, predictions and the errors.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn import config_context
from sklearn.datasets import make_classification, make_regression

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor, minimize
from sklearn_gd._backends.namespace import to_host


def _torch(device):
    torch = pytest.importorskip("torch")
    return lambda a: torch.asarray(np.asarray(a), device=device)


def _strict(device):
    xps = pytest.importorskip("array_api_strict")
    return lambda a: xps.asarray(np.asarray(a), device=xps.Device(device))


# (name, converter factory, device): array-api-strict's "device1" is a second,
# pretend device, which catches arrays left on the default one.
NAMESPACES = [("torch", _torch, "cpu"), ("array_api_strict", _strict, "CPU_DEVICE"),
              ("array_api_strict-device1", _strict, "device1")]


@pytest.fixture(params=NAMESPACES, ids=[n for n, _, _ in NAMESPACES])
def to_xp(request):
    _, factory, device = request.param
    return factory(device)


def _namespace_name(array):
    return type(array).__module__.split(".")[0]


def _regression(n_targets=1):
    X, y = make_regression(120, 6, n_targets=n_targets, noise=1.0, random_state=0)
    return X, y


def _classification(n_classes):
    return make_classification(150, 6, n_informative=4, n_classes=n_classes,
                               random_state=0)


def _fit_both(estimator, to_xp, X, y, **fit_params):
    """The NumPy fit and the fit on ``to_xp``'s arrays under dispatch."""
    reference = estimator.fit(X, y, **{k: np.asarray(v) for k, v in fit_params.items()})
    params = reference.get_params()
    with config_context(array_api_dispatch=True):
        fitted = type(estimator)(**params).fit(
            to_xp(X), to_xp(y), **{k: to_xp(v) for k, v in fit_params.items()})
    return reference, fitted


def _assert_same_model(reference, fitted, X_xp, rtol=1e-10):
    assert fitted.n_iter_ == reference.n_iter_
    for name in ("coef_", "intercept_", "loss_curve_"):
        assert_allclose(to_host(getattr(fitted, name)), getattr(reference, name),
                        rtol=rtol, atol=1e-12, err_msg=name)
    assert _namespace_name(fitted.coef_) == _namespace_name(X_xp)
    assert _namespace_name(fitted.loss_curve_) == _namespace_name(X_xp)


REGRESSORS = [
    GDLinearRegressor(),
    GDLinearRegressor(learning_rate="lipschitz", max_iter=300),
    GDLinearRegressor(learning_rate="line_search"),
    GDLinearRegressor(solver="nesterov", penalty="l1", alpha=0.1),
    GDLinearRegressor(batch_size=16, solver="adam", random_state=0, max_iter=30, tol=0.0),
    GDLinearRegressor(early_stopping=True, batch_size=16, random_state=0),
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator", REGRESSORS, ids=repr)
def test_regressor_fit_equals_the_numpy_fit(estimator, to_xp):
    X, y = _regression()
    reference, fitted = _fit_both(estimator, to_xp, X, y)
    _assert_same_model(reference, fitted, to_xp(X))
    with config_context(array_api_dispatch=True):
        prediction = fitted.predict(to_xp(X))
    assert _namespace_name(prediction) == _namespace_name(to_xp(X))
    assert_allclose(to_host(prediction), reference.predict(X), rtol=1e-10)


def test_multi_output_and_weights_equal_the_numpy_fit(to_xp):
    X, Y = _regression(n_targets=3)
    weights = np.random.default_rng(0).uniform(0.1, 3.0, len(X))
    reference, fitted = _fit_both(GDLinearRegressor(alpha=0.1, tol=1e-8), to_xp, X, Y,
                                  sample_weight=weights)
    _assert_same_model(reference, fitted, to_xp(X))


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_classifier_fit_and_predictions_equal_the_numpy_fit(n_classes, class_weight,
                                                            to_xp):
    X, y = _classification(n_classes)
    weights = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    # In the original coordinates, bit for bit. (Preconditioned, the line
    # search may accept a step for one fit and halve it for the other where
    # the objectives differ in their last bit; the next test holds them to the
    # same optimum.)
    estimator = GDLogisticRegressor(class_weight=class_weight, tol=1e-8, precondition=False)
    reference, fitted = _fit_both(estimator, to_xp, X, y, sample_weight=weights)
    _assert_same_model(reference, fitted, to_xp(X))
    assert isinstance(fitted.classes_, np.ndarray)
    with config_context(array_api_dispatch=True):
        for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
            result = getattr(fitted, method)(to_xp(X))
            assert _namespace_name(result) == _namespace_name(to_xp(X)), method
            assert_allclose(to_host(result), getattr(reference, method)(X), rtol=1e-9,
                            atol=1e-12, err_msg=method)
        assert fitted.score(to_xp(X), to_xp(y)) == pytest.approx(reference.score(X, y))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_preconditioned_classifier_reaches_the_numpy_objective(n_classes, to_xp):
    """The columns' moments, and the curvatures they are measured again at,
    are computed where ``X`` lives."""
    X, y = _classification(n_classes)
    weights = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    reference, fitted = _fit_both(GDLogisticRegressor(tol=1e-8), to_xp, X, y,
                                  sample_weight=weights)
    assert fitted.stop_reason_.startswith("Converged")
    assert_allclose(float(to_host(fitted.loss_curve_)[-1]), reference.loss_curve_[-1],
                    rtol=1e-11)


def test_float32_stays_float32_on_its_device():
    torch = pytest.importorskip("torch")
    X, y = _regression()
    with config_context(array_api_dispatch=True):
        fitted = GDLinearRegressor().fit(torch.asarray(X, dtype=torch.float32),
                                         torch.asarray(y, dtype=torch.float32))
        prediction = fitted.predict(torch.asarray(X, dtype=torch.float32))
    assert fitted.coef_.dtype == torch.float32
    assert prediction.dtype == torch.float32


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_and_partial_fit_continue_where_they_left_off(to_xp):
    X, y = _classification(3)
    chunks = np.array_split(np.arange(len(y)), 3)
    reference = GDLogisticRegressor(warm_start=True, max_iter=5)
    fitted = GDLogisticRegressor(warm_start=True, max_iter=5)
    streamed_reference, streamed = GDLogisticRegressor(), GDLogisticRegressor()
    for rows in chunks:
        reference.fit(X, y)
        streamed_reference.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
        with config_context(array_api_dispatch=True):
            fitted.fit(to_xp(X), to_xp(y))
            streamed.partial_fit(to_xp(X[rows]), to_xp(y[rows]), classes=[0, 1, 2])
    assert_allclose(to_host(fitted.coef_), reference.coef_, rtol=1e-10)
    assert_allclose(to_host(streamed.coef_), streamed_reference.coef_, rtol=1e-10)
    assert_allclose(to_host(streamed.loss_curve_), streamed_reference.loss_curve_,
                    rtol=1e-10)


def test_minimize_takes_and_returns_arrays_of_the_namespace():
    torch = pytest.importorskip("torch")
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -1.0])
    seen = []

    def fun(x):
        seen.append(type(x))
        return 0.5 * x @ (torch.asarray(A) @ x) - torch.asarray(b) @ x

    def grad(x):
        return torch.asarray(A) @ x - torch.asarray(b)

    reference = minimize(lambda x: 0.5 * x @ A @ x - b @ x, np.zeros(2),
                         jac=lambda x: A @ x - b, tol=1e-12)
    with config_context(array_api_dispatch=True):
        result = minimize(fun, torch.zeros(2, dtype=torch.float64), jac=grad, tol=1e-12)
    assert set(seen) == {torch.Tensor}
    assert isinstance(result.x, torch.Tensor) and isinstance(result.jac, torch.Tensor)
    assert result.nit == reference.nit
    assert_allclose(result.x.numpy(), np.linalg.solve(A, b), rtol=1e-10)


def test_mixed_namespaces_follow_X():
    torch = pytest.importorskip("torch")
    xps = pytest.importorskip("array_api_strict")
    X, y = _regression()
    weights = np.linspace(0.5, 1.5, len(y))
    reference = GDLinearRegressor().fit(X, y, sample_weight=weights)
    with config_context(array_api_dispatch=True):
        fitted = GDLinearRegressor().fit(torch.asarray(X), xps.asarray(y),
                                         sample_weight=weights)
    assert isinstance(fitted.coef_, torch.Tensor)
    assert_allclose(fitted.coef_.numpy(), reference.coef_, rtol=1e-10)


def test_sparse_input_under_dispatch_is_refused_by_name():
    X, y = _regression()
    with config_context(array_api_dispatch=True):
        with pytest.raises(ValueError, match="Sparse input cannot be used under "
                                             "array_api_dispatch"):
            GDLinearRegressor().fit(sp.csr_matrix(X), y)


def test_predicting_in_another_namespace_than_fit_is_an_error():
    torch = pytest.importorskip("torch")
    X, y = _classification(2)
    with config_context(array_api_dispatch=True):
        fitted = GDLogisticRegressor().fit(torch.asarray(X), torch.asarray(y))
        with pytest.raises(ValueError, match="same namespace"):
            fitted.predict_proba(X)


def test_a_failed_refit_keeps_the_model_on_its_device():
    torch = pytest.importorskip("torch")
    X, y = _regression()
    with config_context(array_api_dispatch=True):
        fitted = GDLinearRegressor().fit(torch.asarray(X), torch.asarray(y))
        coef = fitted.coef_.clone()
        bad = torch.asarray(X).clone()
        bad[0, 0] = float("nan")
        with pytest.raises(ValueError, match="NaN"):
            fitted.fit(bad, torch.asarray(y))
    assert torch.equal(fitted.coef_, coef)
