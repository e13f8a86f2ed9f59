"""What a descent records besides its loss curve, for the displays.

- wall times: ``result.times`` and ``times_``, 0 at the start, one per iterate
  (per epoch for mini-batches), nondecreasing; ``partial_fit`` extends them;
- ``record_path=True``: ``coef_path_`` and ``intercept_path_`` shaped as the
  fitted attributes, from the start to them, None by default and after
  ``partial_fit``;
- ``_objective_for``: the fitted problem's objective on given data;
- the conversions between ``coef_``/``intercept_``, theta and the flat vector.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from standardized_data import standardized

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor, minimize
from sklearn_gd._linear.params import (
    coef_from_flat,
    coef_from_theta,
    flat_from_coef,
    flat_name,
    theta_from_coef,
)

# Short fits: the path's shape is the point, not the optimum.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def assert_times(times, n_iter):
    assert times.shape == (n_iter + 1,)
    assert times[0] == 0.0
    assert np.all(np.diff(times) >= 0)


def test_minimize_records_times():
    result = minimize(lambda w: w**2, 4.0, jac=lambda w: 2 * w, learning_rate=0.35)
    assert_times(result.times, result.nit)


@pytest.mark.parametrize("batch_size", [None, 16])
def test_regressor_records_path_and_times(batch_size):
    X, y = standardized("diabetes")
    reg = GDLinearRegressor(record_path=True, batch_size=batch_size, random_state=0,
                            max_iter=30).fit(X, y)
    n = reg.n_iter_ + 1  # iterations, or epochs for mini-batches
    assert reg.coef_path_.shape == (n, X.shape[1])
    assert reg.intercept_path_.shape == (n,)
    assert_array_equal(reg.coef_path_[0], 0.0)
    assert_array_equal(reg.intercept_path_[0], 0.0)
    assert_array_equal(reg.coef_path_[-1], reg.coef_)
    assert reg.intercept_path_[-1] == reg.intercept_
    assert_times(reg.times_, reg.n_iter_)


def test_multi_output_and_classifier_paths_have_the_fitted_shapes():
    # Constant steps: a whitened least-squares fit would be done in two.
    X, y = standardized("diabetes")
    reg = GDLinearRegressor(record_path=True, max_iter=20,
                            learning_rate="lipschitz").fit(X, np.c_[y, -y])
    assert reg.coef_path_.shape == (21, 2, X.shape[1])
    assert reg.intercept_path_.shape == (21, 2)
    assert_array_equal(reg.coef_path_[-1], reg.coef_)
    assert_array_equal(reg.intercept_path_[-1], reg.intercept_)

    for name, n_classes in (("breast_cancer", 1), ("iris", 3)):
        X, y = standardized(name)
        clf = GDLogisticRegressor(record_path=True, max_iter=10).fit(X, y)
        assert clf.coef_path_.shape == (11, n_classes, X.shape[1])
        assert clf.intercept_path_.shape == (11, n_classes)
        assert_array_equal(clf.coef_path_[-1], clf.coef_)
        assert_array_equal(clf.intercept_path_[-1], clf.intercept_)
        assert_times(clf.times_, clf.n_iter_)


def test_path_follows_the_loss_curve():
    # Each recorded iterate has the recorded objective: the path is the descent's.
    X, y = standardized("iris")
    clf = GDLogisticRegressor(record_path=True, max_iter=15).fit(X, y)
    objective = clf._objective_for(X, y)
    for k in (0, 7, 15):
        theta = theta_from_coef(clf.coef_path_[k], clf.intercept_path_[k], True)
        assert objective.value_and_grad(theta)[0] == pytest.approx(clf.loss_curve_[k],
                                                                    rel=1e-12)


def test_no_path_by_default_nor_after_partial_fit():
    X, y = standardized("diabetes")
    reg = GDLinearRegressor().fit(X, y)
    assert reg.coef_path_ is None and reg.intercept_path_ is None
    # Constant steps, not converged after 5: partial_fit then takes one more.
    reg = GDLinearRegressor(record_path=True, max_iter=5, learning_rate="lipschitz").fit(X, y)
    before = reg.times_.copy()
    reg.partial_fit(X, y)
    assert reg.coef_path_ is None and reg.intercept_path_ is None
    assert_array_equal(reg.times_[:-1], before)  # extended like loss_curve_
    assert_times(reg.times_, reg.n_iter_)


def test_partial_fit_times_grow_by_one_per_call():
    X, y = standardized("iris")
    clf = GDLogisticRegressor()
    for calls in range(1, 4):
        clf.partial_fit(X, y, classes=[0, 1, 2])
        assert_times(clf.times_, calls)


def test_early_stopping_keeps_an_earlier_iterate_than_the_path_ends_with():
    X, y = standardized("diabetes")
    reg = GDLinearRegressor(record_path=True, early_stopping=True, batch_size=16,
                            learning_rate=0.1, schedule="constant", solver="momentum",
                            random_state=0, max_iter=200).fit(X, y)
    assert reg.coef_path_.shape[0] == reg.n_iter_ + 1
    # The iterate of the first of the best validation scores, which are one
    # per epoch from the first (the path starts at the starting point).
    best = int(np.argmax(reg.validation_scores_)) + 1
    assert best < reg.n_iter_  # an earlier iterate than the last, on this data
    assert_array_equal(reg.coef_, reg.coef_path_[best])
    assert reg.intercept_ == reg.intercept_path_[best]
    assert not np.array_equal(reg.coef_path_[-1], reg.coef_)


def test_objective_for_is_the_fitted_problem():
    X, y = standardized("iris")
    clf = GDLogisticRegressor(class_weight="balanced", alpha=0.01).fit(X, y)
    theta = theta_from_coef(clf.coef_, clf.intercept_, True)
    value, grad = clf._objective_for(X, y).value_and_grad(theta)
    assert value == pytest.approx(clf.loss_curve_[-1], rel=1e-12)
    assert np.abs(grad).max() <= clf.tol
    names = np.array(["a", "b", "c"])[y]  # labels map through classes_
    clf_named = GDLogisticRegressor(alpha=0.01).fit(X, names)
    assert clf_named._objective_for(X, names).value_and_grad(theta)[0] > 0
    with pytest.raises(ValueError, match="not among the classes"):
        clf_named._objective_for(X, np.array(["a", "z"] * 75))


@pytest.mark.parametrize("coef, intercept", [
    (np.array([1.0, 2.0]), 3.0),
    (np.array([[1.0, 2.0]]), np.array([3.0])),
    (np.array([[1.0, 2.0], [4.0, 5.0]]), np.array([3.0, 6.0])),
])
def test_parameter_shapes_round_trip(coef, intercept):
    theta = theta_from_coef(coef, intercept, fit_intercept=True)
    assert theta.shape == (3, coef.reshape(-1, 2).shape[0])
    back = coef_from_theta(theta, True, coef.shape, np.shape(intercept))
    assert_array_equal(back[0], coef)
    assert_array_equal(back[1], intercept)
    flat = flat_from_coef(coef, intercept)
    assert_array_equal(flat, np.r_[coef.ravel(), np.ravel(intercept)])
    back = coef_from_flat(flat, coef.shape, np.shape(intercept))
    assert_array_equal(back[0], coef)
    assert_array_equal(back[1], intercept)
    # A path: leading axes lead in every shape.
    path = np.stack([theta, 2 * theta])
    coefs, intercepts = coef_from_theta(path, True, coef.shape, np.shape(intercept))
    assert_allclose(coefs[1], 2 * coef)
    assert_array_equal(flat_from_coef(coefs, intercepts, n_lead=1)[1], 2 * flat)


def test_parameter_shapes_without_intercept():
    theta = theta_from_coef(np.array([1.0, 2.0]), 0.0, fit_intercept=False)
    assert_array_equal(theta, [[1.0], [2.0]])
    coef, intercept = coef_from_theta(theta, False, (2,), ())
    assert_array_equal(coef, [1.0, 2.0])
    assert intercept == 0.0


def test_flat_names():
    assert flat_name(0, (1,), ()) == "coef_[0]"
    assert flat_name(-1, (1,), ()) == "intercept_"
    assert flat_name(4, (2, 2), (2,)) == "intercept_[0]"
    assert flat_name(3, (2, 2), (2,)) == "coef_[1, 1]"
    with pytest.raises(IndexError):
        flat_name(6, (2, 2), (2,))
