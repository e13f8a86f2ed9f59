"""Mini-batch descent (``batch_size``) and early stopping in the estimators.

- one batch of every sample, unshuffled, is full-batch descent;
- mini-batches of 1, 16 and 64 samples reach the optimum's objective, for
  every solver, within a stated relative tolerance;
- the shuffles are seeded by ``random_state`` and skipped by ``shuffle=False``;
- ``max_iter`` counts epochs, and the descent stops by scikit-learn's
  ``n_iter_no_change`` rule on the epoch objective (``loss_curve_``);
- what mini-batches refuse (line search, BB) and keep (float32);
- early stopping: a validation score per step or epoch, the best iterate kept,
  a stratified split for the classifier, a clear error on too little data;
- ``verbose`` prints one line per epoch.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from standardized_data import standardized

from sklearn_gd import DivergenceError, GDLinearRegressor, GDLogisticRegressor
from sklearn_gd._linear.losses import BinaryLogLoss, HalfSquaredError
from sklearn_gd._linear.objective import LinearModelObjective

SOLVERS = ["gd", "momentum", "nesterov", "adam", "adagrad", "rmsprop"]
# The objective a mini-batch fit stops at, relative to the optimum's:
# (J - J*) / J* <= MINI_RTOL. The step shrinks by 5 whenever the noisy epoch
# objective stalls for n_iter_no_change epochs, and the fit stops once it has
# shrunk a millionfold, so the slow solvers stop short of the optimum. Measured
# with random_state=0: at most 4.5e-3 (regressor, gd, batches of 64), 3.2e-3
# (regressor, nesterov, 64) and 2.3e-3 (classifier, gd, single samples); adam
# and rmsprop mostly within 1e-4.
MINI_RTOL = 1e-2
CLF_ALPHA = 1e-2
# Batches of one sample take 150 samples only, to keep the suite fast.
SGD_SAMPLES = 150




def regression_objective(X, y):
    return LinearModelObjective(X, y[:, None].astype(float), np.ones(len(y)),
                                HalfSquaredError(), alpha=0.0, fit_intercept=True,
                                n_outputs=1)


def binary_objective(X, y):
    return LinearModelObjective(X, y[:, None].astype(float), np.ones(len(y)),
                                BinaryLogLoss(), alpha=CLF_ALPHA, fit_intercept=True,
                                n_outputs=1)


def theta_of(model):
    coef = np.atleast_2d(model.coef_)
    return np.vstack([coef.T, np.atleast_1d(model.intercept_)[None, :]])


_OPTIMA = {}


def optimum(kind, n):
    """The data, the objective and its optimal value (scikit-learn's solution)."""
    if (kind, n) not in _OPTIMA:
        if kind == "regressor":
            X, y = standardized("diabetes")
            X, y = X[:n], y[:n]
            ref = LinearRegression().fit(X, y)
            objective = regression_objective(X, y)
        else:
            X, y = standardized("breast_cancer")
            X, y = X[:n], y[:n]
            ref = LogisticRegression(C=1 / (CLF_ALPHA * len(y)), tol=1e-12,
                                     max_iter=10_000).fit(X, y)
            objective = binary_objective(X, y)
        f_opt = objective.value_and_grad(theta_of(ref))[0]
        _OPTIMA[kind, n] = X, y, objective, f_opt
    return _OPTIMA[kind, n]


def fit_mini_batch(kind, n, **params):
    X, y, objective, f_opt = optimum(kind, n)
    if kind == "regressor":
        model = GDLinearRegressor(**params).fit(X, y)
    else:
        model = GDLogisticRegressor(alpha=CLF_ALPHA, **params).fit(X, y)
    return model, objective.value_and_grad(theta_of(model))[0], f_opt


# --- One batch of everything is full-batch descent ----------------------------


def test_one_unshuffled_batch_of_every_sample_takes_the_full_batch_steps():
    """With a constant step the iterates are those of full-batch descent; the
    epoch objective is taken where each epoch's gradient was, one step behind."""
    X, y = standardized("diabetes")
    params = dict(learning_rate=0.1, max_iter=30, tol=0.0)
    with pytest.warns(ConvergenceWarning):
        full = GDLinearRegressor(**params).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        batched = GDLinearRegressor(batch_size=len(y), shuffle=False, **params).fit(X, y)
    assert batched.n_iter_ == full.n_iter_ == 30
    assert_allclose(batched.coef_, full.coef_, rtol=1e-12, atol=1e-12)
    assert batched.intercept_ == pytest.approx(full.intercept_, rel=1e-12)
    assert_allclose(batched.loss_curve_[1:], full.loss_curve_[:-1], rtol=1e-12)


@pytest.mark.parametrize("batch_size", [442, 10_000])  # larger than n: the whole data
@pytest.mark.parametrize("solver", ["momentum", "nesterov"])
def test_one_unshuffled_batch_reaches_linear_regression(solver, batch_size):
    X, y = standardized("diabetes")
    ref = LinearRegression().fit(X, y)
    model = GDLinearRegressor(solver=solver, batch_size=batch_size, shuffle=False,
                              tol=1e-10, max_iter=100_000).fit(X, y)
    # Measured: within 1e-5 of max |coef| (the stopping test is on the epoch
    # objective, which flattens before the coefficients of the collinear
    # diabetes features have settled).
    scale = np.abs(ref.coef_).max()
    assert_allclose(model.coef_, ref.coef_, rtol=0, atol=1e-4 * scale)
    assert model.intercept_ == pytest.approx(ref.intercept_, abs=1e-4 * scale)


# --- Mini-batches reach the optimum --------------------------------------------


@pytest.mark.parametrize("batch_size", [16, 64])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_mini_batches_reach_the_optimum_objective(kind, solver, batch_size):
    model, f, f_opt = fit_mini_batch(kind, None, solver=solver, batch_size=batch_size,
                                     random_state=0)
    assert "converged" in model.stop_reason_.lower()
    assert f_opt - 1e-9 * f_opt <= f <= f_opt * (1 + MINI_RTOL)


# AdaGrad on the regressor with single samples takes its 1000 epochs (4 s, a
# ConvergenceWarning) to get within 3e-4: left out for time.
SGD_CASES = [("regressor", s) for s in SOLVERS if s != "adagrad"] + [
    ("classifier", s) for s in SOLVERS]


@pytest.mark.parametrize("kind, solver", SGD_CASES)
def test_single_sample_batches_reach_the_optimum_objective(kind, solver):
    _, f, f_opt = fit_mini_batch(kind, SGD_SAMPLES, solver=solver, batch_size=1,
                                     random_state=0)
    assert f_opt - 1e-9 * f_opt <= f <= f_opt * (1 + MINI_RTOL)


@pytest.mark.parametrize("solver, n", [("momentum", None), ("nesterov", 100)])
def test_single_sample_momentum_auto_step_does_not_diverge(solver, n):
    """Regression: before 5133bd2 the 'auto' step 1/L_max, lengthened about
    1/(1 - 0.9) times by the constant momentum, diverged here."""
    X, y = standardized("diabetes")
    X, y = X[:n], y[:n]
    model = GDLinearRegressor(solver=solver, batch_size=1, random_state=0)
    try:
        model.fit(X, y)
    except DivergenceError as exc:
        pytest.fail(f"diverged: {exc}")
    f_opt = optimum("regressor", n)[3]
    f = regression_objective(X, y).value_and_grad(theta_of(model))[0]
    assert f <= f_opt * (1 + MINI_RTOL)


# --- Shuffles ---------------------------------------------------------------------


@pytest.mark.parametrize("Estimator, data", [(GDLinearRegressor, "diabetes"),
                                             (GDLogisticRegressor, "iris")])
def test_same_random_state_gives_the_same_fit(Estimator, data):
    X, y = standardized(data)
    params = dict(batch_size=16, solver="adam")
    a = Estimator(random_state=3, **params).fit(X, y)
    b = Estimator(random_state=3, **params).fit(X, y)
    c = Estimator(random_state=4, **params).fit(X, y)
    assert_array_equal(a.coef_, b.coef_)
    assert_array_equal(a.loss_curve_, b.loss_curve_)
    assert a.n_iter_ == b.n_iter_
    # The seed matters: another shuffle gives other iterates.
    assert not np.array_equal(a.coef_, c.coef_)


def test_random_state_instance_is_consumed_like_sklearn():
    X, y = standardized("diabetes")
    seeded = GDLinearRegressor(batch_size=32, random_state=7).fit(X, y)
    instance = GDLinearRegressor(batch_size=32,
                                 random_state=np.random.RandomState(7)).fit(X, y)
    assert_array_equal(seeded.coef_, instance.coef_)


@pytest.mark.parametrize("Estimator, data", [(GDLinearRegressor, "diabetes"),
                                             (GDLogisticRegressor, "iris")])
def test_without_shuffle_the_random_state_does_not_matter(Estimator, data):
    X, y = standardized(data)
    a = Estimator(batch_size=16, shuffle=False, random_state=0).fit(X, y)
    b = Estimator(batch_size=16, shuffle=False, random_state=123).fit(X, y)
    c = Estimator(batch_size=16, shuffle=False, random_state=None).fit(X, y)
    assert_array_equal(a.coef_, b.coef_)
    assert_array_equal(a.coef_, c.coef_)
    assert_array_equal(a.loss_curve_, b.loss_curve_)


def test_without_shuffle_the_batches_are_in_order():
    """Reversing the rows changes the unshuffled batches, hence the iterates."""
    X, y = standardized("diabetes")
    params = dict(batch_size=16, shuffle=False, learning_rate=0.01, max_iter=1, tol=0.0)
    with pytest.warns(ConvergenceWarning):
        forward = GDLinearRegressor(**params).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        backward = GDLinearRegressor(**params).fit(X[::-1], y[::-1])
    assert not np.allclose(forward.coef_, backward.coef_)


# --- Epochs and the stopping rule ---------------------------------------------------


@pytest.mark.parametrize("Estimator, data", [(GDLinearRegressor, "diabetes"),
                                             (GDLogisticRegressor, "iris")])
def test_max_iter_counts_epochs(Estimator, data, capsys):
    X, y = standardized(data)
    model = Estimator(batch_size=16, max_iter=3, tol=0.0, random_state=0, verbose=1)
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        model.fit(X, y)
    assert model.n_iter_ == 3
    assert len(model.loss_curve_) == model.n_iter_ + 1
    assert "max_iter" in model.stop_reason_
    # Three epochs of ceil(n / 16) steps each, not three steps.
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Epoch 1", "Epoch 2", "Epoch 3"]


def stalls(curve, tol):
    """Patience's test on epoch objectives: epoch j makes no progress when
    ``curve[j] >= min(curve[:j]) - tol``; the first epoch always counts as
    progress (the best so far is -inf)."""
    return [j > 0 and curve[j] >= min(curve[:j]) - tol for j in range(len(curve))]


def patience_counts(curve, tol):
    """The count of epochs without progress after each epoch objective, by
    the documented rule (scikit-learn's, ``count_stalls``): an epoch makes
    progress when its objective is below the best so far by more than
    ``tol``, absolute; the count starts again at each progress."""
    counts, run = [], 0
    for flag in stalls(curve, tol):
        run = run + 1 if flag else 0
        counts.append(run)
    return counts


# A constant step never shrinks, so the count is never started again by a
# shrink: the descent must stop at the first run of k stalled epochs.
@pytest.mark.parametrize("k", [3, 5])
@pytest.mark.parametrize("Estimator, data, tol", [(GDLinearRegressor, "diabetes", 0.1),
                                                  (GDLogisticRegressor, "iris", 1e-3)])
def test_constant_step_stops_after_k_epochs_without_progress(Estimator, data, tol, k):
    X, y = standardized(data)
    model = Estimator(batch_size=32, learning_rate=0.01, tol=tol, n_iter_no_change=k,
                      random_state=0, max_iter=2000).fit(X, y)
    assert "converged" in model.stop_reason_.lower()
    assert model.learning_rate_ == 0.01  # the step never shrank
    assert model.n_iter_ < 2000
    epochs = model.loss_curve_[1:]  # loss_curve_[0] is the start, not an epoch
    assert len(epochs) == model.n_iter_
    counts = patience_counts(epochs, tol)
    # It stopped at the k-th epoch in a row without progress, and at no
    # earlier one: the epoch before that run made progress, so a stop after
    # k + 1 stalls or more would have gone on past it.
    assert counts[-1] == k
    assert max(counts[:-1]) < k
    assert epochs[-k - 1] < epochs[:-k - 1].min() - tol


def test_adaptive_step_shrinks_a_millionfold_before_it_stops():
    X, y = standardized("diabetes")
    with pytest.warns(ConvergenceWarning):
        first = GDLinearRegressor(batch_size=32, max_iter=1, random_state=0).fit(X, y)
    model = GDLinearRegressor(batch_size=32, random_state=0).fit(X, y)
    assert "converged" in model.stop_reason_.lower()
    # Divided by 5 each time, until one more division would pass 1e-6.
    ratio = model.learning_rate_ / first.learning_rate_
    assert 1e-6 <= ratio < 5e-6
    assert all(stalls(model.loss_curve_[1:], model.tol)[-model.n_iter_no_change:])


# --- What mini-batches refuse and keep ---------------------------------------------


@pytest.mark.parametrize("Estimator, data", [(GDLinearRegressor, "diabetes"),
                                             (GDLogisticRegressor, "iris")])
@pytest.mark.parametrize("learning_rate", ["line_search", "bb"])
def test_line_search_and_bb_refuse_mini_batches(Estimator, data, learning_rate):
    X, y = standardized(data)
    with pytest.raises(ValueError, match="batch_size"):
        Estimator(learning_rate=learning_rate, batch_size=16).fit(X, y)


@pytest.mark.parametrize("solver", ["gd", "nesterov", "adam"])
def test_float32_stays_float32_with_mini_batches(solver):
    X, y = standardized("diabetes")
    reg = GDLinearRegressor(batch_size=16, solver=solver, random_state=0).fit(
        X.astype(np.float32), y)
    assert reg.coef_.dtype == np.float32
    assert reg.predict(X[:3].astype(np.float32)).dtype == np.float32
    Xi, yi = standardized("iris")
    clf = GDLogisticRegressor(batch_size=16, solver=solver, random_state=0).fit(
        Xi.astype(np.float32), yi)
    assert clf.coef_.dtype == np.float32
    assert clf.intercept_.dtype == np.float32


# --- Early stopping -----------------------------------------------------------------


# Data on which early stopping has a choice to make: 200 samples of 40
# features, 3 of them informative, fitted without a penalty. The validation
# loss falls, flattens and rises as the descent starts fitting the noise, so
# the best validated iterate is neither the last one nor the first; and with
# tol=1e-2 its last rises are too small to count as progress, so it is not the
# iterate of the last progress either (measured, in the order of the cases
# below: the best after step or epoch 34 of 43, 20 of 21, 15 of 24 and 8 of
# 15; the last progress after 33, 11, 14 and 5).
_rng = np.random.default_rng(0)
OVERFIT_X = _rng.standard_normal((200, 40))
_signal = OVERFIT_X[:, :3] @ [2.0, -3.0, 1.0]
OVERFIT_Y = {GDLinearRegressor: _signal + 2.0 * _rng.standard_normal(200),
             GDLogisticRegressor: (_signal + _rng.logistic(size=200) > 0).astype(int)}
EARLY_CASES = [
    pytest.param(GDLinearRegressor, None, {"solver": "momentum", "learning_rate": 0.02},
                 id="regressor-full_batch"),
    pytest.param(GDLinearRegressor, 16, {"solver": "momentum", "learning_rate": 0.02},
                 id="regressor-mini_batch"),
    pytest.param(GDLogisticRegressor, None, {"solver": "momentum", "learning_rate": 0.1},
                 id="classifier-full_batch"),
    pytest.param(GDLogisticRegressor, 16, {"solver": "gd", "learning_rate": 0.1},
                 id="classifier-mini_batch"),
]


def last_progress(scores, tol):
    """The index of the score at the last progress by early stopping's rule:
    a loss below the loss at the last progress by more than ``tol`` times it."""
    reference, last = None, None
    for j, loss in enumerate(-np.asarray(scores)):
        if reference is None or loss < reference - tol * abs(reference):
            reference, last = loss, j
    return last


@pytest.mark.parametrize("Estimator, batch_size, params", EARLY_CASES)
def test_early_stopping_keeps_the_best_validated_iterate(Estimator, batch_size, params):
    model = Estimator(early_stopping=True, batch_size=batch_size, tol=1e-2, alpha=0.0,
                      random_state=0, max_iter=500, record_path=True, **params)
    model.fit(OVERFIT_X, OVERFIT_Y[Estimator])
    scores = model.validation_scores_
    assert "early" in model.stop_reason_.lower()
    assert len(scores) == model.n_iter_
    assert len(model.coef_path_) == len(model.intercept_path_) == model.n_iter_ + 1
    # coef_path_[0] is the start and validation_scores_[j] the score after
    # step (or epoch) j + 1, of the iterate coef_path_[j + 1]. The kept one
    # is that of the first of the best scores.
    best = int(np.argmax(scores)) + 1
    assert_array_equal(model.coef_, model.coef_path_[best])
    assert_array_equal(model.intercept_, model.intercept_path_[best])
    # The iterates a wrong choice would keep are other iterates on this data,
    # so that keeping any of them fails the assertions above.
    wrong = {
        "the last iterate": model.n_iter_,
        "the iterate of the last progress": last_progress(scores, model.tol) + 1,
        "the first validated iterate": 1,
        "the start": 0,
        "the iterate before the best": best - 1,
        "the iterate after the best": best + 1,
    }
    for choice, k in wrong.items():
        assert not np.array_equal(model.coef_path_[k], model.coef_), choice


def early_stopping_stalls(scores, tol):
    """The count of steps without progress after each validation score, by
    the documented rule: a loss makes progress when it falls below the loss
    at the last progress by more than ``tol`` times that loss."""
    reference, stalls, counts = None, 0, []
    for loss in -np.asarray(scores):
        if reference is None or loss < reference - tol * abs(reference):
            reference, stalls = loss, 0
        else:
            stalls += 1
        counts.append(stalls)
    return counts


# Constant steps: an "adaptive" one would shrink and count afresh, and a
# whitened least-squares fit converges in two steps.
@pytest.mark.parametrize("batching", [{"learning_rate": "lipschitz"},
                                      {"batch_size": 16, "learning_rate": 0.01}])
@pytest.mark.parametrize("Estimator, data", [(GDLinearRegressor, "diabetes"),
                                             (GDLogisticRegressor, "iris")])
def test_early_stopping_stops_after_n_iter_no_change_without_progress(Estimator, data,
                                                                      batching):
    X, y = standardized(data)
    k = 4
    model = Estimator(early_stopping=True, n_iter_no_change=k, random_state=0,
                      max_iter=5000, **batching).fit(X, y)
    assert "early" in model.stop_reason_.lower()
    counts = early_stopping_stalls(model.validation_scores_, model.tol)
    # It stopped at the k-th step without progress, and at no earlier one: the
    # score k + 1 steps back was still progress.
    assert counts[-1] == k
    assert max(counts[:-1]) < k


def test_early_stopping_goes_on_while_the_validation_loss_falls_by_small_steps():
    """Each step of a small constant learning rate lowers the validation loss
    by far less than tol; over the patience they add up to more, so this is
    progress, not a stall."""
    X, y = standardized("breast_cancer")
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    params = dict(learning_rate=0.01, random_state=0, max_iter=600)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # both stop at max_iter
        early = GDLogisticRegressor(early_stopping=True, **params).fit(X_train, y_train)
        plain = GDLogisticRegressor(**params).fit(X_train, y_train)
    steps = np.diff(early.validation_scores_)
    assert np.all(steps[-20:] > 0) and np.all(steps[-20:] < early.tol)
    assert early.n_iter_ == 600
    assert log_loss(y_test, early.predict_proba(X_test)) < 1.05 * log_loss(
        y_test, plain.predict_proba(X_test))


def test_early_stopping_split_of_the_classifier_is_stratified():
    """A class of two samples keeps one for training with every seed, where an
    unstratified split would, for some seeds, set both aside."""
    X, y = standardized("iris")
    rows = np.r_[0:50, 50:100, 100, 101]  # classes 0 and 1, and two of class 2
    X, y = X[rows], y[rows]
    rare = np.flatnonzero(y == 2)
    unstratified_loses_it = False
    for seed in range(6):
        # In the original coordinates, whose descent learns the rare sample
        # before the validation loss stalls.
        model = GDLogisticRegressor(early_stopping=True, validation_fraction=0.5,
                                    n_iter_no_change=50, random_state=seed,
                                    precondition=False).fit(X, y)
        # The rare sample trained on is learned; with none, class 2 is never predicted.
        assert model.predict_proba(X[rare])[:, 2].max() > 0.5, seed
        _, held_out = train_test_split(np.arange(len(y)), test_size=0.5,
                                       random_state=seed)
        unstratified_loses_it |= set(rare) <= set(held_out)
    assert unstratified_loses_it


@pytest.mark.parametrize("Estimator, X, y", [
    (GDLinearRegressor, [[0.0]], [1.0]),
    (GDLogisticRegressor, [[0.0], [1.0]], [0, 1]),
])
def test_early_stopping_on_too_little_data_is_a_clear_error(Estimator, X, y):
    with pytest.raises(ValueError, match="early_stopping=True"):
        Estimator(early_stopping=True).fit(X, y)


@pytest.mark.parametrize("batch_size", [None, 16])
def test_validation_scores_is_none_without_early_stopping(batch_size):
    X, y = standardized("diabetes")
    model = GDLinearRegressor(batch_size=batch_size, random_state=0, tol=1e-2,
                              solver="nesterov").fit(X, y)
    assert model.validation_scores_ is None


def test_early_stopping_uses_fewer_samples_for_training():
    """Without early stopping every sample is trained on: the fits differ."""
    X, y = standardized("diabetes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = GDLinearRegressor(learning_rate=0.1, max_iter=5, tol=0.0).fit(X, y)
        early = GDLinearRegressor(learning_rate=0.1, max_iter=5, tol=0.0,
                                  early_stopping=True, random_state=0).fit(X, y)
    assert not np.allclose(plain.coef_, early.coef_)
    assert len(early.validation_scores_) == 5


# --- verbose ----------------------------------------------------------------------


def test_verbose_prints_one_epoch_line_per_epoch(capsys):
    X, y = standardized("diabetes")
    model = GDLinearRegressor(batch_size=32, random_state=0, verbose=1).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    epoch_lines = [line for line in lines if line.startswith("Epoch ")]
    assert len(epoch_lines) == model.n_iter_
    assert [int(line.split()[1].rstrip(":")) for line in epoch_lines] == list(
        range(1, model.n_iter_ + 1))
    assert not any(line.startswith("Iteration") for line in lines)
