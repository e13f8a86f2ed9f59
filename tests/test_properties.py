"""Property tests (hypothesis) over random small problems and parameters.

- the losses and the penalty, piece by piece: every gradient equals central
  finite differences (the L1 part away from its kinks), the proximal step is
  the minimizer it claims to be, and the array API branch of each loss equals
  its NumPy branch; the whole objective with an L1 part, sample weights
  (zeros included), with or without intercept, multi-output and multinomial;
  batches of a partition average to the full objective;
- the estimators, fitted to a tight tolerance: integer sample weights are
  repeated rows, permuting the features permutes the coefficients, permuting
  the samples changes nothing;
- reproducibility: fitting twice, or a clone, gives a bitwise equal model (any
  solver, mini-batches with a fixed ``random_state``, early stopping), and a
  pickle or joblib round trip predicts exactly the same.

``tests/test_objective.py::test_gradient_property`` already checks the
objective's gradient without an L1 part; these extend it.
"""

import io
import pickle
import tempfile
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from finite_differences import central_differences
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor
from sklearn_gd._linear.losses import (
    BinaryLogLoss,
    HalfSquaredError,
    MultinomialLogLoss,
)
from sklearn_gd._linear.objective import LinearModelObjective
from sklearn_gd._linear.penalties import PENALTIES, ElasticNet, penalty_strengths
from sklearn_gd._optim.config import ADAPTIVE_SOLVERS, SOLVERS

LOSSES = {"squared": HalfSquaredError, "binary": BinaryLogLoss,
          "multinomial": MultinomialLogLoss}
KINDS = ["regression", "multi-output", "binary", "multinomial"]
# Tight enough that two fits of the same strongly convex problem (alpha >= 0.02)
# agree far below the tolerances of the comparisons: |dtheta| <= 2 tol / alpha.
TIGHT = dict(tol=1e-12, max_iter=20_000)

FD_STEP = 1e-6
FD_RTOL = 1e-6

seeds = st.integers(0, 2**32 - 1)


def assert_matches_fd(grad, fd, values_scale=1.0):
    """``grad`` equals the finite differences ``fd`` to ``FD_RTOL``, relative to
    the largest of them (and to the size of the function: rounding in ``f(x +
    h) - f(x - h)`` is about ``eps |f| / h``)."""
    scale = max(1.0, float(np.max(np.abs(fd), initial=0.0)), values_scale)
    assert_allclose(grad, fd, rtol=FD_RTOL, atol=FD_RTOL * scale)


def away_from_zero(shape, low=0.05, high=3.0):
    """Arrays whose entries are at least ``low`` from zero (and from the kinks
    of ``|w|``), of either sign."""
    magnitudes = hnp.arrays(np.float64, shape, elements=st.floats(low, high))
    signs = hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0]))
    return st.tuples(magnitudes, signs).map(lambda ms: ms[0] * ms[1])


# --- the losses, one by one -------------------------------------------------------


@st.composite
def loss_problems(draw):
    """A loss with targets ``Y`` and raw predictions ``Z`` it can read."""
    name = draw(st.sampled_from(sorted(LOSSES)))
    n = draw(st.integers(1, 8))
    k = {"squared": draw(st.integers(1, 3)), "binary": 1,
         "multinomial": draw(st.integers(2, 4))}[name]
    bound = 10.0 if name == "squared" else 30.0
    Z = draw(hnp.arrays(np.float64, (n, k), elements=st.floats(-bound, bound)))
    if name == "squared":
        Y = draw(hnp.arrays(np.float64, (n, k), elements=st.floats(-10.0, 10.0)))
    elif name == "binary":
        Y = draw(hnp.arrays(np.float64, (n, 1), elements=st.sampled_from([0.0, 1.0])))
    else:
        Y = draw(hnp.arrays(np.int64, (n, 1), elements=st.integers(0, k - 1)))
    return name, Y, Z


def reference_losses(name, Y, Z):
    if name == "squared":
        return 0.5 * np.sum((Z - Y) ** 2, axis=1)
    if name == "binary":
        return np.logaddexp(0.0, Z[:, 0]) - Y[:, 0] * Z[:, 0]
    return logsumexp(Z, axis=1) - np.take_along_axis(Z, Y, axis=1)[:, 0]


@settings(max_examples=60, deadline=None)
@given(problem=loss_problems())
def test_loss_gradient_matches_finite_differences(problem):
    """Each sample's loss depends on its own row of ``Z`` only, its derivative
    is the returned gradient's row, and the losses are the textbook ones."""
    name, Y, Z = problem
    loss = LOSSES[name]()
    losses, G = loss.loss_gradient(Y, Z)
    assert losses.shape == (Z.shape[0],) and G.shape == Z.shape
    assert_allclose(losses, reference_losses(name, Y, Z), rtol=1e-12, atol=1e-12)
    scale = float(np.max(np.abs(losses)))
    for i, k in np.ndindex(Z.shape):
        up, down = Z.copy(), Z.copy()
        up[i, k] += FD_STEP
        down[i, k] -= FD_STEP
        column = (loss.loss_gradient(Y, up)[0] - loss.loss_gradient(Y, down)[0]) / (
            2 * FD_STEP)
        expected = np.zeros(Z.shape[0])
        expected[i] = G[i, k]
        assert_matches_fd(expected, column, scale)


@settings(max_examples=30, deadline=None)
@given(problem=loss_problems())
def test_loss_array_api_branch_equals_numpy_branch(problem):
    """The branch for other array libraries (no einsum, no fancy indexing)
    computes the same losses and gradient as the NumPy one."""
    xp = pytest.importorskip("array_api_strict")
    name, Y, Z = problem
    loss = LOSSES[name]()
    losses, G = loss.loss_gradient(Y, Z)
    xp_losses, xp_G = loss.loss_gradient(xp.asarray(Y), xp.asarray(Z), xp=xp)
    assert_allclose(np.asarray(xp_losses), losses, rtol=1e-13, atol=1e-13)
    assert_allclose(np.asarray(xp_G), G, rtol=1e-13, atol=1e-15)


# --- the penalty, its smooth part, L1 part and proximal step ----------------------


penalty_names = st.sampled_from([*PENALTIES, None])


@settings(max_examples=50, deadline=None)
@given(
    penalty=penalty_names,
    alpha=st.floats(0.0, 5.0),
    l1_ratio=st.floats(0.0, 1.0),
    W=hnp.array_shapes(min_dims=2, max_dims=2, max_side=4).flatmap(away_from_zero),
)
def test_penalty_gradients_match_finite_differences(penalty, alpha, l1_ratio, W):
    """The smooth part's gradient, and away from the kinks of ``|w|`` the whole
    penalty's gradient, which is the subgradient of least size there."""
    pen = ElasticNet(*penalty_strengths(penalty, alpha, l1_ratio))
    value, grad = pen.smooth_value_and_grad(W)
    assert grad.shape == W.shape
    assert_matches_fd(grad, central_differences(
        lambda V: pen.smooth_value_and_grad(V)[0], W))
    total = central_differences(
        lambda V: pen.smooth_value_and_grad(V)[0] + pen.nonsmooth_value(V), W)
    assert_matches_fd(pen.min_norm_subgradient(W, grad), total)
    # Its parts are alpha's split: l2 + l1 = alpha (none for penalty=None).
    assert pen.l2 + pen.l1 == pytest.approx(0.0 if penalty is None else alpha)


@settings(max_examples=50, deadline=None)
@given(
    penalty=penalty_names,
    alpha=st.floats(0.0, 5.0),
    l1_ratio=st.floats(0.0, 1.0),
    eta=st.floats(1e-3, 10.0),
    W=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=4),
                 elements=st.floats(-5.0, 5.0)),
    direction=st.integers(0, 2**32 - 1),
)
def test_prox_is_the_proximal_minimizer(penalty, alpha, l1_ratio, eta, W, direction):
    r"""``V = prox(W, eta)`` minimizes :math:`\frac{1}{2\eta}\|V - W\|^2 + l_1
    \|V\|_1`: the subgradient of least size of that function is zero at ``V``,
    and no nearby point is lower."""
    pen = ElasticNet(*penalty_strengths(penalty, alpha, l1_ratio))
    V = pen.prox(W, eta)
    assert V.shape == W.shape

    def prox_objective(U):
        return float(np.sum((U - W) ** 2)) / (2 * eta) + pen.l1 * float(np.abs(U).sum())

    stationarity = pen.min_norm_subgradient(V, (V - W) / eta)
    scale = 1.0 + float(np.max(np.abs(W))) / eta
    assert_allclose(stationarity, 0.0, atol=1e-12 * scale)
    rng = np.random.default_rng(direction)
    for radius in (1e-3, 1e-1, 1.0):
        U = V + radius * rng.standard_normal(V.shape)
        assert prox_objective(V) <= prox_objective(U) + 1e-12 * scale


# --- the whole objective ----------------------------------------------------------


@st.composite
def objectives(draw, penalties=penalty_names):
    """A LinearModelObjective on random data, with its parameters ``theta``:
    the coefficients at least 0.05 from zero, the intercept anything."""
    name = draw(st.sampled_from(sorted(LOSSES)))
    n = draw(st.integers(1, 10))
    p = draw(st.integers(1, 4))
    k = {"squared": draw(st.integers(1, 3)), "binary": 1,
         "multinomial": draw(st.integers(2, 4))}[name]
    rng = np.random.default_rng(draw(seeds))
    X = rng.standard_normal((n, p))
    if draw(st.booleans()):
        X[rng.random((n, p)) < 0.4] = 0.0
        X = sp.csr_matrix(X)
    if name == "squared":
        Y = rng.standard_normal((n, k))
    elif name == "binary":
        Y = rng.integers(0, 2, (n, 1)).astype(float)
    else:
        Y = rng.integers(0, k, (n, 1))
    # Some weights may be zero, not all.
    weights = np.array(draw(st.lists(st.sampled_from([0.0, 0.01, 0.5, 1.0, 3.0, 100.0]),
                                     min_size=n, max_size=n)))
    weights[draw(st.integers(0, n - 1))] = draw(st.floats(0.01, 100.0))
    alpha, l1_ratio = penalty_strengths(draw(penalties), draw(st.floats(0.0, 5.0)),
                                        draw(st.floats(0.0, 1.0)))
    fit_intercept = draw(st.booleans())
    objective = LinearModelObjective(X, Y, weights, LOSSES[name](), alpha=alpha,
                                     l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                                     n_outputs=k)
    objective.fused = draw(st.booleans())
    W = draw(away_from_zero((p, k)))
    rows = [W, rng.standard_normal((1, k))] if fit_intercept else [W]
    return objective, np.vstack(rows)


@settings(max_examples=60, deadline=None)
@given(problem=objectives())
def test_objective_with_l1_part_matches_finite_differences(problem):
    """``value_and_grad`` gives the value of the whole objective and the
    gradient of its smooth part; away from the kinks the whole objective's
    gradient is the stationarity measure (the intercept row unpenalized)."""
    objective, theta = problem
    value, grad = objective.value_and_grad(theta)
    assert grad.shape == theta.shape
    values = abs(value)

    def smooth(t):
        return objective.value_and_grad(t)[0] - objective.nonsmooth_value(t)

    assert_matches_fd(grad, central_differences(smooth, theta), values)
    whole = central_differences(lambda t: objective.value_and_grad(t)[0], theta)
    assert_matches_fd(objective.stationarity(theta, grad, value), whole, values)
    # The value is the mean loss plus both parts of the penalty on W only.
    W = theta[: objective.X.shape[1]]
    penalty = objective.penalty
    expected = (objective.mean_loss(theta) + penalty.smooth_value_and_grad(W)[0]
                + penalty.nonsmooth_value(W))
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(problem=objectives(), n_batches=st.integers(1, 4), order=seeds)
def test_batches_of_a_partition_average_to_the_full_objective(problem, n_batches, order):
    """Each batch's weights are scaled by ``n / len(batch)``: over batches of
    equal size that partition the samples, the mean of the batch objectives
    and gradients is the full one (the penalty is kept whole in each)."""
    objective, theta = problem
    n = objective.n_samples
    size = max(1, n // n_batches)
    rows = np.random.default_rng(order).permutation(n)[: size * (n // size)]
    parts = [objective.batch(part) for part in rows.reshape(-1, size)]
    # Leaving out a remainder changes the sample: compare with the full
    # objective of the rows kept, weights as in the full one.
    kept = objective._rows(rows)
    kept._weights = objective._weights[rows] * (n / len(rows))
    value, grad = kept.value_and_grad(theta)
    results = [part.value_and_grad(theta) for part in parts]
    assert np.mean([f for f, _ in results]) == pytest.approx(value, rel=1e-10, abs=1e-12)
    assert_allclose(np.mean([g for _, g in results], axis=0), grad, rtol=1e-10,
                    atol=1e-12 * max(1.0, float(np.max(np.abs(grad)))))


# --- the estimators, on problems with a unique, quickly reached optimum ------------


def make_data(kind, n, p, seed):
    """A well-conditioned problem of ``kind``: noisy targets (never separable
    classes)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if kind in ("regression", "multi-output"):
        n_targets = 1 if kind == "regression" else 2
        Y = X @ rng.standard_normal((p, n_targets)) + 0.5 * rng.standard_normal(
            (n, n_targets))
        return X, (Y[:, 0] if kind == "regression" else Y)
    n_classes = 2 if kind == "binary" else 3
    scores = X @ rng.standard_normal((p, n_classes)) + rng.gumbel(size=(n, n_classes))
    y = np.argmax(scores, axis=1)
    # Every class twice at least (a stratified validation split needs it),
    # and once among the first three rows.
    y[: 2 * n_classes] = np.tile(np.arange(n_classes), 2)
    return X, y


def make_estimator(kind, **params):
    Estimator = GDLinearRegressor if kind in ("regression", "multi-output") else (
        GDLogisticRegressor)
    return Estimator(**params)


@st.composite
def fitting_problems(draw, min_n=8):
    kind = draw(st.sampled_from(KINDS))
    n = draw(st.integers(min_n, 30))
    p = draw(st.integers(1, 5))
    X, y = make_data(kind, n, p, draw(seeds))
    params = dict(alpha=draw(st.floats(0.02, 1.0)), fit_intercept=draw(st.booleans()),
                  learning_rate=draw(st.sampled_from(["auto", "bb"])), **TIGHT)
    return kind, X, y, params


def assert_same_solution(a, b, rtol, atol):
    assert_allclose(a.coef_, b.coef_, rtol=rtol, atol=atol)
    assert_allclose(a.intercept_, b.intercept_, rtol=rtol, atol=atol)


@settings(max_examples=20, deadline=None)
@given(problem=fitting_problems(), data=st.data())
def test_integer_sample_weights_are_repeated_rows(problem, data):
    """Weight ``k`` fits as ``k`` copies of the row, weight 0 as no row."""
    kind, X, y, params = problem
    n = X.shape[0]
    weights = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    weights[:3] = np.maximum(weights[:3], 1)  # every class keeps a weighted row
    weighted = make_estimator(kind, **params).fit(X, y, sample_weight=weights)
    repeated = make_estimator(kind, **params).fit(np.repeat(X, weights, axis=0),
                                                  np.repeat(y, weights, axis=0))
    assert_same_solution(weighted, repeated, rtol=1e-7, atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(problem=fitting_problems(), data=st.data())
def test_permuting_features_permutes_the_coefficients(problem, data):
    kind, X, y, params = problem
    perm = np.array(data.draw(st.permutations(range(X.shape[1]))))
    model = make_estimator(kind, **params).fit(X, y)
    permuted = make_estimator(kind, **params).fit(X[:, perm], y)
    assert_allclose(permuted.coef_, model.coef_[..., perm], rtol=1e-7, atol=1e-9)
    assert_allclose(permuted.intercept_, model.intercept_, rtol=1e-7, atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(problem=fitting_problems(), data=st.data())
def test_permuting_samples_changes_nothing(problem, data):
    """Full batches: the same optimum from the rows in any order (with their
    sample weights)."""
    kind, X, y, params = problem
    n = X.shape[0]
    perm = np.array(data.draw(st.permutations(range(n))))
    weights = np.random.default_rng(data.draw(seeds)).uniform(0.2, 3.0, n)
    model = make_estimator(kind, **params).fit(X, y, sample_weight=weights)
    permuted = make_estimator(kind, **params).fit(X[perm], y[perm],
                                                  sample_weight=weights[perm])
    assert_same_solution(permuted, model, rtol=1e-8, atol=1e-10)


# --- reproducibility: refits, clones, pickles --------------------------------------


@st.composite
def configurations(draw):
    """Any valid combination of solver, step size, batching and penalty, with
    a fixed ``random_state``; few iterations (they need not converge)."""
    solver = draw(st.sampled_from(SOLVERS))
    batch_size = draw(st.one_of(st.none(), st.integers(1, 12)))
    rates = ["auto", "lipschitz", 0.01]
    if solver == "gd" and batch_size is None:
        rates += ["line_search", "bb"]
    learning_rate = draw(st.sampled_from(rates))
    schedule = "constant" if learning_rate in ("line_search", "bb") else draw(
        st.sampled_from(["constant", "invscaling", "adaptive"]))
    penalties = ["l2", None] if solver in ADAPTIVE_SOLVERS else ["l2", "l1", "elasticnet",
                                                                  None]
    return dict(
        solver=solver, batch_size=batch_size, learning_rate=learning_rate,
        schedule=schedule, penalty=draw(st.sampled_from(penalties)),
        alpha=draw(st.floats(0.0, 0.5)), fit_intercept=draw(st.booleans()),
        early_stopping=draw(st.booleans()), shuffle=draw(st.booleans()),
        random_state=draw(st.integers(0, 2**31 - 1)), max_iter=draw(st.integers(1, 25)),
        tol=draw(st.sampled_from([0.0, 1e-4, 1e-2])),
    )


FITTED = ("coef_", "intercept_", "n_iter_", "loss_curve_", "learning_rate_",
          "stop_reason_", "validation_scores_")


def fit_quietly(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


def assert_bitwise_equal_models(a, b):
    for name in FITTED:
        left, right = getattr(a, name), getattr(b, name)
        if isinstance(left, np.ndarray) or isinstance(right, np.ndarray):
            assert_array_equal(left, right, strict=True, err_msg=name)
        else:
            assert left == right, name


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(KINDS), n=st.integers(12, 40), p=st.integers(1, 5),
       seed=seeds, params=configurations())
def test_fitting_twice_and_a_clone_give_the_same_model(kind, n, p, seed, params):
    X, y = make_data(kind, n, p, seed)
    weights = np.random.default_rng(seed).uniform(0.5, 2.0, n)
    estimator = make_estimator(kind, **params)
    first = fit_quietly(estimator, X, y, sample_weight=weights)
    saved = {name: getattr(first, name) for name in FITTED}
    again = fit_quietly(estimator, X, y, sample_weight=weights)
    assert again is estimator
    for name, value in saved.items():
        if isinstance(value, np.ndarray):
            assert_array_equal(getattr(again, name), value, strict=True, err_msg=name)
        else:
            assert getattr(again, name) == value, name
    cloned = fit_quietly(clone(estimator), X, y, sample_weight=weights)
    assert_bitwise_equal_models(cloned, estimator)


def prediction_methods(model):
    methods = ["predict", "decision_function", "predict_proba", "predict_log_proba"]
    return [m for m in methods if hasattr(model, m)]


def assert_predicts_the_same(model, loaded, X, y):
    assert type(loaded) is type(model)
    for method in prediction_methods(model):
        assert_array_equal(getattr(loaded, method)(X), getattr(model, method)(X),
                           strict=True, err_msg=method)
    assert loaded.score(X, y) == model.score(X, y)
    assert_bitwise_equal_models(loaded, model)
    assert loaded.get_params() == model.get_params()


@settings(max_examples=25, deadline=None)
@given(kind=st.sampled_from(KINDS), n=st.integers(12, 40), p=st.integers(1, 5),
       seed=seeds, params=configurations())
def test_pickle_and_joblib_round_trips_predict_the_same(kind, n, p, seed, params):
    X, y = make_data(kind, n, p, seed)
    model = fit_quietly(make_estimator(kind, **params), X, y)
    X_new = np.random.default_rng(seed + 1).standard_normal((7, p)) * 3.0

    assert_predicts_the_same(model, pickle.loads(pickle.dumps(model)), X, y)

    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    assert_predicts_the_same(model, joblib.load(buffer), X_new, model.predict(X_new))

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.joblib"
        joblib.dump(model, path, compress=3)
        assert_predicts_the_same(model, joblib.load(path), X, y)
