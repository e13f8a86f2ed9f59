"""Descent in standardized coordinates: the change of variables, its
gradient and penalty, the relative stopping test, and what users see."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from finite_differences import central_differences
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LinearRegression, LogisticRegression

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor
from sklearn_gd._linear.standardized import StandardizedObjective, standardize


def _objective(Estimator, X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return Estimator(max_iter=1, **params).fit(X, y)._objective_for(X, y)


def _dated(n=300, seed=0):
    """Raw least squares: a date as an ordinal beside a count and a score."""
    rng = np.random.default_rng(seed)
    date = 7.3e5 + rng.uniform(0, 3650, n)
    X = np.column_stack([date, rng.poisson(20, n), rng.standard_normal(n)])
    y = 2e-3 * (date - 7.3e5) + 0.3 * X[:, 1] + X[:, 2] + rng.standard_normal(n)
    return X, y


def _fitted_without_warning(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return GDLogisticRegressor(**params).fit(X, y)


def _newton(X, y, alpha):
    """Newton's method, which no change of coordinates affects."""
    return LogisticRegression(C=1 / (alpha * len(y)), solver="newton-cholesky",
                              tol=1e-12, max_iter=1000).fit(X, y)


def _value_at(X, y, alpha):
    """The objective at a fitted model's coefficients."""
    objective = _objective(GDLogisticRegressor, X, y, alpha=alpha)

    def value(model):
        return objective.value_and_grad(
            np.vstack([model.coef_.T, model.intercept_[None]]))[0]

    return value


CASES = {
    "binary": (GDLogisticRegressor, *load_breast_cancer(return_X_y=True)),
    "multinomial": (GDLogisticRegressor, *load_wine(return_X_y=True)),
    "dated": (GDLinearRegressor, *_dated()),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("penalty", ["l2", "elasticnet"])
def test_gradient_and_coordinates_of_the_standardized_objective(case, fit_intercept,
                                                                penalty):
    Estimator, X, y = CASES[case]
    plain = _objective(Estimator, X, y, fit_intercept=fit_intercept, penalty=penalty,
                       alpha=0.05)
    # Small coefficients: raw columns in the thousands make large predictions,
    # whose losses' rounding would swamp the finite differences.
    theta = np.random.default_rng(0).standard_normal(plain.initial_params().shape) * 1e-4
    objective = standardize(plain, plain.from_original(theta))
    assert isinstance(objective, StandardizedObjective)
    assert objective.X is plain.X  # no copy, no standardized X
    new = objective.from_original(theta)
    # The intercept is shifted by mean . W: it keeps that sum's rounding.
    shift = np.abs(objective.mean) @ np.abs(theta[: X.shape[1]])
    assert_allclose(objective.to_original(new), theta, rtol=1e-12,
                    atol=1e-15 * (1 + shift.max()))
    # The same objective, seen in new coordinates; its gradient by the chain rule.
    value, grad = objective.value_and_grad(new)
    assert value == pytest.approx(plain.value_and_grad(theta)[0], rel=1e-12)

    def smooth(t):
        return objective.value_and_grad(t)[0] - objective.nonsmooth_value(t)

    expected = central_differences(smooth, new, h=1e-6)
    assert_allclose(grad, expected, rtol=1e-5, atol=1e-7 * np.abs(expected).max())


def test_weighted_soft_threshold_is_the_prox_in_new_coordinates():
    Estimator, X, y = CASES["dated"]
    objective = standardize(_objective(Estimator, X, y, penalty="l1", alpha=0.5))
    theta = np.random.default_rng(1).standard_normal(objective.initial_params().shape)
    eta = 0.3
    out = objective.prox(theta, eta)
    p = X.shape[1]
    threshold = eta * 0.5 / objective.scale
    assert_allclose(out[:p, 0], np.sign(theta[:p, 0])
                    * np.maximum(np.abs(theta[:p, 0]) - threshold, 0))
    assert_array_equal(out[p:], theta[p:])  # the intercept is free


def test_dated_least_squares_is_linear_regression():
    # The intercept and the date are nearly one direction in the original
    # coordinates; centered and scaled, they are not.
    X, y = CASES["dated"][1:]
    fitted = GDLinearRegressor().fit(X, y)
    assert fitted.stop_reason_.startswith("Converged")
    ref = LinearRegression().fit(X, y)
    assert fitted.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-8)
    assert_allclose(fitted.coef_, ref.coef_, rtol=1e-4)


def test_raw_wine_reaches_the_optimum_without_warning():
    X, y = load_wine(return_X_y=True)
    alpha = 1e-4
    fitted = _fitted_without_warning(X, y, alpha=alpha, record_path=True)
    # Its line search gives way to lbfgs near the end on these columns, and says so.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        newton = _newton(X, y, alpha)
    objective = _objective(GDLogisticRegressor, X, y, alpha=alpha)

    def value(coef, intercept):
        return objective.value_and_grad(np.vstack([coef.T, intercept[None]]))[0]

    optimum = value(newton.coef_, newton.intercept_)
    assert value(fitted.coef_, fitted.intercept_) <= optimum * (1 + 1e-4)
    # Recorded in the original coordinates, through every change of them.
    for k in (0, 5, fitted.n_iter_ // 2, fitted.n_iter_):
        assert fitted.loss_curve_[k] == pytest.approx(
            value(fitted.coef_path_[k], fitted.intercept_path_[k]), rel=1e-10)


def test_a_weak_penalty_on_separable_classes_stops_at_the_curvature_of_the_fit():
    """The samples' curvatures fall a hundredfold as the classes separate,
    while the columns' scales hold: the coordinates stay, and the stopping
    test measures at the new mean curvature (at the start's, this fit
    stopped 8e-5 above the optimum)."""
    rng = np.random.default_rng(0)
    n, alpha = 2000, 1e-6
    y = (rng.random(n) < 0.5).astype(int)
    X = rng.standard_normal((n, 20))
    X[:, 0] += 5.0 * (2 * y - 1)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    fitted = _fitted_without_warning(X, y, alpha=alpha)
    value = _value_at(X, y, alpha)
    assert value(fitted) <= value(_newton(X, y, alpha)) * (1 + 1e-6)


def test_a_new_measure_in_the_same_coordinates_keeps_the_descent_going():
    """``rescaled`` handing back ``x`` itself changes the test, not the path:
    no evaluation more, and the same iterates, as where it hands back None."""
    from sklearn_gd._optim import descent

    X, y = load_breast_cancer(return_X_y=True)
    objective = standardize(_objective(GDLogisticRegressor, X, y))
    calls = {"count": 0}

    class Counted:
        def __init__(self, inner, same):
            self.inner, self.same = inner, same

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def value_and_grad(self, x):
            calls["count"] += 1
            return self.inner.value_and_grad(x)

        def rescaled(self, x, g, nit=0):
            return (Counted(self.inner, self.same), x) if self.same else None

    runs = {}
    for same in (False, True):
        calls["count"] = 0
        model = GDLogisticRegressor(max_iter=60, tol=0.0)
        x0 = objective.initial_params()
        rule, step = model._rule_and_step(objective, x0, None)
        result = descent.descend(Counted(objective, same), x0, rule=rule, step=step,
                                 options=model._options(None, None, max_iter=60))
        runs[same] = calls["count"], result.x
    assert runs[True][0] == runs[False][0]
    assert_array_equal(runs[True][1], runs[False][1])


def test_a_long_step_asks_for_new_coordinates_ever_less_often_while_they_hold():
    """A problem naming ``rescale_beyond`` is asked after every step longer
    than it, from iteration 2 on: every 2 iterations while it changes its
    coordinates, at doubling gaps (4, 8, 16) while it keeps them."""
    from sklearn_gd._optim import descent

    X, y = load_breast_cancer(return_X_y=True)
    objective = standardize(_objective(GDLogisticRegressor, X, y))
    asks = []

    class Asked:
        rescale_after, rescale_beyond = 1000, 0.0  # every step is long

        def __init__(self, inner, changes):
            self.inner, self.changes = inner, changes

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def rescaled(self, x, g, nit=0):
            asks.append(self.changes)
            return (Asked(self.inner, self.changes), x) if self.changes else None

    counts = {}
    for changes in (False, True):
        asks.clear()
        model = GDLogisticRegressor(max_iter=31, tol=0.0)
        x0 = objective.initial_params()
        rule, step = model._rule_and_step(objective, x0, None)
        descent.descend(Asked(objective, changes), x0, rule=rule, step=step,
                        options=model._options(None, None, max_iter=31))
        counts[changes] = len(asks)
    assert counts == {False: 4, True: 15}  # at 2, 6, 14, 30; at 2, 4, ..., 30


@pytest.mark.parametrize(("newton", "expected"), [(0.5, 0.5), (5.0, 2.0), (None, 2.0)])
def test_a_new_measure_starts_the_step_no_longer_than_its_newton_step(newton, expected):
    """After new coordinates the step size starts from its last step, or
    from the new problem's ``newton_step`` where that is shorter."""
    from sklearn_gd._optim import descent
    from sklearn_gd._optim.rules import GradientDescent
    from sklearn_gd._optim.step_sizes import BarzilaiBorwein

    class New:
        newton_step = newton

    class Old:
        def rescaled(self, x, g, nit=0):
            return New(), x + 1.0, g

    x, g, step = np.zeros(2), np.ones(2), BarzilaiBorwein()
    out = descent._rescale(Old(), x, 1.0, g, GradientDescent(), step,
                           (None, {**step.init(), "eta": 2.0}), 10)
    assert isinstance(out[0], New)
    assert out[5]["eta"] == expected


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_lasso_on_raw_columns_is_lasso(fmt):
    # Implicit centering keeps X sparse; the weighted soft-threshold keeps
    # the lasso's zeros.
    X, y = load_diabetes(return_X_y=True)
    X = X * np.array([1, 1e3, 1, 1e-2, 1, 1, 1e2, 1, 1, 1]) + 5.0
    Xs = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    fitted = GDLinearRegressor(penalty="l1", alpha=1.0, tol=1e-9, max_iter=20_000).fit(Xs, y)
    ref = Lasso(alpha=1.0, tol=1e-14, max_iter=1_000_000).fit(X, y)
    assert_array_equal(fitted.coef_ == 0, ref.coef_ == 0)
    assert_allclose(fitted.predict(Xs), ref.predict(X), rtol=1e-6)


def test_auto_keeps_a_float_learning_rate_in_the_original_coordinates():
    X, y = CASES["dated"][1:]
    X = X - X.mean(axis=0)
    X /= X.std(axis=0)
    auto = GDLinearRegressor(learning_rate=0.1).fit(X, y)
    off = GDLinearRegressor(learning_rate=0.1, precondition=False).fit(X, y)
    assert_array_equal(auto.coef_, off.coef_)
    assert auto.n_iter_ == off.n_iter_


def test_precondition_refuses_mini_batches():
    X, y = CASES["dated"][1:]
    with pytest.raises(ValueError, match="precondition=True .* batch_size=8"):
        GDLinearRegressor(precondition=True, batch_size=8).fit(X, y)
    # "auto" does not precondition them: they step the original coordinates.
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    with pytest.warns(ConvergenceWarning, match="max_iter=2 epochs"):
        GDLinearRegressor(batch_size=8, max_iter=2, random_state=0).fit(X, y)


def test_float32_stays_float32_through_the_changes_of_coordinates():
    X, y = load_breast_cancer(return_X_y=True)
    fitted = GDLogisticRegressor(record_path=True).fit(X.astype(np.float32), y)
    assert fitted.coef_.dtype == np.float32
    assert fitted.coef_path_.dtype == np.float32


def _skewed(n, p, n_classes, seed, power=2.0):
    """Classes apart along normal columns, half of them made lognormal:
    skewed columns, as incomes and counts are."""
    from sklearn.datasets import make_classification

    Z, y = make_classification(n_samples=n, n_features=p, n_informative=p // 2,
                               n_redundant=0, n_classes=n_classes, n_clusters_per_class=1,
                               flip_y=0.05, random_state=seed)
    X = Z.copy()
    X[:, ::2] = np.exp(power * Z[:, ::2])
    return X, y


def test_skewed_columns_move_the_coordinates_while_the_mean_curvature_holds():
    """As the classes separate, the samples far out on a skewed column are
    fitted first, and its curvature-weighted spread falls tenfold while the
    mean curvature holds: measured only where the mean moved, the metric
    stayed, and the fit stopped 1.5e-3 above the optimum after 318
    iterations, saying it had converged (whitened coordinates)."""
    X, y = _skewed(600, 8, 3, seed=2)
    alpha = 1e-4
    fitted = _fitted_without_warning(X, y, alpha=alpha)
    value = _value_at(X, y, alpha)
    assert value(fitted) <= value(_newton(X, y, alpha)) * (1 + 1e-4)
    assert fitted.n_iter_ <= 60


def test_skewed_columns_rescale_the_standardized_coordinates():
    """The same past the coefficients whitened from the start (201): the
    scales are measured again at the fixed asks, and the fit that took 955
    iterations takes a few dozen. Its convergence is real: a fit to a
    hundredth of the tolerance gains less than 1e-4 of the objective."""
    X, y = _skewed(2000, 200, 2, seed=1, power=1.5)
    alpha = 1e-3
    fitted = _fitted_without_warning(X, y, alpha=alpha)
    tight = _fitted_without_warning(X, y, alpha=alpha, tol=1e-6, max_iter=5000)
    value = _value_at(X, y, alpha)
    assert fitted.n_iter_ <= 150
    assert value(fitted) <= value(tight) * (1 + 1e-4)


def test_one_hot_groups_beside_skewed_columns_are_whitened_past_160_coefficients(monkeypatch):
    """Shaped like the forest cover types (one-hot groups of 4 and 40
    columns, which add up to the intercept, beside skewed distances; 7
    classes: 385 coefficients): standardized only, the fit stopped 1.3e-3
    above the optimum after 550 iterations, saying it had converged. Whitened
    once the descent has run as many iterations as a measure costs passes
    (56), it converges, and its measures after long steps come as many
    iterations apart, not every few."""
    from benchmark_scripts import load

    from sklearn_gd._linear import whitened

    X, y = load("raw_features").cover_like(3000)
    measures = []
    rescaled = whitened.WhitenedObjective.rescaled
    monkeypatch.setattr(whitened.WhitenedObjective, "rescaled",
                        lambda self, *args: measures.append(1) or rescaled(self, *args))
    alpha = 1e-4
    fitted = _fitted_without_warning(X, y, alpha=alpha)
    value = _value_at(X, y, alpha)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Newton's inner solves meet the flat directions
        assert value(fitted) <= value(_newton(X, y, alpha)) * (1 + 1e-4)
    assert fitted.n_iter_ <= 200
    assert len(measures) <= fitted.n_iter_ // 20


def test_a_fit_reads_its_test_at_the_least_curvature_its_steps_met():
    """Nearly separable raw values from 0 to 999 (800 x 520, shaped like the
    Gisette digits) stay standardized: 521 coefficients are more than
    whitening takes. Read at the mean curvature, the test passed 7.5e-4
    above the optimum after 119 iterations, saying the fit had converged;
    read at the least curvature its long steps met, the fit converges."""
    from benchmark_scripts import load

    X, y = load("raw_features").gisette_like(800, 520, seed=0)
    alpha = 1e-4
    fitted = _fitted_without_warning(X, y, alpha=alpha)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tight = GDLogisticRegressor(alpha=alpha, tol=1e-9, max_iter=5000).fit(X, y)
        newton = _newton(X, y, alpha)
    value = _value_at(X, y, alpha)
    assert value(fitted) <= min(value(tight), value(newton)) * (1 + 1e-4)


def test_a_long_fit_of_near_collinear_raw_columns_is_whitened_once_a_measure_pays():
    """2000 rows of 500 integer columns around 480, fifteen of them
    combinations of five others (shaped like the Madelon data): a measure of
    the whole curvature costs 125 passes. Standardized alone, the fit ran to
    ``max_iter`` and warned, 7.3e-4 above the optimum; whitened from
    iteration 125, it converges."""
    from benchmark_scripts import load

    X, y = load("raw_features").madelon_like(seed=1)
    alpha = 1e-2
    fitted = _fitted_without_warning(X, y, alpha=alpha)
    assert fitted.n_iter_ < 300
    value = _value_at(X, y, alpha)
    assert value(fitted) <= value(_newton(X, y, alpha)) * (1 + 1e-6)


def test_the_least_curvature_met_is_kept_until_a_whole_measure():
    """A step ``r`` times Newton's (``eta`` times the mean curvature) reads
    the test at ``1 / r`` of it, until coordinates measured along every
    direction; standardized ones again keep it, and a constant step or an
    absolute test never sets it."""
    from types import SimpleNamespace

    from sklearn_gd._optim.stopping import LeastCurvature

    standardized = SimpleNamespace(relative_test=True, curvature=2.0, whole_metric=False)
    least = LeastCurvature(active=True)
    least.stepped(standardized, 0.25)  # half Newton's: no flatter than the mean
    assert least.ratio == 1.0
    least.stepped(standardized, 8.0)
    least.stepped(standardized, 2.0)
    least.measured(standardized)
    assert least.ratio == 16.0
    least.measured(SimpleNamespace(relative_test=True, curvature=1.0, whole_metric=True))
    assert least.ratio == 1.0
    least.stepped(SimpleNamespace(relative_test=False), 100.0)
    assert least.ratio == 1.0
    constant = LeastCurvature(active=False)
    constant.stepped(standardized, 8.0)
    assert constant.ratio == 1.0


def test_flatness_multiplies_the_measure_but_reads_no_drop_above_the_objective():
    """``flatness=r`` multiplies the standardized measure by ``sqrt(r)``;
    since the objective is never negative, the largest drop it reads,
    ``measure^2 / 2`` of the measure's scale, stops at the objective itself."""
    X, y = load_breast_cancer(return_X_y=True)
    objective = standardize(_objective(GDLogisticRegressor, X, y))
    model = GDLogisticRegressor().fit(X, y)  # near the optimum: drops far below J
    theta = objective.from_original(np.vstack([model.coef_.T, model.intercept_[None]]))
    f, g = objective.value_and_grad(theta)
    plain = objective.stationarity(theta, g, f)
    assert_allclose(objective.stationarity(theta, g, f, flatness=16.0), 4 * plain)
    tiny = 1e-3 * objective._floor  # an objective far below the measure's scale
    capped = objective.stationarity(theta, g, tiny, flatness=1e30)
    assert_allclose(np.abs(capped).max() ** 2 / 2 * objective._floor, tiny)


@pytest.mark.parametrize("stricter", [False, True])
def test_a_point_that_passes_the_test_is_measured_again_before_it_converges(stricter):
    """Where the problem names ``remeasure_at_stop``, a point that passes the
    stopping test is asked once more; a new measure under which it fails
    keeps the descent going, and one under which it passes stops it there."""
    from sklearn_gd._optim import descent

    X, y = load_breast_cancer(return_X_y=True)
    objective = standardize(_objective(GDLogisticRegressor, X, y))
    asks = []

    class Measured:
        rescale_after = 10**6  # asked at the stop only

        def __init__(self, inner, factor, at_stop):
            self.inner, self.factor, self.remeasure_at_stop = inner, factor, at_stop

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def stationarity(self, x, g, f, **flatness):
            return self.factor * self.inner.stationarity(x, g, f, **flatness)

        def rescaled(self, x, g, nit=0):
            asks.append(self.factor)
            if stricter and self.factor == 1:
                return Measured(self.inner, 100.0, self.remeasure_at_stop), x
            return None

    model = GDLogisticRegressor()
    x0 = objective.initial_params()
    rule, step = model._rule_and_step(objective, x0, None)
    options = model._options(None, None, max_iter=2000)
    runs = {at_stop: descent.descend(Measured(objective, 1.0, at_stop), x0, rule=rule,
                                     step=step, options=options)
            for at_stop in (False, True)}
    assert runs[True].status == runs[False].status == "converged"
    if stricter:  # asked at the first stop, then at the one the new test allows
        assert asks == [1.0, 100.0]
        assert runs[True].nit > runs[False].nit
    else:
        assert asks == [1.0]
        assert runs[True].nit == runs[False].nit
