"""The compiled mini-batch epoch gives the Python loop's fits, to rounding.

Every configuration the compiled epoch takes (plain descent and the rules
written as pure functions; one column of targets: least squares, binary and
multinomial log loss) is
fitted twice, with it and with the Python loop (``LinearModelObjective.fused
= False``), over losses, penalties, schedules, batch sizes, averaging,
sample weights and dense (both orders) and CSR ``X``.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor
from sklearn_gd._backends import host
from sklearn_gd._linear.objective import LinearModelObjective

pytestmark = pytest.mark.skipif(host._epoch_kernels() is None, reason="needs numba")


def _fit(Estimator, X, y, sample_weight=None, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return Estimator(**params).fit(X, y, sample_weight=sample_weight)


def _both(Estimator, X, y, monkeypatch, sample_weight=None, **params):
    return _compiled_and_python(lambda: _fit(Estimator, X, y, sample_weight, **params),
                                monkeypatch)


def _data(estimator, layout):
    if estimator is GDLogisticRegressor:
        X, y = make_classification(n_samples=120, n_features=6, random_state=0)
    else:
        X, y = make_regression(n_samples=120, n_features=6, noise=5.0, random_state=0)
        X, y = X / X.std(axis=0), y / y.std()
    if layout == "F":
        return np.asfortranarray(X), y
    return (sp.csr_matrix(X) if layout == "csr" else X), y


CONFIGURATIONS = [
    dict(batch_size=1),
    dict(batch_size=7, learning_rate=0.05),
    dict(batch_size=32, schedule="invscaling", learning_rate=0.2, power_t=0.3),
    dict(batch_size=5, penalty="l1", alpha=0.01, learning_rate=0.05),
    dict(batch_size=5, penalty="elasticnet", alpha=0.01, learning_rate=0.05),
    dict(batch_size=4, average=True, learning_rate=0.05),
    dict(batch_size=3, average=200, shuffle=False, learning_rate=0.05, penalty=None),
    dict(batch_size=8, fit_intercept=False, learning_rate=0.05),
    dict(batch_size=6, schedule="adaptive", learning_rate=0.3, n_iter_no_change=2),
]


@pytest.mark.parametrize("Estimator", [GDLinearRegressor, GDLogisticRegressor])
@pytest.mark.parametrize("layout", ["C", "F", "csr"])
@pytest.mark.parametrize("params", CONFIGURATIONS)
def test_the_same_fit_as_the_python_loop(Estimator, layout, params, monkeypatch):
    X, y = _data(Estimator, layout)
    compiled, python = _both(Estimator, X, y, monkeypatch, random_state=0, max_iter=15,
                             **params)
    assert compiled.n_iter_ == python.n_iter_
    assert_allclose(compiled.coef_, python.coef_, rtol=1e-12, atol=1e-13)
    assert_allclose(compiled.intercept_, python.intercept_, rtol=1e-12, atol=1e-13)
    assert_allclose(compiled.loss_curve_, python.loss_curve_, rtol=1e-12)


@pytest.mark.parametrize("layout", ["C", "F", "csr"])
@pytest.mark.parametrize("params", CONFIGURATIONS[:6])
def test_the_same_multinomial_fit_as_the_python_loop(layout, params, monkeypatch):
    X, y = make_classification(n_samples=120, n_features=6, n_informative=4,
                               n_classes=3, random_state=0)
    X = sp.csr_matrix(X) if layout == "csr" else np.asarray(X, order=layout)
    compiled, python = _both(GDLogisticRegressor, X, y, monkeypatch, random_state=0,
                             max_iter=15, class_weight="balanced", **params)
    assert compiled.n_iter_ == python.n_iter_
    assert_allclose(compiled.coef_, python.coef_, rtol=1e-12, atol=1e-13)
    assert_allclose(compiled.intercept_, python.intercept_, rtol=1e-12, atol=1e-13)
    assert_allclose(compiled.loss_curve_, python.loss_curve_, rtol=1e-12)


# Every rule on dense rows, and one on CSR rows: each pairing is a compilation
# of the epoch of its own (seconds, in a fresh environment).
RULE_CASES = [(solver, "C", Estimator)
              for solver in ("momentum", "nesterov", "adam", "adagrad", "rmsprop")
              for Estimator in (GDLinearRegressor, GDLogisticRegressor)]
RULE_CASES.append(("adam", "csr", GDLogisticRegressor))


@pytest.mark.parametrize("solver, layout, Estimator", RULE_CASES)
def test_the_rules_compiled_from_their_own_functions(solver, layout, Estimator,
                                                     monkeypatch):
    # Each rule's update is one function that the Python rule calls and the
    # compiled epoch compiles: the same steps, to rounding. (Batches of 9
    # take the vectorized losses, from 8 rows.)
    X, y = _data(Estimator, layout)
    compiled, python = _both(Estimator, X, y, monkeypatch, solver=solver, batch_size=9,
                             learning_rate=0.02, random_state=0, max_iter=12)
    assert compiled.n_iter_ == python.n_iter_
    assert_allclose(compiled.coef_, python.coef_, rtol=1e-12, atol=1e-13)
    assert_allclose(compiled.loss_curve_, python.loss_curve_, rtol=1e-12)


def test_sample_weights_and_float32(monkeypatch):
    X, y = _data(GDLogisticRegressor, "C")
    weights = np.random.default_rng(0).uniform(0, 3, size=len(y))
    compiled, python = _both(GDLogisticRegressor, X, y, monkeypatch, sample_weight=weights,
                             batch_size=4, random_state=0, max_iter=10)
    assert_allclose(compiled.coef_, python.coef_, rtol=1e-12, atol=1e-13)
    compiled, python = _both(GDLogisticRegressor, X.astype(np.float32), y, monkeypatch,
                             batch_size=4, random_state=0, max_iter=10)
    assert compiled.coef_.dtype == python.coef_.dtype == np.float32
    assert_allclose(compiled.coef_, python.coef_, rtol=1e-4, atol=1e-5)


def _compiled_and_python(run, monkeypatch):
    """``run()`` with the compiled epoch, then with the Python loop."""
    results = []
    for fused in (True, False):
        with monkeypatch.context() as patch:
            patch.setattr(LinearModelObjective, "fused", fused)
            results.append(run())
    return results


def test_divergence_is_detected_at_the_same_epoch(monkeypatch):
    X, y = _data(GDLinearRegressor, "C")

    def message():
        with pytest.raises(Exception, match="diverged") as error:
            GDLinearRegressor(batch_size=2, learning_rate=50.0, random_state=0).fit(X, y)
        return str(error.value)

    compiled, python = _compiled_and_python(message, monkeypatch)
    assert compiled == python


def test_partial_fit_streams_alike(monkeypatch):
    X, y = _data(GDLogisticRegressor, "csr")

    def stream(**params):
        clf = GDLogisticRegressor(batch_size=3, random_state=0, learning_rate=0.1,
                                  **params)
        for start in range(0, 120, 40):
            clf.partial_fit(X[start:start + 40], y[start:start + 40], classes=[0, 1])
        return clf.coef_

    for params in (dict(schedule="invscaling", average=True), dict(solver="adam")):
        compiled, python = _compiled_and_python(lambda: stream(**params), monkeypatch)
        assert_allclose(compiled, python, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("solver, layout, average", [("momentum", "C", False),
                                                     ("nesterov", "csr", True)])
def test_extrapolated_steps_around_the_l1_prox(solver, layout, average, monkeypatch):
    # Momentum on the iterates around the L1 prox: the kernel's proximal step,
    # then the rule's own extrapolation function, compiled.
    X, y = _data(GDLogisticRegressor, layout)
    calls = []
    kernels = host._epoch_kernels()
    original = kernels.run_epoch
    monkeypatch.setattr(kernels, "run_epoch",
                        lambda *args, **kwargs: calls.append(1) or original(*args, **kwargs))
    compiled, python = _both(GDLogisticRegressor, X, y, monkeypatch, solver=solver,
                             penalty="l1", alpha=0.01, batch_size=9, learning_rate=0.05,
                             average=average, random_state=0, max_iter=12)
    assert calls, "the compiled epoch never ran"
    assert compiled.n_iter_ == python.n_iter_
    assert_allclose(compiled.coef_, python.coef_, rtol=1e-12, atol=1e-13)
    assert_allclose(compiled.loss_curve_, python.loss_curve_, rtol=1e-12)
