"""The bad-input catalogue (docs/bad_input.rst): every awkward input gets
either a correct fit, checked against scikit-learn or a closed form, or a
clear error that names the problem; a failed fit leaves a fitted estimator
exactly as it was."""

import copy
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor

N, P = 60, 4
ALPHA_CLF = 1e-2  # a well-conditioned optimum, reached fast at tight tol


def _data():
    rng = np.random.RandomState(0)
    X = rng.randn(N, P)
    y = X @ np.array([1.0, 2.0, -1.0, 0.5]) + 0.5 + 0.1 * rng.randn(N)
    labels = (X[:, 0] + 0.5 * rng.randn(N) > 0).astype(int)
    return X, y, labels


X, Y_REG, Y_CLF = _data()


def regressor(**params):
    return GDLinearRegressor(**{"tol": 1e-10, "max_iter": 20_000, **params})


def classifier(**params):
    return GDLogisticRegressor(**{"alpha": ALPHA_CLF, "tol": 1e-10, "max_iter": 20_000,
                                  **params})


ESTIMATORS = {"regressor": (regressor, Y_REG), "classifier": (classifier, Y_CLF)}
BOTH = pytest.mark.parametrize("kind", list(ESTIMATORS))


def reference(kind, X, y, sample_weight=None):
    """scikit-learn's estimator of the same objective, fitted."""
    if kind == "regressor":
        return LinearRegression().fit(X, y, sample_weight=sample_weight)
    n = len(y) if sample_weight is None else np.sum(sample_weight)
    return LogisticRegression(C=1 / (ALPHA_CLF * n), tol=1e-12, max_iter=10_000).fit(
        X, y, sample_weight=sample_weight)


def assert_same_fit(fitted, expected, atol=1e-7):
    assert_allclose(np.ravel(fitted.coef_), np.ravel(expected.coef_), atol=atol, rtol=0)
    assert_allclose(np.ravel(fitted.intercept_), np.ravel(expected.intercept_), atol=atol,
                    rtol=0)
    assert np.all(np.isfinite(fitted.coef_))


@pytest.fixture(scope="module")
def plain_fits():
    return {kind: make().fit(X, y) for kind, (make, y) in ESTIMATORS.items()}


def assert_refit_fails(fitted, match, X_bad, y_bad, error=ValueError, **fit_params):
    """A failing refit raises ``error`` matching ``match`` and changes nothing."""
    estimator = copy.deepcopy(fitted)
    before = copy.deepcopy(vars(estimator))
    with pytest.raises(error, match=match):
        estimator.fit(X_bad, y_bad, **fit_params)
    assert vars(estimator).keys() == before.keys()
    for name, value in before.items():
        if isinstance(value, np.ndarray):
            assert_array_equal(getattr(estimator, name), value)
        elif name.endswith("_") and not callable(value):
            assert getattr(estimator, name) == value, name


# -- NaN and inf ---------------------------------------------------------------


@BOTH
@pytest.mark.parametrize("where", ["X", "y", "sample_weight"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
def test_non_finite(plain_fits, kind, where, value):
    _, y = ESTIMATORS[kind]
    bad = {"X": X.copy(), "y": y.astype(float), "sample_weight": np.ones(N)}
    bad[where][3] = value
    message = ("NaN" if np.isnan(value) else "infinity") + "|Negative values"
    assert_refit_fails(plain_fits[kind], message, bad["X"], bad["y"],
                       sample_weight=bad["sample_weight"])


# -- dtypes --------------------------------------------------------------------


@BOTH
@pytest.mark.parametrize("dtype", [object, bool, np.int64, np.int32, np.float32],
                         ids=["object", "bool", "int64", "int32", "float32"])
def test_X_dtypes_fit_as_float(kind, dtype):
    make, y = ESTIMATORS[kind]
    X_typed = (X > 0) if dtype is bool else np.round(3 * X).astype(dtype)
    tol = {"tol": 1e-5} if dtype is np.float32 else {}  # float32's gradient is that coarse
    fitted = make(**tol).fit(X_typed, y)
    expected = make(**tol).fit(X_typed.astype(np.float64), y)
    assert fitted.coef_.dtype == (np.float32 if dtype is np.float32 else np.float64)
    atol = 1e-3 if dtype is np.float32 else 1e-10
    assert_same_fit(fitted, expected, atol=atol)


@BOTH
def test_X_strings_rejected(plain_fits, kind):
    _, y = ESTIMATORS[kind]
    X_str = X.astype(object)
    X_str[2, 1] = "a"
    assert_refit_fails(plain_fits[kind], "could not convert string to float", X_str, y)


@BOTH
@pytest.mark.parametrize("where", ["X", "y"])
def test_complex_rejected(plain_fits, kind, where):
    _, y = ESTIMATORS[kind]
    X_bad, y_bad = (X + 0j, y) if where == "X" else (X, y + 0j)
    assert_refit_fails(plain_fits[kind], "Complex data not supported", X_bad, y_bad)


@pytest.mark.parametrize("dtype", [object, np.int64, np.float32, bool],
                         ids=["object", "int64", "float32", "bool"])
def test_regressor_y_dtypes(dtype):
    y = (Y_REG > 0.5) if dtype is bool else np.round(Y_REG)
    fitted = regressor().fit(X, y.astype(dtype))
    assert_same_fit(fitted, regressor().fit(X, y.astype(np.float64)), atol=1e-10)


@pytest.mark.parametrize(
    "labels", [
        pytest.param(Y_CLF.astype(bool), id="bool"),
        pytest.param(Y_CLF.astype(np.float32), id="float32"),
        pytest.param(Y_CLF.astype(object), id="object-ints"),
        pytest.param(np.array(["no", "yes"])[Y_CLF], id="str"),
        pytest.param(np.array(["no", "yes"], dtype=object)[Y_CLF], id="object-str"),
        pytest.param(np.array([-1.0, 2.0])[Y_CLF], id="floats"),
    ])
def test_classifier_label_dtypes(labels):
    fitted = classifier().fit(X, labels)
    assert_array_equal(fitted.classes_, np.unique(labels))
    assert_same_fit(fitted, classifier().fit(X, Y_CLF), atol=1e-10)
    assert_array_equal(fitted.predict(X), fitted.classes_[fitted.predict_proba(X).argmax(1)])


@pytest.mark.parametrize("labels", [
    pytest.param(np.array([1, "a"] * (N // 2), dtype=object), id="int-str"),
    pytest.param(np.array(["a", None] * (N // 2), dtype=object), id="str-None"),
    pytest.param(np.array([1.5, "b"] * (N // 2), dtype=object), id="float-str"),
])
def test_mixed_label_types_rejected(plain_fits, labels):
    assert_refit_fails(plain_fits["classifier"], "mixes labels of different types",
                       X, labels)


def test_mixed_labels_in_a_list_become_strings():
    # NumPy turns the list [1, "a"] into strings, as for LogisticRegression.
    labels = [1, "a"] * (N // 2)
    fitted = classifier().fit(X, labels)
    assert_array_equal(fitted.classes_, reference("classifier", X, labels).classes_)
    assert_array_equal(fitted.classes_, ["1", "a"])


# -- shapes --------------------------------------------------------------------


@BOTH
@pytest.mark.parametrize("shape", [(0, P), (N, 0)], ids=["0-samples", "0-features"])
def test_empty(plain_fits, kind, shape):
    _, y = ESTIMATORS[kind]
    match = r"0 sample\(s\)" if shape[0] == 0 else r"0 feature\(s\)"
    assert_refit_fails(plain_fits[kind], match, np.zeros(shape), y[: shape[0]])


def test_one_sample_regressor_is_min_norm_interpolant():
    # Descent from zero in the original coordinates stays in the row space of
    # [x, 1]: it converges to the minimum-norm (coef, intercept) that
    # interpolates the sample. (Preconditioned, the least norm is that of the
    # coordinates it descends in; the prediction is the same.)
    x, target = X[:1], Y_REG[:1]
    assert_allclose(regressor().fit(x, target).predict(x), target, atol=1e-9)
    fitted = regressor(precondition=False).fit(x, target)
    theta = np.r_[x[0], 1.0] * target[0] / (x[0] @ x[0] + 1)
    assert_allclose(np.r_[fitted.coef_, fitted.intercept_], theta, atol=1e-9)
    assert_allclose(fitted.predict(x), target, atol=1e-9)


def test_one_sample_classifier_rejected(plain_fits):
    assert_refit_fails(plain_fits["classifier"], "at least 2 classes", X[:1], Y_CLF[:1])


@BOTH
def test_one_feature(kind):
    make, y = ESTIMATORS[kind]
    assert_same_fit(make().fit(X[:, :1], y), reference(kind, X[:, :1], y))


@BOTH
def test_predict_with_wrong_number_of_features(plain_fits, kind):
    with pytest.raises(ValueError, match=f"X has {P - 1} features, but .* expecting {P}"):
        plain_fits[kind].predict(X[:, :-1])


@BOTH
def test_y_of_wrong_length(plain_fits, kind):
    _, y = ESTIMATORS[kind]
    assert_refit_fails(plain_fits[kind], "inconsistent numbers of samples", X, y[:-1])


@BOTH
def test_sample_weight_of_wrong_length(plain_fits, kind):
    _, y = ESTIMATORS[kind]
    assert_refit_fails(plain_fits[kind], r"sample_weight.shape == \(59,\), expected \(60,\)",
                       X, y, sample_weight=np.ones(N - 1))


# -- degenerate columns --------------------------------------------------------

DEGENERATE = {
    "constant": np.c_[X, np.full(N, 3.0)],
    "duplicate": np.c_[X, X[:, 1]],
    "collinear": np.c_[X, 2 * X[:, 0] - X[:, 2]],
}


@pytest.mark.parametrize("columns", list(DEGENERATE))
def test_degenerate_columns_regressor_min_norm(columns):
    # Least squares has many solutions; descent from zero finds the one of least
    # norm over (coef, intercept): pinv([X, 1]) y. It predicts as
    # LinearRegression, which takes the least norm over coef after centering
    # (the same solution unless a column is constant).
    # (In the original coordinates: preconditioned, the least norm is that of
    # the standardized coordinates, and the predictions the same.)
    Xd = DEGENERATE[columns]
    preconditioned = regressor(tol=1e-8).fit(Xd, Y_REG)
    assert_allclose(preconditioned.predict(Xd),
                    LinearRegression().fit(Xd, Y_REG).predict(Xd), atol=1e-6)
    fitted = regressor(precondition=False).fit(Xd, Y_REG)
    theta = np.linalg.pinv(np.c_[Xd, np.ones(N)]) @ Y_REG
    assert_allclose(np.r_[fitted.coef_, fitted.intercept_], theta, atol=1e-7)
    expected = LinearRegression().fit(Xd, Y_REG)
    assert_allclose(fitted.predict(Xd), expected.predict(Xd), atol=1e-7)
    if columns != "constant":
        assert_same_fit(fitted, expected)


@pytest.mark.parametrize("columns", list(DEGENERATE))
def test_degenerate_columns_ridge(columns):
    # A penalty makes the solution unique: Ridge's (constant columns get 0).
    Xd = DEGENERATE[columns]
    fitted = regressor(alpha=0.1).fit(Xd, Y_REG)
    assert_same_fit(fitted, Ridge(alpha=0.1 * N, tol=1e-12).fit(Xd, Y_REG))


@pytest.mark.parametrize("columns", list(DEGENERATE))
def test_degenerate_columns_classifier(columns):
    Xd = DEGENERATE[columns]
    assert_same_fit(classifier().fit(Xd, Y_CLF), reference("classifier", Xd, Y_CLF),
                    atol=1e-6)


# -- extreme values ------------------------------------------------------------


@BOTH
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_huge_X_rejected(plain_fits, kind, dtype):
    _, y = ESTIMATORS[kind]
    scale = 1e300 if dtype is np.float64 else 1e30
    assert_refit_fails(plain_fits[kind], "X's values are too large .* Scale the features",
                       (X * scale).astype(dtype), y)


def test_huge_y_rejected(plain_fits):
    assert_refit_fails(plain_fits["regressor"], "y's values are too large .* Scale y",
                       X, Y_REG * 1e300)


def test_tiny_y_rejected(plain_fits):
    assert_refit_fails(plain_fits["regressor"], "y's values are too small .* underflows",
                       X, Y_REG * 1e-300)


def test_large_but_representable_values_fit():
    # Far from the float limits, the scale does not matter to least squares
    # (without an intercept, whose column of ones would not scale with X).
    fitted = regressor(learning_rate="lipschitz", fit_intercept=False, tol=0, max_iter=500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter: stopping on tol=0 is not the point
        fitted.fit(X * 1e60, Y_REG * 1e60)
    expected = LinearRegression(fit_intercept=False).fit(X, Y_REG)
    assert_allclose(fitted.coef_, expected.coef_, rtol=1e-9)


@BOTH
def test_tiny_values_fit(kind):
    # A column of values near 1e-300 is a zero column to float64 least squares
    # (its curvature underflows); scikit-learn sees it the same way.
    make, y = ESTIMATORS[kind]
    Xt = np.c_[X, 1e-300 * np.random.RandomState(1).rand(N)]
    fitted = make().fit(Xt, y)
    assert_same_fit(fitted, reference(kind, Xt, y), atol=1e-6)
    assert abs(fitted.coef_.ravel()[-1]) < 1e-280


def test_tiny_X_classifier():
    # The gradient of the coefficients is about 1e-300 from the start. In the
    # original coordinates tol is absolute, so they stay at zero, and the fit
    # says so; preconditioned, the test is relative and the fit is the
    # optimum, where the penalty keeps them near zero too. LogisticRegression
    # cannot see these features either.
    Xt = X * 1e-300
    expected = reference("classifier", Xt, Y_CLF)
    fitted = classifier().fit(Xt, Y_CLF)
    assert fitted.stop_reason_.startswith("Converged")
    assert_allclose(fitted.predict_proba(Xt), expected.predict_proba(Xt), atol=1e-9)
    with pytest.warns(ConvergenceWarning, match="left the coefficients near zero"):
        fitted = classifier(precondition=False).fit(Xt, Y_CLF)
    assert_allclose(fitted.predict_proba(Xt), expected.predict_proba(Xt), atol=1e-9)


@pytest.mark.parametrize("x_scale, y_scale", [(1e-8, 1.0), (1.0, 1e-8), (1e-3, 1e-3)],
                         ids=["small-X", "small-y", "both-1e-3"])
@pytest.mark.parametrize("batch_size", [None, 8], ids=["full-batch", "mini-batch"])
def test_too_small_for_tol_warns(x_scale, y_scale, batch_size):
    # With an absolute test every such fit "converges" with its coefficients
    # near zero, far from LinearRegression's; without a warning that would be
    # a silently broken model.
    fitted = GDLinearRegressor(batch_size=batch_size, random_state=0, precondition=False)
    with pytest.warns(ConvergenceWarning, match="on too small a scale for tol"):
        fitted.fit(X * x_scale, Y_REG * y_scale)
    assert fitted.stop_reason_.startswith("Converged")


@pytest.mark.parametrize("x_scale, y_scale", [(1e-8, 1.0), (1.0, 1e-8), (1e-3, 1e-3)],
                         ids=["small-X", "small-y", "both-1e-3"])
def test_preconditioned_fit_is_blind_to_scale(x_scale, y_scale):
    # Standardized coordinates and a relative test: the default full-batch fit
    # is LinearRegression's at any scale.
    Xs, ys = X * x_scale, Y_REG * y_scale
    fitted = GDLinearRegressor().fit(Xs, ys)
    expected = LinearRegression().fit(Xs, ys)
    assert_allclose(fitted.predict(Xs), expected.predict(Xs), rtol=1e-4,
                    atol=1e-4 * np.abs(ys).max())


# -- classes -------------------------------------------------------------------


@pytest.mark.parametrize("labels", [
    pytest.param(np.zeros(N), id="one-label"),
    pytest.param(np.array(["a"] * N), id="one-string"),
])
def test_single_class_rejected(plain_fits, labels):
    assert_refit_fails(plain_fits["classifier"], "at least 2 classes", X, labels)


def test_single_weighted_class_rejected(plain_fits):
    assert_refit_fails(plain_fits["classifier"], "at least 2 classes .* positive sample",
                       X, Y_CLF, sample_weight=(Y_CLF == 1).astype(float))


def test_as_many_classes_as_samples():
    x, labels = X[:3], np.array([0, 1, 2])
    fitted = classifier().fit(x, labels)
    expected = reference("classifier", x, labels)
    assert_allclose(fitted.predict_proba(x), expected.predict_proba(x), atol=1e-7)
    assert_array_equal(fitted.predict(x), labels)


def test_more_classes_than_samples():
    # partial_fit is told of classes its chunk does not hold.
    fitted = classifier().partial_fit(X[:3], [0, 1, 2], classes=np.arange(6))
    proba = fitted.predict_proba(X[:3])
    assert fitted.coef_.shape == (6, P) and np.all(np.isfinite(fitted.coef_))
    assert_allclose(proba.sum(axis=1), 1)
    # The unseen classes are alike, and less likely than the seen ones.
    assert_allclose(proba[:, 3:], proba[:, 3:4].repeat(3, axis=1))
    assert np.all(proba[np.arange(3), [0, 1, 2]] > proba[:, 3])


# -- sample weights ------------------------------------------------------------


@BOTH
@pytest.mark.parametrize("weights, match", [
    pytest.param(-np.ones(N), "Negative values", id="negative"),
    pytest.param(np.r_[-1.0, np.ones(N - 1)], "Negative values", id="one-negative"),
    pytest.param(np.zeros(N), "at least one non-zero", id="all-zero"),
    pytest.param(np.ones((N, 1)), "1D array", id="2d"),
])
def test_bad_sample_weight(plain_fits, kind, weights, match):
    _, y = ESTIMATORS[kind]
    assert_refit_fails(plain_fits[kind], match, X, y, sample_weight=weights)


@BOTH
@pytest.mark.parametrize("scale", [1e308, 1e-320, 3.0], ids=["1e308", "subnormal", "3"])
def test_sample_weight_scale_does_not_matter(plain_fits, kind, scale):
    make, y = ESTIMATORS[kind]
    weights = np.full(N, scale)
    assert_same_fit(make().fit(X, y, sample_weight=weights), plain_fits[kind], atol=1e-10)


@BOTH
def test_sample_weights_match_scikit_learn(kind):
    make, y = ESTIMATORS[kind]
    weights = np.random.RandomState(2).rand(N) * 1e300
    weights[:5] = 0
    assert_same_fit(make().fit(X, y, sample_weight=weights),
                    reference(kind, X, y, sample_weight=weights / weights.max()), atol=1e-6)


# -- containers ----------------------------------------------------------------

SPARSE = [f"{fmt}_{cls}" for fmt in ["csr", "csc", "coo", "lil", "dok", "bsr", "dia"]
          for cls in ["matrix", "array"]]


@BOTH
@pytest.mark.parametrize("container", SPARSE)
def test_sparse_equals_dense(plain_fits, kind, container):
    make, y = ESTIMATORS[kind]
    Xs = getattr(sp, container)(X)
    fitted = make().fit(Xs, y)
    assert_same_fit(fitted, plain_fits[kind], atol=1e-10)
    assert_allclose(fitted.predict(Xs), plain_fits[kind].predict(X), atol=1e-10)


def _frames(library):
    names = [f"f{j}" for j in range(P)]
    others = [f"g{j}" for j in range(P)]
    if library == "pandas":
        pd = pytest.importorskip("pandas")
        return pd.DataFrame(X, columns=names), pd.DataFrame(X, columns=others), pd.Series
    pl = pytest.importorskip("polars")
    return pl.DataFrame(X, schema=names), pl.DataFrame(X, schema=others), pl.Series


@BOTH
@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_dataframes(plain_fits, kind, library):
    make, y = ESTIMATORS[kind]
    frame, renamed, series = _frames(library)
    fitted = make().fit(frame, series(y))
    assert_array_equal(fitted.feature_names_in_, [f"f{j}" for j in range(P)])
    assert_same_fit(fitted, plain_fits[kind], atol=1e-10)
    assert_allclose(fitted.predict(frame), plain_fits[kind].predict(X))
    # As scikit-learn: other names are an error, no names a warning.
    sklearn_fit = reference(kind, frame, y)
    with pytest.raises(ValueError, match="feature names should match") as ours:
        fitted.predict(renamed)
    with pytest.raises(ValueError) as theirs:
        sklearn_fit.predict(renamed)
    assert str(ours.value) == str(theirs.value)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        fitted.predict(X)
    with pytest.warns(UserWarning, match="X has feature names, but"):
        plain_fits[kind].predict(frame)


@BOTH
def test_read_only(plain_fits, kind):
    make, y = ESTIMATORS[kind]
    X_ro, y_ro, w_ro = X.copy(), y.copy(), np.ones(N)
    for array in (X_ro, y_ro, w_ro):
        array.setflags(write=False)
    fitted = make().fit(X_ro, y_ro, sample_weight=w_ro)
    assert_same_fit(fitted, plain_fits[kind], atol=1e-12)
    assert_allclose(fitted.predict(X_ro), plain_fits[kind].predict(X))


@BOTH
@pytest.mark.parametrize("mapper", ["numpy", "joblib"])
def test_memory_mapped(plain_fits, kind, mapper, tmp_path):
    make, y = ESTIMATORS[kind]
    if mapper == "numpy":
        X_mm = np.memmap(tmp_path / "X.dat", dtype=X.dtype, mode="w+", shape=X.shape)
        X_mm[:] = X
        X_mm.flush()
        X_mm = np.memmap(tmp_path / "X.dat", dtype=X.dtype, mode="r", shape=X.shape)
    else:
        joblib = pytest.importorskip("joblib")
        joblib.dump(X, tmp_path / "X.joblib")
        X_mm = joblib.load(tmp_path / "X.joblib", mmap_mode="r")
    fitted = make().fit(X_mm, y)
    assert_same_fit(fitted, plain_fits[kind], atol=1e-12)
    assert_allclose(fitted.predict(X_mm), plain_fits[kind].predict(X))


WIDE = np.random.RandomState(3).randn(2 * N, 2 * P)


@BOTH
@pytest.mark.parametrize("layout", ["fortran", "rows", "columns", "both"])
def test_non_contiguous(kind, layout):
    make, y = ESTIMATORS[kind]
    y = np.repeat(y, 2)[: 2 * N]
    X_view, y_view = {
        "fortran": (np.asfortranarray(WIDE), y),
        "rows": (WIDE[::2], y[::2]),
        "columns": (WIDE[:, ::2], y),
        "both": (WIDE[::2, ::2], y[::2]),
    }[layout]
    assert not X_view.flags.c_contiguous
    fitted = make().fit(X_view, y_view)
    assert_same_fit(fitted, make().fit(np.ascontiguousarray(X_view), y_view.copy()),
                    atol=1e-12)


@BOTH
def test_failed_partial_fit_changes_nothing(plain_fits, kind):
    _, y = ESTIMATORS[kind]
    estimator = copy.deepcopy(plain_fits[kind])
    coef, intercept = estimator.coef_.copy(), copy.copy(estimator.intercept_)
    with pytest.raises(ValueError, match="too large"):
        estimator.partial_fit(X * 1e300, y)
    with pytest.raises(ValueError, match="NaN"):
        estimator.partial_fit(np.where(X > 2, np.nan, X), y)
    assert_array_equal(estimator.coef_, coef)
    assert_array_equal(estimator.intercept_, intercept)
    assert estimator.n_iter_ == plain_fits[kind].n_iter_
