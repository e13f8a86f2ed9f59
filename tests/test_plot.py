"""The displays, on matplotlib's Agg backend: what is drawn.

- LossCurveDisplay: a line per curve, labels, axis labels, the log scale's
  switch, time on the x axis, diverged runs drawn to their last finite value;
- DescentPathDisplay: the drawn points are the recorded iterates (of a
  minimize result or an estimator's coef_path_), a contour in 2-D and a curve
  in 1-D, start and end markers, ranges, diverged runs;
- wrapped estimators: searches, pipelines and meta-estimators draw their
  fitted model's curve and path, the path's objective on X (and y) as that
  model saw them; a clear error when nothing fitted of ours is inside;
- the animation: a frame per iterate, saved as a GIF;
- matplotlib is optional: not imported with the package, a clear error
  without it.
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_iris
from sklearn.ensemble import BaggingRegressor
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.feature_selection import RFE, SelectFromModel
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from standardized_data import standardized

from sklearn_gd import (
    DescentPathDisplay,
    GDLinearRegressor,
    GDLogisticRegressor,
    LossCurveDisplay,
    minimize,
)
from sklearn_gd._plot._matplotlib import check_matplotlib_support
from sklearn_gd._plot._view import evaluate

pytest.importorskip("matplotlib")


@pytest.fixture(autouse=True)
def close_figures(pyplot):
    """Every test draws on Agg and leaves no figure open."""


def bowl(w):
    return w**2


def slope(w):
    return 2 * w


def run_bowl(eta, max_iter=50, x0=4.0):
    """The seeds' bowl f(w) = w^2 from w = 4 at step ``eta``, path recorded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return minimize(bowl, x0, jac=slope, learning_rate=eta, max_iter=max_iter,
                        record_path=True)


def ellipse(x):
    return x[0] ** 2 + 4 * x[1] ** 2


def run_ellipse(eta=0.2, x0=(4.0, 1.0)):
    return minimize(ellipse, list(x0), jac=lambda x: np.array([2, 8]) * x,
                    learning_rate=eta, record_path=True)


def one_feature_data():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 2, (40, 1))
    return X, 3 * X.ravel() + 1 + 0.3 * rng.normal(size=40)


# ---------------------------------------------------------------- optional extra


def test_importing_the_package_does_not_import_matplotlib():
    code = "import sys, sklearn_gd; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_missing_matplotlib_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "sklearn-gd\[plot\]"'):
        check_matplotlib_support("LossCurveDisplay.plot")
    with pytest.raises(ImportError, match="LossCurveDisplay.plot requires matplotlib"):
        LossCurveDisplay.from_result(run_bowl(0.35))
    with pytest.raises(ImportError, match="DescentPathDisplay.plot requires matplotlib"):
        DescentPathDisplay.from_result(run_bowl(0.35), fun=bowl)


# ---------------------------------------------------------------- loss curves


def test_loss_curves_of_results_side_by_side():
    results = [run_bowl(eta) for eta in (0.05, 0.35, 0.9, 1.0)]
    disp = LossCurveDisplay.from_result(results)
    assert len(disp.lines_) == 4
    assert [line.get_label() for line in disp.lines_] == [
        "learning_rate=0.05", "learning_rate=0.35", "learning_rate=0.9",
        "learning_rate=1"]
    for line, result in zip(disp.lines_, results):
        assert_array_equal(line.get_xdata(), np.arange(result.nit + 1))
        assert_array_equal(line.get_ydata(), result.loss_curve)
    assert disp.ax_.get_xlabel() == "iteration"
    assert disp.ax_.get_ylabel() == "objective"
    assert disp.ax_.get_yscale() == "log"  # from 16 down to ~1e-13
    assert disp.figure_ is disp.ax_.figure
    legend = [text.get_text() for text in disp.ax_.get_legend().get_texts()]
    assert legend == [line.get_label() for line in disp.lines_]


def test_loss_curves_of_estimators_with_default_and_given_labels():
    X, y = one_feature_data()
    models = [GDLinearRegressor().fit(X, y),
              make_pipeline(StandardScaler(), GDLinearRegressor(solver="nesterov",
                                                                learning_rate=0.5)).fit(X, y)]
    disp = LossCurveDisplay.from_estimator(models)
    assert [line.get_label() for line in disp.lines_] == [
        "GDLinearRegressor(solver='gd', learning_rate='auto')",
        "GDLinearRegressor(solver='nesterov', learning_rate=0.5)"]
    assert_array_equal(disp.lines_[1].get_ydata(), models[1][-1].loss_curve_)
    one = LossCurveDisplay.from_estimator(models[0], labels="plain")
    assert [line.get_label() for line in one.lines_] == ["plain"]


def test_time_on_the_x_axis_uses_the_recorded_times():
    results = [run_bowl(0.35), run_bowl(0.05)]
    disp = LossCurveDisplay.from_result(results, x="time")
    assert disp.ax_.get_xlabel() == "time (s)"
    for line, result in zip(disp.lines_, results):
        assert_array_equal(line.get_xdata(), result.times)
    X, y = standardized("iris")
    clf = GDLogisticRegressor(learning_rate="line_search").fit(X, y)
    disp = LossCurveDisplay.from_estimator(clf, x="time")
    assert_array_equal(disp.lines_[0].get_xdata(), clf.times_)
    with pytest.raises(ValueError, match="needs the times"):
        LossCurveDisplay([1.0, 0.5]).plot(x="time")
    with pytest.raises(ValueError, match="x must be"):
        LossCurveDisplay([1.0, 0.5]).plot(x="epoch")


@pytest.mark.parametrize("curve, log_scale, expected", [
    ([10.0, 1.0, 0.2], "auto", "linear"),      # under two decades
    ([10.0, 1.0, 0.01], "auto", "log"),        # three decades
    ([10.0, 0.0, 1e-6], "auto", "linear"),     # a zero cannot go on a log axis
    ([1.0, -1.0, -3.0], "auto", "linear"),
    ([10.0, 1.0, 0.2], True, "log"),
    ([10.0, 1.0, 0.01], False, "linear"),
])
def test_log_scale(curve, log_scale, expected):
    disp = LossCurveDisplay(curve).plot(log_scale=log_scale)
    assert disp.ax_.get_yscale() == expected
    assert disp.ax_.get_legend() is None  # no labels, no legend


def test_diverged_run_is_drawn_to_its_last_finite_value():
    # Blown up: finite values, status "diverged".
    result = run_bowl(1.1)
    assert result.status == "diverged"
    # Overflowed: the last value is infinite.
    overflow = minimize(lambda w: w**2 if abs(w) < 100 else np.inf, 4.0, jac=slope,
                        learning_rate=1.1, record_path=True)
    assert overflow.status == "diverged" and np.isinf(overflow.loss_curve[-1])
    disp = LossCurveDisplay.from_result([run_bowl(0.35), result, overflow],
                                        labels=["fine", "blown", None])
    fine, blown, inf = disp.lines_
    assert fine.get_label() == "fine" and fine.get_marker() in ("None", "", None)
    assert blown.get_label() == "blown (diverged)"
    assert_array_equal(blown.get_ydata(), result.loss_curve)
    assert blown.get_marker() == "x" and blown.get_markevery() == [result.nit]
    assert inf.get_label() == "diverged"
    assert_array_equal(inf.get_ydata(), overflow.loss_curve[:-1])
    assert inf.get_xdata()[-1] == overflow.nit - 1
    assert inf.get_markevery() == [overflow.nit - 1]


def test_loss_curve_checks_its_inputs():
    with pytest.raises(ValueError, match="labels has 1 entries for 2"):
        LossCurveDisplay([[1.0, 0.5], [1.0]], labels=["a"]).plot()
    with pytest.raises(ValueError, match="log_scale"):
        LossCurveDisplay([1.0, 0.5]).plot(log_scale="yes")
    with pytest.raises(ValueError, match="one time per value"):
        LossCurveDisplay([1.0, 0.5], times=[0.0]).plot(x="time")


def test_draws_on_a_given_axes(pyplot):
    fig, (left, right) = pyplot.subplots(1, 2)
    disp = LossCurveDisplay.from_result(run_bowl(0.35), ax=right, color="black")
    assert disp.ax_ is right and disp.figure_ is fig
    assert disp.lines_[0].get_color() == "black"
    assert not left.lines


# ---------------------------------------------------------------- descent paths


@pytest.mark.parametrize("eta", [0.05, 0.35, 0.9, 1.0])
def test_bowl_path_points_are_the_iterates_on_the_curve(eta):
    result = run_bowl(eta)
    disp = DescentPathDisplay.from_result(result, fun=bowl)
    assert disp.contour_ is None and disp.curve_ is not None
    assert_array_equal(disp.path_[:, 0], result.path)
    assert_allclose(disp.path_[:, 1], result.path**2)
    assert_array_equal(disp.path_line_.get_xdata(), result.path)
    assert_array_equal(disp.start_.get_xydata(), [[4.0, 16.0]])
    assert_array_equal(disp.end_.get_xydata(), disp.path_[-1:])
    assert disp.start_.get_label() == "start" and disp.end_.get_label() == "end"
    assert disp.start_.get_marker() == "o" and disp.end_.get_marker() == "*"
    assert (disp.ax_.get_xlabel(), disp.ax_.get_ylabel()) == ("x", "f(x)")
    # The curve is f over a range covering the path, padded by 25%.
    low, high = disp.ax_.get_xlim()
    width = result.path.max() - result.path.min()
    assert low == pytest.approx(result.path.min() - 0.25 * width)
    assert high == pytest.approx(result.path.max() + 0.25 * width)
    assert_allclose(disp.curve_.get_ydata(), disp.curve_.get_xdata() ** 2)


def test_one_variable_of_shape_one():
    result = minimize(lambda x: float(x[0] ** 2), [4.0], jac=lambda x: 2 * x,
                      learning_rate=0.35, record_path=True)
    disp = DescentPathDisplay.from_result(result, fun=lambda x: float(x[0] ** 2),
                                          ranges=(-5, 5))
    assert disp.contour_ is None
    assert_array_equal(disp.path_[:, 0], result.path[:, 0])
    assert disp.ax_.get_xlim() == (-5, 5)


def test_two_coordinates_draw_the_contour_under_the_iterates():
    result = run_ellipse()
    disp = DescentPathDisplay.from_result(result, fun=ellipse, grid_size=30)
    assert disp.contour_ is not None and disp.curve_ is None
    assert_array_equal(disp.path_, result.path)
    assert_array_equal(disp.path_line_.get_xydata(), result.path)
    assert_array_equal(disp.start_.get_xydata(), result.path[:1])
    assert_array_equal(disp.end_.get_xydata(), result.path[-1:])
    assert (disp.ax_.get_xlabel(), disp.ax_.get_ylabel()) == ("x[0]", "x[1]")
    xs, ys = disp.grid
    assert len(xs) == len(ys) == 30
    assert disp.ax_.get_xlim() == (xs[0], xs[-1])
    legend = [text.get_text() for text in disp.ax_.get_legend().get_texts()]
    assert legend == ["path", "start", "end"]


def test_chosen_coordinates_with_the_others_fixed_at_the_last_iterate():
    def fun(x):
        return float(np.sum(np.arange(1, 5) * x.ravel() ** 2))

    result = minimize(fun, np.ones((2, 2)), jac=lambda x: 2 * np.arange(1, 5).reshape(2, 2) * x,
                      learning_rate=0.1, record_path=True)
    disp = DescentPathDisplay.from_result(result, fun=fun, coords=(0, -1),
                                          ranges=[(-1, 2), None], grid_size=5)
    flat = result.path.reshape(len(result.path), -1)
    assert_array_equal(disp.path_, flat[:, [0, 3]])
    assert (disp.ax_.get_xlabel(), disp.ax_.get_ylabel()) == ("x[0, 0]", "x[1, 1]")
    assert disp.ax_.get_xlim() == (-1, 2)
    anchor = result.x.ravel().copy()
    anchor[[0, 3]] = 2.0, disp.grid[1][0]
    assert disp.fun([2.0, disp.grid[1][0]]) == pytest.approx(fun(anchor))


def test_estimator_path_is_its_coef_path_and_intercept_path():
    X, y = one_feature_data()
    reg = GDLinearRegressor(learning_rate=0.5, record_path=True).fit(X, y)
    disp = DescentPathDisplay.from_estimator(reg, X, y, grid_size=20)
    assert disp.contour_ is not None
    assert_array_equal(disp.path_, np.column_stack([reg.coef_path_[:, 0],
                                                    reg.intercept_path_]))
    assert_array_equal(disp.start_.get_xydata(), [[0.0, 0.0]])
    assert_array_equal(disp.end_.get_xydata(), [[reg.coef_[0], reg.intercept_]])
    assert (disp.ax_.get_xlabel(), disp.ax_.get_ylabel()) == ("coef_[0]", "intercept_")
    # The contour is the fitted objective: lowest at the fitted coefficients.
    assert disp.fun([reg.coef_[0], reg.intercept_]) == pytest.approx(reg.loss_curve_[-1])
    assert disp.fun([0.0, 0.0]) == pytest.approx(reg.loss_curve_[0])


def test_classifier_coordinates_and_pipelines():
    X, y = standardized("iris")
    clf = make_pipeline(StandardScaler(),
                        GDLogisticRegressor(record_path=True, max_iter=30))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    model = clf[-1]
    disp = DescentPathDisplay.from_estimator(clf, X, y, coords=(5, 13), grid_size=10)
    assert_array_equal(disp.path_, np.column_stack([model.coef_path_[:, 1, 1],
                                                    model.intercept_path_[:, 1]]))
    assert (disp.ax_.get_xlabel(), disp.ax_.get_ylabel()) == ("coef_[1, 1]",
                                                              "intercept_[1]")
    theta_value = disp.fun(disp.path_[-1])
    assert theta_value == pytest.approx(model.loss_curve_[-1])


def test_estimator_path_needs_record_path():
    X, y = one_feature_data()
    with pytest.raises(ValueError, match="record_path=True"):
        DescentPathDisplay.from_estimator(GDLinearRegressor().fit(X, y), X, y)
    reg = GDLinearRegressor(fit_intercept=False, record_path=True).fit(X, y)
    with pytest.raises(ValueError, match="fit_intercept=False"):
        DescentPathDisplay.from_estimator(reg, X, y)
    with pytest.raises(ValueError, match="two different coordinates"):
        DescentPathDisplay.from_estimator(reg, X, y, coords=(0, -2))
    with pytest.raises(ValueError, match="two indices"):
        DescentPathDisplay.from_estimator(reg, X, y, coords=(0, 2))


def test_result_path_needs_record_path():
    result = minimize(bowl, 4.0, jac=slope, learning_rate=0.35)
    with pytest.raises(ValueError, match="record_path=True"):
        DescentPathDisplay.from_result(result, fun=bowl)
    with pytest.raises(ValueError, match="ranges"):
        DescentPathDisplay.from_result(run_bowl(0.35), fun=bowl, ranges=(1, -1))


def test_diverged_path_is_framed_before_it_leaves():
    result = run_bowl(1.1)  # |w| grows by 1.2 a step until it blows up
    assert result.status == "diverged"
    disp = DescentPathDisplay.from_result(result, fun=bowl)
    assert_array_equal(disp.path_[:, 0], result.path)  # all finite: all drawn
    assert disp.end_.get_label() == "end (diverged)"
    # The view frames the iterates up to the first 1000 times higher than the start.
    framed = np.abs(result.path[result.path**2 <= 16 + 1e3 * 16])
    low, high = disp.ax_.get_xlim()
    assert high < np.abs(result.path).max()
    assert high >= framed.max()


def test_non_finite_iterates_are_not_drawn():
    path = np.array([[1.0, 1.0], [2.0, -1.0], [np.inf, 3.0], [np.nan, np.nan]])
    disp = DescentPathDisplay(path, fun=ellipse).plot()
    assert_array_equal(disp.path_, path[:2])
    assert disp.end_.get_label() == "end (diverged)"
    assert disp.contour_ is not None
    result = minimize(lambda w: w**2 if abs(w) < 100 else np.inf, 4.0, jac=slope,
                      learning_rate=1.1, record_path=True)
    disp = DescentPathDisplay.from_result(result, fun=bowl)
    assert len(disp.path_) == len(result.path)  # f = w^2 is finite at every iterate
    disp = DescentPathDisplay.from_result(
        result, fun=lambda w: w**2 if abs(w) < 100 else np.inf)
    assert len(disp.path_) == len(result.path) - 1  # the last one is off the curve


def test_path_alone_and_given_values():
    path = np.array([[1.0, 1.0], [0.5, 0.2], [0.1, 0.0]])
    disp = DescentPathDisplay(path).plot()
    assert disp.contour_ is None and disp.curve_ is None
    assert_array_equal(disp.path_, path)
    xs, ys = np.linspace(-1, 1, 4), np.linspace(-2, 2, 5)
    values = np.add.outer(ys**2, xs**2)
    disp = DescentPathDisplay(path, grid=(xs, ys), values=values,
                              axis_labels=("w", "b")).plot(levels=[0, 1, 2, 5])
    assert_array_equal(disp.contour_.levels, [0, 1, 2, 5])
    assert disp.ax_.get_xlabel() == "w"
    with pytest.raises(ValueError, match="fun or loss_curve"):
        DescentPathDisplay(np.array([1.0, 0.5])).plot()
    with pytest.raises(ValueError, match="shape"):
        DescentPathDisplay(np.ones((3, 3))).plot()


# ---------------------------------------------------------------- wrapped estimators


def fit_quietly(estimator, X, y):
    """Fit, ignoring only the ConvergenceWarning of a deliberately short fit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def searched_pipeline(record_path=False):
    """A GridSearchCV over learning_rate of a scaled GDLogisticRegressor, fitted
    on iris as it comes (features far from standardized: the scaler matters)."""
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(),
                         GDLogisticRegressor(max_iter=30, record_path=record_path))
    search = GridSearchCV(pipe, {"gdlogisticregressor__learning_rate": [0.1, 1.0]}, cv=3)
    return fit_quietly(search, X, y), X, y


def several_features_data(n=120):
    rng = np.random.default_rng(1)
    X = rng.normal(5.0, 2.0, (n, 4))
    return X, X @ [3.0, -2.0, 0.5, 0.0] + 10 + rng.normal(size=n)


def assert_same_curve(wrapped, model):
    """The curve drawn for ``wrapped`` is the one drawn for ``model`` itself."""
    drawn = LossCurveDisplay.from_estimator(wrapped).lines_[0]
    direct = LossCurveDisplay.from_estimator(model).lines_[0]
    assert_array_equal(drawn.get_xydata(), direct.get_xydata())
    assert drawn.get_label() == direct.get_label()
    assert_array_equal(drawn.get_ydata(), model.loss_curve_)


def assert_same_objective(wrapped, X, y, model, X_seen, y_seen):
    """The path drawn for ``wrapped`` on (X, y) is ``model``'s, over its
    objective on (X_seen, y_seen): the data as the model saw it in fit."""
    through = DescentPathDisplay.from_estimator(wrapped, X, y, grid_size=6)
    direct = DescentPathDisplay.from_estimator(model, X_seen, y_seen, grid_size=6)
    assert_array_equal(through.path_, direct.path_)
    assert_array_equal(np.ravel(through.grid), np.ravel(direct.grid))
    assert_allclose(evaluate(through.fun, through.grid), evaluate(direct.fun, direct.grid))
    # At the fitted coefficients the objective is the fit's last: the same data.
    assert through.fun(through.path_[-1]) == pytest.approx(model.loss_curve_[-1])


def test_grid_search_over_a_pipeline_draws_its_best_model():
    search, X, y = searched_pipeline(record_path=True)
    best = search.best_estimator_
    assert_same_curve(search, best[-1])
    label = LossCurveDisplay.from_estimator(search).lines_[0].get_label()
    assert label == "GDLogisticRegressor(solver='gd', learning_rate={:g})".format(
        search.best_params_["gdlogisticregressor__learning_rate"])
    # The objective is evaluated on the scaled X, as the model was fitted on.
    assert_same_objective(search, X, y, best[-1], best[0].transform(X), y)


def test_halving_search_draws_its_best_model():
    X, y = several_features_data(200)
    search = HalvingGridSearchCV(GDLinearRegressor(record_path=True),
                                 {"learning_rate": [0.001, 0.002]}, factor=2, cv=3,
                                 min_resources=50, random_state=0)
    fit_quietly(search, X, y)
    assert_same_curve(search, search.best_estimator_)
    assert_same_objective(search, X, y, search.best_estimator_, X, y)


def test_transformed_target_regressor_draws_its_regressor_on_the_transformed_y():
    X, y = one_feature_data()
    y = 50 * y + 200  # far from standardized: the transformer matters
    ttr = TransformedTargetRegressor(GDLinearRegressor(learning_rate=0.5, record_path=True),
                                     transformer=StandardScaler()).fit(X, y)
    assert_same_curve(ttr, ttr.regressor_)
    y_seen = ttr.transformer_.transform(y.reshape(-1, 1))[:, 0]
    assert_same_objective(ttr, X, y, ttr.regressor_, X, y_seen)


@pytest.mark.parametrize("select, selects_first", [
    (lambda model: SelectFromModel(model, max_features=2), False),  # fits on all of X
    (lambda model: RFE(model, n_features_to_select=2), True),  # refits on the kept ones
], ids=["SelectFromModel", "RFE"])
def test_feature_selectors_give_their_model_x_as_it_saw_it(select, selects_first):
    X, y = several_features_data()
    fitted = select(GDLinearRegressor(learning_rate=0.01, max_iter=300, record_path=True))
    fit_quietly(fitted, X, y)
    model = fitted.estimator_
    assert_same_curve(fitted, model)
    X_seen = fitted.transform(X) if selects_first else X
    assert_same_objective(fitted, X, y, model, X_seen, y)


def test_wrapped_to_any_depth():
    # search > pipeline > transformed target > RFE > ours: X scaled then
    # reduced (in that order), y scaled, each as on the way in fit.
    X, y = several_features_data()
    inner = TransformedTargetRegressor(
        RFE(GDLinearRegressor(record_path=True), n_features_to_select=2),
        transformer=StandardScaler())
    grid = {"transformedtargetregressor__regressor__estimator__learning_rate": ["auto", 0.5]}
    search = GridSearchCV(make_pipeline(StandardScaler(), inner), grid, cv=3).fit(X, y)
    scaler, ttr = search.best_estimator_
    model = ttr.regressor_.estimator_
    assert_same_curve(search, model)
    X_seen = ttr.regressor_.transform(scaler.transform(X))
    y_seen = ttr.transformer_.transform(y.reshape(-1, 1))[:, 0]
    assert_same_objective(search, X, y, model, X_seen, y_seen)


@pytest.mark.parametrize("display", ["loss", "path"])
def test_unfitted_search_says_what_was_passed_and_what_is_accepted(display):
    X, y = one_feature_data()
    search = GridSearchCV(make_pipeline(StandardScaler(), GDLinearRegressor()),
                          {"gdlinearregressor__learning_rate": [0.1, 0.5]})

    def draw(estimator):
        if display == "loss":
            return LossCurveDisplay.from_estimator(estimator)
        return DescentPathDisplay.from_estimator(estimator, X, y)
    name = "LossCurveDisplay" if display == "loss" else "DescentPathDisplay"
    with pytest.raises(NotFittedError, match=rf"{name}.from_estimator got a GridSearchCV, "
                       r"which is not fitted\. Fit it first\. It accepts a fitted "
                       r"GDLinearRegressor or GDLogisticRegressor; a Pipeline"):
        draw(search)
    with pytest.raises(NotFittedError, match="got a Pipeline holding GDLinearRegressor, "
                       "whose GDLinearRegressor is not fitted"):
        draw(search.estimator)
    with pytest.raises(TypeError, match="got a GridSearchCV holding LinearRegression, "
                       "with no fitted GDLinearRegressor or GDLogisticRegressor inside"):
        draw(GridSearchCV(LinearRegression(), {"fit_intercept": [True]}, cv=2).fit(X, y))
    no_refit = GridSearchCV(GDLinearRegressor(record_path=True), {"learning_rate": [0.5]},
                            cv=2, refit=False).fit(X, y)
    with pytest.raises(ValueError, match="fitted with refit=False"):
        draw(no_refit)
    bagging = BaggingRegressor(GDLinearRegressor(), n_estimators=2, random_state=0)
    with pytest.raises(TypeError, match=r"several fitted models \(estimators_\)"):
        draw(bagging.fit(X, y))


# ---------------------------------------------------------------- animation


def test_animation_reveals_the_path_and_saves_a_gif(tmp_path):
    result = run_bowl(0.9, max_iter=12)
    disp = DescentPathDisplay.from_result(result, fun=bowl)
    anim = disp.animate(interval=50)
    frames = list(anim.new_frame_seq())
    assert len(frames) == len(result.path)
    anim._func(3)  # the frame showing the start and 2 steps
    assert_array_equal(disp.path_line_.get_xdata(), result.path[:3])
    assert_array_equal(disp.end_.get_xdata(), result.path[2:3])
    gif = tmp_path / "path.gif"
    anim.save(gif, writer="pillow")
    assert gif.read_bytes()[:4] == b"GIF8"
    assert_array_equal(disp.path_line_.get_xdata(), result.path)  # ends whole


def test_animation_frames_and_drawing_first(tmp_path):
    disp = DescentPathDisplay(run_ellipse().path, fun=ellipse)
    anim = disp.animate(frames=5)  # draws first
    assert disp.contour_ is not None
    counts = list(anim.new_frame_seq())
    assert len(counts) == 5 and counts[0] == 1 and counts[-1] == len(disp.path_)
    with pytest.raises(ValueError, match="frames"):
        disp.animate(frames=0)
    anim.save(tmp_path / "five.gif", writer="pillow")  # rendered, as it should be
