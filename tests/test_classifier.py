"""Tests of GDLogisticRegressor against scikit-learn's LogisticRegression."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_gd import DivergenceError, GDLogisticRegressor

LOADERS = {"breast_cancer": load_breast_cancer, "iris": load_iris, "wine": load_wine}
# "lipschitz" (1/L) needs up to ~23,000 steps (breast cancer) to reach tol=1e-9.
EXACT = dict(tol=1e-9, max_iter=100_000)


def standardized(name):
    X, y = LOADERS[name](return_X_y=True)
    return StandardScaler().fit_transform(X), y


def reference(X, y, C, sample_weight=None):
    return LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(
        X, y, sample_weight=sample_weight
    )


def assert_same_model(gd, ref, X):
    coef_scale = np.abs(ref.coef_).max()
    assert gd.coef_.shape == ref.coef_.shape
    assert gd.intercept_.shape == ref.intercept_.shape
    assert_allclose(gd.coef_, ref.coef_, rtol=1e-4, atol=1e-4 * coef_scale)
    # The softmax intercepts are defined up to a common constant.
    b, b_ref = gd.intercept_, ref.intercept_
    if len(b) > 1:
        b, b_ref = b - b.mean(), b_ref - b_ref.mean()
    assert_allclose(b, b_ref, rtol=1e-4, atol=1e-4 * coef_scale)
    assert_allclose(gd.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-5)
    assert_array_equal(gd.classes_, ref.classes_)


# --- The solution ----------------------------------------------------------


# Breast cancer (binary) and wine (three classes), for every solver and
# learning rate: tests/test_solvers.py. Iris, a third data set, here.
@pytest.mark.parametrize("learning_rate", ["line_search", "auto", "lipschitz"])
@pytest.mark.parametrize("dataset", ["iris"])
def test_matches_logistic_regression(dataset, learning_rate):
    X, y = standardized(dataset)
    n_samples = len(y)
    gd = GDLogisticRegressor(alpha=1 / n_samples, learning_rate=learning_rate, **EXACT)
    gd.fit(X, y)
    assert_same_model(gd, reference(X, y, C=1.0), X)
    assert gd.stop_reason_.startswith("Converged")


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris", "wine"])
def test_sample_weight_matches_weighted_logistic_regression(dataset):
    X, y = standardized(dataset)
    w = np.random.default_rng(0).integers(1, 5, len(y)).astype(float)
    alpha = 1 / len(y)
    gd = GDLogisticRegressor(alpha=alpha, learning_rate="line_search", **EXACT)
    gd.fit(X, y, sample_weight=w)
    assert_same_model(gd, reference(X, y, C=1 / (alpha * w.sum()), sample_weight=w), X)


def test_shapes_binary_and_multiclass():
    X, y = standardized("breast_cancer")
    binary = GDLogisticRegressor().fit(X, y)
    assert binary.coef_.shape == (1, X.shape[1])
    assert binary.intercept_.shape == (1,)
    assert binary.decision_function(X).shape == (len(y),)
    assert binary.predict_proba(X).shape == (len(y), 2)

    X, y = standardized("iris")
    multi = GDLogisticRegressor().fit(X, y)
    assert multi.coef_.shape == (3, X.shape[1])
    assert multi.intercept_.shape == (3,)
    assert multi.decision_function(X).shape == (len(y), 3)
    assert multi.predict_proba(X).shape == (len(y), 3)


# --- Labels and the prediction methods --------------------------------------


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["spam", "ham"]),
        np.array([3, -1]),
        np.array(["virginica", "setosa", "versicolor"]),
        np.array([7, -2, 0]),
    ],
)
def test_labels_of_any_type(labels):
    X, codes = standardized("iris" if len(labels) == 3 else "breast_cancer")
    y = labels[codes]
    gd = GDLogisticRegressor().fit(X, y)
    assert_array_equal(gd.classes_, np.sort(labels))
    pred = gd.predict(X)
    assert pred.dtype == y.dtype
    assert set(pred) <= set(labels)
    assert np.mean(pred == y) > 0.9


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris"])
def test_prediction_methods_agree(dataset):
    X, y = standardized(dataset)
    gd = GDLogisticRegressor().fit(X, y)
    proba = gd.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert_allclose(gd.predict_log_proba(X), np.log(proba), rtol=1e-10, atol=1e-12)
    assert_array_equal(gd.predict(X), gd.classes_[np.argmax(proba, axis=1)])
    scores = gd.decision_function(X)
    assert_allclose(scores, np.squeeze(X @ gd.coef_.T + gd.intercept_))
    if scores.ndim == 1:
        assert_allclose(proba[:, 1], expit(scores), rtol=1e-12)


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris"])
def test_huge_coefficients_give_finite_probabilities(dataset):
    X, y = standardized(dataset)
    gd = GDLogisticRegressor().fit(X, y)
    gd.coef_ = gd.coef_ / np.abs(gd.coef_).max() * 1e4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = gd.decision_function(X)
        proba = gd.predict_proba(X)
        log_proba = gd.predict_log_proba(X)
        pred = gd.predict(X)
    assert np.abs(scores).max() > 1e3  # exp() of these overflows float64
    assert np.all(np.isfinite(scores))
    assert np.all(np.isfinite(proba))
    assert np.all(np.isfinite(log_proba))
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(log_proba <= 0)
    assert_array_equal(pred, gd.classes_[np.argmax(log_proba, axis=1)])


@pytest.mark.parametrize("learning_rate", ["auto", "lipschitz"])
def test_large_features_stay_finite(learning_rate):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) * 1e3
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # Separable and badly scaled: the optimum is at infinity and a
        # constant step is slow here, which is not the point.
        warnings.simplefilter("ignore", ConvergenceWarning)
        gd = GDLogisticRegressor(alpha=0.0, learning_rate=learning_rate,
                                 max_iter=5_000).fit(X, y)
        proba = gd.predict_proba(X)
        log_proba = gd.predict_log_proba(X)
    assert np.all(np.isfinite(gd.coef_))
    assert np.all(np.isfinite(proba)) and np.all(np.isfinite(log_proba))
    assert np.mean(gd.predict(X) == y) > 0.95


# --- The descent itself ----------------------------------------------------


def test_one_step_binary_is_the_textbook_step():
    X, y = standardized("breast_cancer")
    gd = GDLogisticRegressor(learning_rate=0.5, max_iter=1)
    with pytest.warns(ConvergenceWarning):
        gd.fit(X, y)
    n = len(y)
    # sigmoid(0) = 1/2 for every sample at the zero start.
    assert_allclose(gd.coef_, (-0.5 * X.T @ (expit(0.0) - y) / n)[None, :], rtol=1e-12)
    assert_allclose(gd.intercept_, [-0.5 * np.mean(0.5 - y)], rtol=1e-12)
    assert gd.n_iter_ == 1
    assert gd.loss_curve_[0] == pytest.approx(np.log(2), rel=1e-12)


def test_one_step_multiclass_is_the_textbook_step():
    X, y = standardized("wine")
    gd = GDLogisticRegressor(learning_rate=0.5, max_iter=1)
    with pytest.warns(ConvergenceWarning):
        gd.fit(X, y)
    n, K = len(y), 3
    Y = np.eye(K)[y]
    assert_allclose(gd.coef_, -0.5 * (X.T @ (1 / K - Y) / n).T, rtol=1e-12, atol=1e-15)
    assert_allclose(gd.intercept_, -0.5 * np.mean(1 / K - Y, axis=0), rtol=1e-12)
    assert gd.loss_curve_[0] == pytest.approx(np.log(K), rel=1e-12)


@pytest.mark.parametrize("learning_rate", ["lipschitz", "line_search"])
def test_loss_curve_never_rises(learning_rate):
    X, y = standardized("wine")
    gd = GDLogisticRegressor(alpha=1 / len(y), learning_rate=learning_rate, tol=1e-6,
                             max_iter=100_000).fit(X, y)
    assert gd.loss_curve_.shape == (gd.n_iter_ + 1,)
    assert np.all(np.diff(gd.loss_curve_) <= 0)


# --- Errors ----------------------------------------------------------------


def test_single_class_is_rejected():
    X, _ = standardized("iris")
    with pytest.raises(ValueError, match="class"):
        GDLogisticRegressor().fit(X, np.zeros(len(X), dtype=int))


def test_single_class_with_positive_weight_is_rejected():
    X, y = standardized("breast_cancer")
    w = (y == 1).astype(float)
    gd = GDLogisticRegressor()
    with pytest.raises(ValueError, match="only one class"):
        gd.fit(X, y, sample_weight=w)
    assert not hasattr(gd, "classes_")


def test_continuous_target_is_rejected():
    X, _ = standardized("iris")
    y = np.random.default_rng(0).normal(size=len(X))
    with pytest.raises(ValueError, match="Unknown label type"):
        GDLogisticRegressor().fit(X, y)


# On the unscaled data 1/L is 2.4e-6: both rates are thousands of times too
# large. The descent either diverges, and says so with nothing fitted, or ends
# with finite coefficients; each rate reaches one of the two, always the same
# (a single rate used to be tried, whose other outcome never ran).
@pytest.mark.parametrize("learning_rate, diverges", [(1e6, True), (1e-2, False)])
def test_huge_learning_rate_never_gives_non_finite_coefficients(learning_rate, diverges):
    X, y = load_breast_cancer(return_X_y=True)
    gd = GDLogisticRegressor(learning_rate=learning_rate)
    if diverges:
        with pytest.raises(DivergenceError, match=f"learning_rate={learning_rate!r}"):
            gd.fit(X, y)
        assert not hasattr(gd, "coef_")
    else:
        # 4,000 times 1/L: the objective jumps about, up to 3,700 times its
        # start (measured), short of the 10,000 that is a blow-up; max_iter
        # stops it.
        with pytest.warns(ConvergenceWarning, match="max_iter"):
            gd.fit(X, y)
        assert np.all(np.isfinite(gd.coef_))
        assert np.all(np.isfinite(gd.intercept_))


# --- The example ---------------------------------------------------


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_over_learning_rate():
    X, y = load_breast_cancer(return_X_y=True)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), GDLogisticRegressor()),
        {"gdlogisticregressor__learning_rate": [0.01, 0.1, 1.0]},
    ).fit(X, y)
    assert search.best_score_ > 0.95
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
