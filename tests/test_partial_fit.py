"""``partial_fit``: one epoch (one step for full batches) per call, from the
current coefficients, with the rule's state carried from call to call.

- over chunks it approaches the optimum; ``n_iter_`` and ``loss_curve_``
  grow by one per call;
- ``k`` calls on the whole data are ``fit`` with ``max_iter=k`` (constant step,
  no stopping), for every rule whose state carries across calls;
- the classifier's ``classes``: required first, kept after, checked;
- a call that fails (bad input, divergence) leaves the estimator as it was;
- after ``fit``, it continues from ``fit``'s coefficients.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from standardized_data import standardized

from sklearn_gd import DivergenceError, GDLinearRegressor, GDLogisticRegressor
from sklearn_gd._linear.losses import HalfSquaredError
from sklearn_gd._linear.objective import LinearModelObjective


def objective_value(X, y, model, alpha=0.0, l1_ratio=0.0):
    objective = LinearModelObjective(X, y[:, None].astype(float), np.ones(len(y)),
                                     HalfSquaredError(), alpha=alpha, l1_ratio=l1_ratio,
                                     fit_intercept=True, n_outputs=1)
    theta = np.append(model.coef_, model.intercept_)[:, None]
    return objective.value_and_grad(theta)[0]


def fitted_attributes(model):
    return {key: (value.copy() if isinstance(value, np.ndarray) else value)
            for key, value in vars(model).items() if key.endswith("_")}


def assert_unchanged(model, before):
    after = fitted_attributes(model)
    assert after.keys() == before.keys()
    for key, value in before.items():
        assert_array_equal(after[key], value, err_msg=key)


# --- Over chunks --------------------------------------------------------------------


# Relative objective gap to LinearRegression after 20 passes over 4 chunks,
# with the constant step the first call fixes (the epoch loop never shrinks it
# in partial_fit): measured 6.5e-3 for one full-batch step per chunk (cyclic
# incremental gradient stops in a neighborhood of the optimum) and 5.8e-2 for
# batches of 32 (the noise of constant-step SGD).
@pytest.mark.parametrize("batch_size, rtol", [(None, 2e-2), (32, 0.15)])
def test_passes_over_chunks_approach_linear_regression(batch_size, rtol):
    X, y = standardized("diabetes")
    f_opt = objective_value(X, y, LinearRegression().fit(X, y))
    chunks = np.array_split(np.arange(len(y)), 4)
    model = GDLinearRegressor(batch_size=batch_size, random_state=0)
    gaps = []
    for n_pass in range(20):
        for chunk in chunks:
            model.partial_fit(X[chunk], y[chunk])
        gaps.append(objective_value(X, y, model) / f_opt - 1)
    assert 0 <= gaps[-1] <= rtol
    assert gaps[-1] < gaps[0]  # it approached: below the gap after the first pass
    assert model.n_iter_ == 80  # one epoch (or step) per call
    assert len(model.loss_curve_) == 81


@pytest.mark.parametrize("batch_size", [None, 16])
def test_each_call_adds_one_to_n_iter_and_loss_curve(batch_size):
    X, y = standardized("diabetes")
    model = GDLinearRegressor(batch_size=batch_size, random_state=0, tol=0.0)
    model.partial_fit(X[:100], y[:100])
    assert model.n_iter_ == 1
    assert len(model.loss_curve_) == 2
    for calls in range(2, 5):
        previous = model.loss_curve_.copy()
        model.partial_fit(X[100:300], y[100:300])
        assert model.n_iter_ == calls
        assert_array_equal(model.loss_curve_[:-1], previous)  # history kept
        assert len(model.loss_curve_) == calls + 1
        assert model.validation_scores_ is None


def test_first_call_fixes_the_auto_step():
    X, y = standardized("diabetes")
    model = GDLinearRegressor(learning_rate="auto").partial_fit(X[:50], y[:50])
    first = model.learning_rate_
    model.partial_fit(X[50:] * 3, y[50:])  # larger features, a larger L
    assert model.learning_rate_ == first


# --- k calls are fit with max_iter=k ---------------------------------------------

SAME_AS_FIT = [
    dict(solver="gd", learning_rate=0.1),
    dict(solver="gd", learning_rate="lipschitz"),
    dict(solver="momentum", learning_rate=0.05),
    dict(solver="nesterov", learning_rate=0.1),
    dict(solver="nesterov", learning_rate="auto"),
    dict(solver="adam", learning_rate="auto"),
    dict(solver="gd", learning_rate=0.1, penalty="l1", alpha=1.0),
    dict(solver="momentum", learning_rate=0.01, batch_size=32, shuffle=False),
    dict(solver="adam", learning_rate=0.01, batch_size=32, shuffle=False),
    dict(solver="gd", learning_rate=0.01, batch_size=32, shuffle=False, penalty="l1",
         alpha=1.0),
]


def fit_and_partial_fit(params, k):
    X, y = standardized("diabetes")
    # tol=0 never stops a full batch; the patience keeps mini-batches going.
    params = dict(tol=0.0, n_iter_no_change=1000, **params)
    with pytest.warns(ConvergenceWarning):
        fitted = GDLinearRegressor(max_iter=k, **params).fit(X, y)
    partial = GDLinearRegressor(**params)
    for _ in range(k):
        partial.partial_fit(X, y)
    return fitted, partial


def params_id(params):
    return "-".join(map(str, params.values()))


@pytest.mark.parametrize("params", SAME_AS_FIT, ids=params_id)
def test_k_calls_on_the_whole_data_are_fit_with_max_iter_k(params):
    fitted, partial = fit_and_partial_fit(params, k=12)
    assert partial.n_iter_ == fitted.n_iter_ == 12
    assert_allclose(partial.coef_, fitted.coef_, rtol=1e-12, atol=1e-12)
    assert partial.intercept_ == pytest.approx(fitted.intercept_, rel=1e-12, abs=1e-12)
    assert_allclose(partial.loss_curve_, fitted.loss_curve_, rtol=1e-12)


@pytest.mark.parametrize("params", [
    dict(solver="momentum", learning_rate=0.05, penalty="l1", alpha=1.0),
    dict(solver="nesterov", learning_rate=0.1, penalty="l1", alpha=1.0),
    dict(solver="momentum", learning_rate=0.01, batch_size=32, shuffle=False,
         penalty="l1", alpha=1.0),
], ids=["momentum", "nesterov", "momentum-batches"])
def test_k_calls_with_l1_and_momentum_are_fit_with_max_iter_k(params):
    fitted, partial = fit_and_partial_fit(params, k=12)
    assert_allclose(partial.coef_, fitted.coef_, rtol=1e-12, atol=1e-12)


def test_momentum_state_carries_across_calls():
    """Momentum's calls differ from plain descent's: the velocity is kept."""
    X, y = standardized("diabetes")
    momentum = GDLinearRegressor(solver="momentum", learning_rate=0.05, tol=0.0)
    plain = GDLinearRegressor(solver="gd", learning_rate=0.05, tol=0.0)
    for _ in range(2):
        momentum.partial_fit(X, y)
        plain.partial_fit(X, y)
    # The first step is the same; the second adds 0.9 of the first.
    first = GDLinearRegressor(solver="gd", learning_rate=0.05, tol=0.0).partial_fit(X, y)
    step1 = first.coef_
    step2_plain = plain.coef_ - step1
    assert_allclose(momentum.coef_ - step1, step2_plain + 0.9 * step1, rtol=1e-10)


# --- After fit -------------------------------------------------------------------


def test_partial_fit_after_fit_takes_one_step_from_fit_coefficients():
    X, y = standardized("diabetes")
    model = GDLinearRegressor(solver="nesterov", tol=1e-2).fit(X, y)
    coef, intercept = model.coef_.copy(), model.intercept_
    curve, n_iter = model.loss_curve_.copy(), model.n_iter_
    eta = 0.1
    model.set_params(solver="gd", learning_rate=eta, tol=0.0)
    model.partial_fit(X, y)
    # One gradient step of the least-squares objective from fit's answer.
    residual = X @ coef + intercept - y
    assert_allclose(model.coef_, coef - eta * X.T @ residual / len(y), rtol=1e-12)
    assert model.intercept_ == pytest.approx(intercept - eta * residual.mean(), rel=1e-12)
    assert model.n_iter_ == n_iter + 1
    assert_array_equal(model.loss_curve_[:-1], curve)
    assert len(model.loss_curve_) == len(curve) + 1


def test_fit_after_partial_fit_starts_afresh():
    X, y = standardized("diabetes")
    params = dict(solver="nesterov", tol=1e-3)
    model = GDLinearRegressor(**params)
    for _ in range(3):
        model.partial_fit(X[:200], y[:200])
    model.fit(X, y)
    fresh = GDLinearRegressor(**params).fit(X, y)
    assert_array_equal(model.coef_, fresh.coef_)
    assert model.n_iter_ == fresh.n_iter_


# --- The classifier's classes ----------------------------------------------------


def test_classifier_first_call_needs_classes():
    X, y = standardized("iris")
    model = GDLogisticRegressor()
    with pytest.raises(ValueError, match="classes"):
        model.partial_fit(X, y)
    assert not hasattr(model, "coef_")
    assert not hasattr(model, "classes_")


def test_classifier_chunk_may_miss_classes():
    X, y = standardized("iris")
    model = GDLogisticRegressor().partial_fit(X[:100], y[:100], classes=[0, 1, 2])
    assert_array_equal(model.classes_, [0, 1, 2])
    assert model.coef_.shape == (3, 4)  # multinomial from the first chunk on
    # The absent class's score went down, the present ones' up.
    assert model.intercept_[2] < 0 < model.intercept_[0]
    # Later chunks may hold any of the classes, with or without classes=.
    model.partial_fit(X[100:], y[100:])
    model.partial_fit(X[40:110], y[40:110], classes=[0, 1, 2])
    assert model.n_iter_ == 3
    assert set(model.predict(X)) <= {0, 1, 2}


def test_classifier_string_classes():
    X, y = standardized("iris")
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    model = GDLogisticRegressor().partial_fit(X[:100], names[:100], classes=names)
    assert_array_equal(model.classes_, ["setosa", "versicolor", "virginica"])
    assert model.predict(X[:1])[0] in model.classes_


@pytest.mark.parametrize("bad", [
    dict(y_offset=3, match="not among the classes"),            # label 3 unknown
    dict(classes=[0, 1], match="differs from the classes"),      # fewer classes
    dict(classes=[0, 1, 2, 3], match="differs from the classes"),  # more classes
    dict(n_features=3, match="features"),                        # 3 of 4 features
])
def test_classifier_later_bad_call_raises_and_changes_nothing(bad):
    X, y = standardized("iris")
    model = GDLogisticRegressor().partial_fit(X[:100], y[:100], classes=[0, 1, 2])
    model.partial_fit(X[100:], y[100:])
    before = fitted_attributes(model)
    Xb, yb = X[:10], y[:10].copy()
    if "y_offset" in bad:
        yb[0] = bad["y_offset"]
    if "n_features" in bad:
        Xb = Xb[:, : bad["n_features"]]
    with pytest.raises(ValueError, match=bad["match"]):
        model.partial_fit(Xb, yb, classes=bad.get("classes"))
    assert_unchanged(model, before)
    # It goes on as if the bad call never happened.
    model.partial_fit(X[:10], y[:10])
    assert model.n_iter_ == before["n_iter_"] + 1


def test_regressor_later_call_with_other_n_features_raises_and_changes_nothing():
    X, y = standardized("diabetes")
    model = GDLinearRegressor().partial_fit(X, y)
    before = fitted_attributes(model)
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:, :5], y)
    assert_unchanged(model, before)


# --- Divergence ------------------------------------------------------------------


def fit_unscaled(batch_size):
    X, y = load_diabetes(return_X_y=True)  # unscaled
    return GDLinearRegressor(solver="nesterov", batch_size=batch_size, random_state=0,
                             tol=1e-2).fit(X, y)


@pytest.mark.parametrize("batch_size", [None, 16])
def test_divergence_that_overflows_raises_and_changes_nothing(batch_size):
    X, y = load_diabetes(return_X_y=True)  # unscaled
    model = fit_unscaled(batch_size)
    before = fitted_attributes(model)
    # tol=0: at fit's answer, tol=1e-2 would stop partial_fit before its step.
    model.set_params(learning_rate=1e200, tol=0.0)
    with pytest.raises(DivergenceError, match="diverged"):
        model.partial_fit(X, y)
    assert_unchanged(model, before)
    assert not hasattr(model, "_partial_state")


def test_first_call_that_overflows_leaves_the_estimator_unfitted():
    X, y = load_diabetes(return_X_y=True)
    model = GDLinearRegressor(learning_rate=1e200)
    with pytest.raises(DivergenceError):
        model.partial_fit(X, y)
    assert not hasattr(model, "coef_")
    assert not hasattr(model, "n_iter_")
    assert not hasattr(model, "n_features_in_")


@pytest.mark.parametrize("batch_size", [None, 32])
def test_diverging_partial_fit_raises_and_changes_nothing(batch_size):
    # From near the optimum, one full-batch step of 1e6 only multiplies the
    # objective by 5, which no watch of a single step can tell from a bumpy
    # start; the next call's step multiplies it by ~1e12 and raises.
    X, y = load_diabetes(return_X_y=True)  # unscaled
    model = fit_unscaled(batch_size)
    model.set_params(learning_rate=1e6, tol=0.0)
    for _ in range(2):
        before = fitted_attributes(model)
        try:
            model.partial_fit(X, y)
        except DivergenceError:
            break
    else:
        pytest.fail("two partial_fit calls with learning_rate=1e6 did not raise")
    assert_unchanged(model, before)


def test_momentum_over_chunks_does_not_blow_up_silently():
    X, y = standardized("diabetes")
    f_zero = 0.5 * np.mean(y**2)  # the objective where partial_fit starts
    chunks = np.array_split(np.arange(len(y)), 4)
    model = GDLinearRegressor(solver="momentum")
    try:
        for _ in range(100):
            for chunk in chunks:
                model.partial_fit(X[chunk], y[chunk])
    except DivergenceError:
        return  # a loud failure is acceptable
    assert objective_value(X, y, model) < f_zero


def test_classifier_balanced_class_weight_balances_each_chunk():
    X, y = standardized("iris")
    chunk = np.r_[0:10, 50:100]  # 10 samples of class 0, 50 of class 1, none of 2
    balanced = GDLogisticRegressor(class_weight="balanced", learning_rate=0.1)
    balanced.partial_fit(X[chunk], y[chunk], classes=[0, 1, 2])
    # The chunk's own counts: weights 60 / (2 * 10) = 3 and 60 / (2 * 50) = 0.6.
    by_hand = GDLogisticRegressor(class_weight={0: 3.0, 1: 0.6}, learning_rate=0.1)
    by_hand.partial_fit(X[chunk], y[chunk], classes=[0, 1, 2])
    assert_allclose(balanced.coef_, by_hand.coef_, rtol=1e-12)
