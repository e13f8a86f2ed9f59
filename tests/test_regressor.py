"""Tests of GDLinearRegressor against closed-form least squares and ridge."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning, NotFittedError
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted

from sklearn_gd import DivergenceError, GDLinearRegressor

MODES = ["auto", "lipschitz", "line_search"]
# "lipschitz" (1/L) needs about 9,200 steps to reach tol=1e-9 on standardized
# diabetes; "auto" (Barzilai-Borwein here) about 200.
EXACT = dict(tol=1e-11, max_iter=100_000)


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def raw_diabetes():
    return load_diabetes(return_X_y=True)


def lipschitz(X, sample_weight=None):
    """L of the least-squares gradient with an intercept, computed densely."""
    w = np.ones(len(X)) if sample_weight is None else sample_weight
    A = np.column_stack([X, np.ones(len(X))])
    return np.linalg.eigvalsh(A.T @ (w[:, None] * A) / w.sum()).max()


# --- The solution ----------------------------------------------------------


# Unweighted least squares and ridge, every solver and learning rate
# ("auto", "lipschitz" and "line_search" among them): tests/test_solvers.py.


@pytest.mark.parametrize("learning_rate", MODES)
def test_sample_weight_matches_weighted_ridge(diabetes, learning_rate):
    X, y = diabetes
    w = np.random.default_rng(0).uniform(0.1, 5.0, len(y))
    gd = GDLinearRegressor(alpha=0.1, learning_rate=learning_rate, **EXACT)
    gd.fit(X, y, sample_weight=w)
    ref = Ridge(alpha=0.1 * w.sum()).fit(X, y, sample_weight=w)
    assert_allclose(gd.coef_, ref.coef_, rtol=1e-6)
    assert_allclose(gd.intercept_, ref.intercept_, rtol=1e-6)


def test_integer_sample_weight_equals_repeated_rows(diabetes):
    X, y = diabetes
    w = np.random.default_rng(1).integers(1, 4, len(y))
    weighted = GDLinearRegressor(alpha=0.1, **EXACT).fit(X, y, sample_weight=w)
    repeated = GDLinearRegressor(alpha=0.1, **EXACT).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-6)
    assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-6)


@pytest.mark.parametrize("n_targets", [3, 1])
def test_multi_output_matches_linear_regression(diabetes, n_targets):
    X, y = diabetes
    Y = np.column_stack([y, -2 * y + 5, 3 * X[:, 0] + 1])[:, :n_targets]
    gd = GDLinearRegressor(**EXACT).fit(X, Y)
    ref = LinearRegression().fit(X, Y)
    assert gd.coef_.shape == ref.coef_.shape == (n_targets, X.shape[1])
    assert gd.intercept_.shape == ref.intercept_.shape == (n_targets,)
    assert_allclose(gd.coef_, ref.coef_, rtol=1e-6, atol=1e-9)
    assert_allclose(gd.intercept_, ref.intercept_, rtol=1e-6)
    assert gd.predict(X).shape == (len(y), n_targets)


def test_one_dimensional_y_gives_flat_coef_and_float_intercept(diabetes):
    X, y = diabetes
    gd = GDLinearRegressor(max_iter=100_000).fit(X, y)
    assert gd.coef_.shape == (X.shape[1],)
    assert isinstance(gd.intercept_, float)
    assert gd.predict(X).shape == (len(y),)


def test_no_intercept_matches_linear_regression(diabetes):
    X, y = diabetes
    gd = GDLinearRegressor(fit_intercept=False, **EXACT).fit(X, y)
    ref = LinearRegression(fit_intercept=False).fit(X, y)
    assert_allclose(gd.coef_, ref.coef_, rtol=1e-6)
    assert gd.intercept_ == 0.0
    assert_allclose(gd.predict(X), X @ ref.coef_, rtol=1e-6)


# --- The descent itself ----------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
def test_one_step_is_the_textbook_gradient_step(raw_diabetes, weighted):
    X, y = raw_diabetes
    s = np.random.default_rng(0).uniform(0.5, 2.0, len(y)) if weighted else np.ones(len(y))
    gd = GDLinearRegressor(alpha=0.3, learning_rate=0.1, max_iter=1)
    with pytest.warns(ConvergenceWarning):
        gd.fit(X, y, sample_weight=s if weighted else None)
    # At W = 0, b = 0 the residual is -y and the penalty's gradient vanishes.
    grad_W = X.T @ (s * (0.0 - y)) / s.sum()
    grad_b = np.sum(s * (0.0 - y)) / s.sum()
    assert_allclose(gd.coef_, -0.1 * grad_W, rtol=1e-12)
    assert_allclose(gd.intercept_, -0.1 * grad_b, rtol=1e-12)
    assert gd.n_iter_ == 1
    assert gd.learning_rate_ == 0.1


@pytest.mark.parametrize("learning_rate", ["lipschitz", "line_search"])
def test_loss_curve_starts_at_zero_model_and_never_rises(diabetes, learning_rate):
    X, y = diabetes
    # Below tol ~1e-6 the objective (~1.4e3) only moves by rounding noise.
    gd = GDLinearRegressor(learning_rate=learning_rate, tol=1e-5, max_iter=100_000).fit(X, y)
    curve = gd.loss_curve_
    assert curve.shape == (gd.n_iter_ + 1,)
    assert curve[0] == pytest.approx(0.5 * np.mean(y**2), rel=1e-12)
    assert np.all(np.diff(curve) <= 0)
    residual = y - gd.predict(X)
    assert curve[-1] == pytest.approx(0.5 * np.mean(residual**2), rel=1e-10)


def test_default_loss_curve_rises_only_within_its_non_monotone_safeguard(diabetes):
    # The default is Barzilai-Borwein here: each objective is at most the
    # largest of the 10 before it (up to the line search's rounding slack).
    X, y = diabetes
    gd = GDLinearRegressor(tol=1e-5, max_iter=100_000).fit(X, y)
    curve = gd.loss_curve_
    assert curve.shape == (gd.n_iter_ + 1,)
    assert curve[0] == pytest.approx(0.5 * np.mean(y**2), rel=1e-12)
    for k in range(1, len(curve)):
        window = curve[max(0, k - 10):k]
        assert curve[k] <= window.max() + 1e-6 * abs(curve[k - 1])
    residual = y - gd.predict(X)
    assert curve[-1] == pytest.approx(0.5 * np.mean(residual**2), rel=1e-10)


def test_lipschitz_learning_rate_is_inverse_lipschitz(diabetes):
    X, y = diabetes
    gd = GDLinearRegressor(alpha=0.5, learning_rate="lipschitz", max_iter=100_000,
                           precondition=False)
    gd.fit(X, y)
    assert gd.learning_rate_ == pytest.approx(1 / (lipschitz(X) + 0.5), rel=1e-3)


def test_auto_learning_rate_is_not_the_constant_step(diabetes):
    # Full-batch plain descent: "auto" is Barzilai-Borwein, whose steps follow
    # the curvature they meet; far fewer of them than of 1/L.
    X, y = diabetes
    auto = GDLinearRegressor(alpha=0.5, max_iter=100_000, precondition=False).fit(X, y)
    inverse_l = 1 / (lipschitz(X) + 0.5)
    assert auto.learning_rate_ != pytest.approx(inverse_l, rel=1e-2)
    constant = GDLinearRegressor(alpha=0.5, learning_rate="lipschitz",
                                 max_iter=100_000, precondition=False).fit(X, y)
    assert auto.n_iter_ < constant.n_iter_ / 3


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_gives_the_dense_coefficients(fmt):
    rng = np.random.default_rng(0)
    X = sp.random(200, 15, density=0.3, format=fmt, random_state=0)
    y = X @ rng.normal(size=15) + 0.1 * rng.normal(size=200) + 2.0
    sparse = GDLinearRegressor(alpha=0.01, tol=1e-8, max_iter=100_000).fit(X, y)
    dense = GDLinearRegressor(alpha=0.01, tol=1e-8, max_iter=100_000).fit(X.toarray(), y)
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-7, atol=1e-10)
    assert_allclose(sparse.intercept_, dense.intercept_, rtol=1e-7)
    assert_allclose(sparse.predict(X), dense.predict(X.toarray()), rtol=1e-7)


def test_float32_input_stays_float32(diabetes):
    X, y = diabetes
    X32 = X.astype(np.float32)
    params = dict(learning_rate="lipschitz", tol=1e-3, max_iter=100_000)
    gd = GDLinearRegressor(**params).fit(X32, y.astype(np.float32))
    assert gd.coef_.dtype == np.float32
    assert gd.predict(X32).dtype == np.float32
    # Same descent in float64; the float32 one is not to be more precise than
    # that. (A constant step: the BB steps of "auto" feed on differences of
    # gradients, so rounding sends the two descents along different paths.)
    ref = GDLinearRegressor(**params).fit(X, y)
    assert_allclose(gd.coef_, ref.coef_, rtol=1e-3, atol=1e-3)


def test_float32_default_reaches_least_squares(diabetes):
    X, y = diabetes
    X32 = X.astype(np.float32)
    gd = GDLinearRegressor().fit(X32, y.astype(np.float32))
    assert gd.coef_.dtype == np.float32
    ref = LinearRegression().fit(X, y)

    def half_mse(model):
        return 0.5 * np.mean((y - model.predict(X).astype(np.float64)) ** 2)

    # The relative test of the default stops within about 1e-6 of the least
    # objective; float32 adds its rounding, 1e-7 of it.
    assert half_mse(gd) <= half_mse(ref) * (1 + 1e-5)


def test_max_iter_too_small_warns(diabetes):
    X, y = diabetes
    # Constant steps: whitened, the least-squares fit would be one step.
    gd = GDLinearRegressor(max_iter=2, learning_rate="lipschitz")
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        gd.fit(X, y)
    assert gd.n_iter_ == 2
    assert len(gd.loss_curve_) == 3


# --- Divergence ------------------------------------------------------------


def test_too_large_learning_rate_raises_divergence_error(raw_diabetes):
    X, y = raw_diabetes
    assert 10 > 2 / lipschitz(X)
    with pytest.raises(DivergenceError, match="learning_rate=10") as info:
        GDLinearRegressor(learning_rate=10).fit(X, y)
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert "'auto'" in message
    assert "scale the features" in message


@pytest.mark.parametrize("n_features", [10, 4])
def test_failed_refit_leaves_fitted_model_untouched(diabetes, raw_diabetes, n_features):
    X, y = diabetes
    gd = GDLinearRegressor(max_iter=100_000).fit(X, y)
    before = {
        "coef_": gd.coef_.copy(), "intercept_": gd.intercept_,
        "n_features_in_": gd.n_features_in_, "n_iter_": gd.n_iter_,
        "loss_curve_": gd.loss_curve_.copy(),
    }
    X_raw = raw_diabetes[0][:, :n_features]
    gd.set_params(learning_rate=10)
    with pytest.raises(DivergenceError):
        gd.fit(X_raw, y)
    assert_allclose(gd.coef_, before["coef_"], rtol=0, atol=0)
    assert gd.intercept_ == before["intercept_"]
    assert gd.n_features_in_ == before["n_features_in_"] == 10
    assert gd.n_iter_ == before["n_iter_"]
    assert_allclose(gd.loss_curve_, before["loss_curve_"], rtol=0, atol=0)
    assert_allclose(gd.predict(X), X @ before["coef_"] + before["intercept_"])


def test_failed_first_fit_leaves_estimator_unfitted(raw_diabetes):
    X, y = raw_diabetes
    gd = GDLinearRegressor(learning_rate=10)
    with pytest.raises(DivergenceError):
        gd.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(gd)
    assert not hasattr(gd, "n_features_in_")


# Some constant steps stop at max_iter on the way; that is not what is tested.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_grid_search_scores_diverging_rates_as_failed(raw_diabetes):
    X, y = raw_diabetes
    rates = [0.01, 0.1, 1.0, 10.0, "auto"]
    # A constant step diverges above 2/L (L ~ 4.0 on standardized diabetes).
    limit = 2 / lipschitz(StandardScaler().fit_transform(X))
    diverging = np.array([r != "auto" and r > limit for r in rates])
    assert diverging.tolist() == [False, False, True, True, False]
    search = GridSearchCV(
        make_pipeline(StandardScaler(), GDLinearRegressor()),
        {"gdlinearregressor__learning_rate": rates},
    )
    with pytest.warns(FitFailedWarning, match="DivergenceError"):
        search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    ranks = search.cv_results_["rank_test_score"]
    assert np.isnan(scores).tolist() == diverging.tolist()
    assert np.all(ranks[diverging] == ranks.max())
    assert np.all(ranks[~diverging] < ranks.max())
    assert search.best_params_["gdlinearregressor__learning_rate"] in (0.01, 0.1, "auto")
    assert np.isfinite(search.best_score_)


# --- Bad input -------------------------------------------------------------


@pytest.fixture
def small():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    return X, X @ np.array([1.0, 2.0, 3.0]) + 1.0


@pytest.mark.parametrize(
    "where, value, match",
    [
        ("X", np.nan, "Input X contains NaN"),
        ("X", np.inf, "Input X contains infinity"),
        ("y", np.nan, "Input y contains NaN"),
        ("y", np.inf, "Input y contains infinity"),
    ],
)
def test_non_finite_input_is_rejected(small, where, value, match):
    X, y = small[0].copy(), small[1].copy()
    (X if where == "X" else y).flat[0] = value
    with pytest.raises(ValueError, match=match):
        GDLinearRegressor().fit(X, y)


def test_wrong_number_of_features_at_predict(small):
    X, y = small
    gd = GDLinearRegressor().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features.*expecting 3 features"):
        gd.predict(X[:, :2])


def test_empty_input_is_rejected():
    with pytest.raises(ValueError, match="0 sample"):
        GDLinearRegressor().fit(np.empty((0, 3)), np.empty(0))


def test_string_input_is_rejected():
    X = np.array([["a", "b"], ["c", "d"], ["e", "f"]])
    with pytest.raises(ValueError, match="could not convert string to float"):
        GDLinearRegressor().fit(X, [1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"alpha": -1}, "'alpha' parameter"),
        ({"learning_rate": 0}, "'learning_rate' parameter"),
        ({"learning_rate": "fast"}, "'learning_rate' parameter"),
        ({"max_iter": 0}, "'max_iter' parameter"),
        ({"tol": -1}, "'tol' parameter"),
    ],
)
def test_invalid_parameters_are_rejected(small, params, match):
    with pytest.raises(InvalidParameterError, match=match):
        GDLinearRegressor(**params).fit(*small)


def test_negative_sample_weight_is_rejected(small):
    X, y = small
    w = np.ones(len(y))
    w[3] = -1.0
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        GDLinearRegressor().fit(X, y, sample_weight=w)


def test_predict_before_fit_raises_not_fitted(small):
    with pytest.raises(NotFittedError, match="not fitted"):
        GDLinearRegressor().predict(small[0])


def test_dataframe_input_sets_feature_names(small):
    pd = pytest.importorskip("pandas")
    X, y = small
    df = pd.DataFrame(X, columns=["age", "bmi", "bp"])
    gd = GDLinearRegressor().fit(df, y)
    assert list(gd.feature_names_in_) == ["age", "bmi", "bp"]
    assert_allclose(gd.predict(df), X @ gd.coef_ + gd.intercept_)
