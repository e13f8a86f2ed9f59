"""class_weight, warm_start and verbose."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_class_weight

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor


@pytest.fixture(scope="module")
def unbalanced_iris():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return X[30:], y[30:]  # 20, 50 and 50 samples


@pytest.mark.parametrize("class_weight", ["balanced", {0: 3.0, 2: 0.5}])
@pytest.mark.parametrize("with_sample_weight", [False, True])
def test_class_weight_matches_logistic_regression(unbalanced_iris, class_weight,
                                                  with_sample_weight):
    X, y = unbalanced_iris
    sw = np.random.default_rng(0).integers(1, 4, len(y)).astype(float)
    sw = sw if with_sample_weight else np.ones(len(y))
    effective = sw * compute_class_weight(class_weight, classes=np.unique(y), y=y,
                                          sample_weight=sw)[y]
    alpha = 1e-2
    ours = GDLogisticRegressor(alpha=alpha, class_weight=class_weight, solver="nesterov",
                               tol=1e-10, max_iter=100_000).fit(X, y, sample_weight=sw)
    ref = LogisticRegression(C=1 / (alpha * effective.sum()), class_weight=class_weight,
                             tol=1e-12, max_iter=10_000).fit(X, y, sample_weight=sw)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-5 * np.abs(ref.coef_).max())
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)


def test_class_weight_changes_the_fit(unbalanced_iris):
    X, y = unbalanced_iris
    plain = GDLogisticRegressor(solver="nesterov").fit(X, y)
    weighted = GDLogisticRegressor(solver="nesterov", class_weight={0: 10.0}).fit(X, y)
    assert weighted.predict_proba(X)[:, 0].mean() > plain.predict_proba(X)[:, 0].mean()


def test_class_weight_zeroing_all_but_one_class_is_an_error(unbalanced_iris):
    X, y = unbalanced_iris
    with pytest.raises(ValueError, match="class"):
        GDLogisticRegressor(class_weight={0: 0.0, 1: 0.0}).fit(X, y)


def test_class_weight_with_unknown_label_is_an_error(unbalanced_iris):
    X, y = unbalanced_iris
    with pytest.raises(ValueError, match="class"):
        GDLogisticRegressor(class_weight={7: 2.0}).fit(X, y)


@pytest.mark.parametrize("Estimator, load", [(GDLinearRegressor, load_diabetes),
                                             (GDLogisticRegressor, load_iris)])
def test_warm_start_continues_the_same_descent(Estimator, load):
    X, y = load(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with pytest.warns(ConvergenceWarning):
        whole = Estimator(learning_rate="lipschitz", max_iter=7).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        first = Estimator(learning_rate="lipschitz", max_iter=5, warm_start=True).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        first.set_params(max_iter=2).fit(X, y)
    # Plain descent with a constant step has no state beyond the iterate.
    assert_allclose(first.coef_, whole.coef_, rtol=1e-12)
    assert_allclose(first.intercept_, whole.intercept_, rtol=1e-12)
    assert_allclose(first.loss_curve_, whole.loss_curve_[5:], rtol=1e-12)


# Classifiers: whitened, the least-squares fit is done in one step.
@pytest.mark.parametrize("Estimator, load", [(GDLogisticRegressor, load_breast_cancer),
                                             (GDLogisticRegressor, load_iris)])
def test_warm_start_with_the_default_step_starts_where_the_last_fit_ended(Estimator,
                                                                          load):
    # The default's Barzilai-Borwein step keeps a memory of the last steps,
    # which a new fit starts afresh: the descent continues from the fitted
    # coefficients, though not along the path one longer fit would take.
    X, y = load(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with pytest.warns(ConvergenceWarning):
        model = Estimator(max_iter=5, warm_start=True).fit(X, y)
    end = model.loss_curve_[-1]
    model.set_params(max_iter=1000).fit(X, y)
    assert model.loss_curve_[0] == pytest.approx(end, rel=1e-12)
    assert model.stop_reason_.startswith("Converged")


def test_without_warm_start_refit_starts_from_zero():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with pytest.warns(ConvergenceWarning):  # constant steps: not done after 5
        reg = GDLinearRegressor(max_iter=5, learning_rate="lipschitz").fit(X, y)
    with pytest.warns(ConvergenceWarning):
        reg.fit(X, y)
    assert reg.loss_curve_[0] == pytest.approx(0.5 * np.mean(y**2))


def test_warm_start_with_other_features_fails_and_keeps_the_model():
    X, y = load_diabetes(return_X_y=True)
    reg = GDLinearRegressor(learning_rate="line_search", warm_start=True, tol=1e-2,
                            max_iter=100_000).fit(X, y)
    coef = reg.coef_.copy()
    with pytest.raises(ValueError, match="warm_start"):
        reg.fit(X[:, :5], y)
    assert_array_equal(reg.coef_, coef)
    assert reg.n_features_in_ == X.shape[1]


def test_warm_start_from_one_target_to_three_is_a_clear_error():
    X, y = load_diabetes(return_X_y=True)
    reg = GDLinearRegressor(learning_rate="bb", warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="warm_start=True cannot start"):
        reg.fit(X, np.column_stack([y, y, y]))
    assert reg.coef_.shape == (X.shape[1],)


def test_warm_start_with_other_classes_fails(unbalanced_iris):
    X, y = unbalanced_iris
    clf = GDLogisticRegressor(solver="nesterov", warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="classes"):
        clf.fit(X, np.where(y == 2, 5, y))
    assert_array_equal(clf.classes_, [0, 1, 2])


def test_verbose_prints_one_line_per_iteration(capsys):
    X, y = load_diabetes(return_X_y=True)
    with pytest.warns(ConvergenceWarning):
        reg = GDLinearRegressor(max_iter=4, verbose=1, learning_rate="lipschitz").fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == reg.n_iter_ == 4
    assert lines[0].startswith("Iteration 1: objective ")
    assert f"{reg.loss_curve_[-1]:.8g}" in lines[-1]


def test_quiet_by_default(capsys):
    X, y = load_diabetes(return_X_y=True)
    GDLinearRegressor(learning_rate="line_search", tol=1.0).fit(X, y)
    assert capsys.readouterr().out == ""
