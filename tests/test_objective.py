import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from finite_differences import central_differences
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit, softmax
from sklearn.metrics import log_loss

from sklearn_gd._linear.lipschitz import gram_spectral_norm
from sklearn_gd._linear.losses import (
    BinaryLogLoss,
    HalfSquaredError,
    MultinomialLogLoss,
)
from sklearn_gd._linear.objective import LinearModelObjective

LOSSES = ["squared", "binary", "multinomial"]


def make_objective(loss_name, *, n=12, p=3, alpha=0.0, fit_intercept=True,
                   sparse=False, weighted=True, dtype=np.float64, seed=0,
                   n_targets=2, n_classes=3, weights=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if sparse:
        X[rng.random((n, p)) < 0.4] = 0.0
        X = sp.csr_matrix(X)
    X = X.astype(dtype)
    if weights is None:
        weights = rng.uniform(0.1, 3.0, n) if weighted else np.ones(n)
    weights = np.asarray(weights, dtype=dtype)
    if loss_name == "squared":
        loss, n_outputs = HalfSquaredError(), n_targets
        Y = rng.standard_normal((n, n_targets)).astype(dtype)
    elif loss_name == "binary":
        loss, n_outputs = BinaryLogLoss(), 1
        Y = rng.integers(0, 2, (n, 1)).astype(dtype)
    else:
        loss, n_outputs = MultinomialLogLoss(), n_classes
        Y = rng.integers(0, n_classes, (n, 1))
    return LinearModelObjective(X, Y, weights, loss, alpha=alpha,
                                fit_intercept=fit_intercept, n_outputs=n_outputs)


def random_theta(objective, seed=1, scale=0.7):
    shape = objective.initial_params().shape
    theta = np.random.default_rng(seed).standard_normal(shape) * scale
    return theta.astype(objective.X.dtype)


def assert_gradient_matches_finite_differences(objective, theta):
    value, grad = objective.value_and_grad(theta)
    fd = central_differences(lambda t: objective.value_and_grad(t)[0], theta)
    assert grad.shape == theta.shape
    scale = max(1.0, np.max(np.abs(fd)))
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-6 * scale)


def numerical_hessian(objective, theta, h=1e-5):
    flat = theta.ravel()
    H = np.empty((flat.size, flat.size))
    for j in range(flat.size):
        up, down = flat.copy(), flat.copy()
        up[j] += h
        down[j] -= h
        g_up = objective.value_and_grad(up.reshape(theta.shape))[1].ravel()
        g_down = objective.value_and_grad(down.reshape(theta.shape))[1].ravel()
        H[:, j] = (g_up - g_down) / (2 * h)
    return 0.5 * (H + H.T)


def dense(X):
    return X.toarray() if sp.issparse(X) else X


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("loss_name", LOSSES)
def test_gradient_matches_finite_differences(loss_name, fit_intercept, weighted,
                                             alpha, sparse):
    objective = make_objective(loss_name, alpha=alpha, fit_intercept=fit_intercept,
                               weighted=weighted, sparse=sparse)
    assert_gradient_matches_finite_differences(objective, random_theta(objective))


@pytest.mark.parametrize("loss_name", LOSSES)
def test_gradient_at_zero_matches_finite_differences(loss_name):
    objective = make_objective(loss_name, alpha=0.5)
    assert_gradient_matches_finite_differences(objective, objective.initial_params())


@settings(max_examples=25, deadline=None)
@given(
    loss_name=st.sampled_from(LOSSES),
    n=st.integers(1, 8),
    p=st.integers(1, 4),
    n_outputs=st.integers(2, 4),
    alpha=st.floats(0.0, 5.0),
    fit_intercept=st.booleans(),
    sparse=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
    data=st.data(),
)
def test_gradient_property(loss_name, n, p, n_outputs, alpha, fit_intercept, sparse,
                           seed, data):
    weights = data.draw(st.lists(st.floats(0.01, 100.0), min_size=n, max_size=n))
    objective = make_objective(
        loss_name, n=n, p=p, alpha=alpha, fit_intercept=fit_intercept, sparse=sparse,
        seed=seed, weights=weights, n_targets=n_outputs, n_classes=n_outputs,
    )
    assert_gradient_matches_finite_differences(objective, random_theta(objective, seed))


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_squared_value_matches_formula(alpha, fit_intercept, sparse):
    s = np.random.default_rng(5).uniform(0.1, 3.0, 12)
    objective = make_objective("squared", alpha=alpha, fit_intercept=fit_intercept,
                               sparse=sparse, weights=s)
    theta = random_theta(objective)
    X, Y = dense(objective.X), objective.Y
    p = X.shape[1]
    W = theta[:p]
    b = theta[p] if fit_intercept else 0.0
    R = Y - X @ W - b
    expected = (np.sum(s * np.sum(R**2, axis=1)) / (2 * s.sum())
                + alpha / 2 * np.sum(W**2))
    value, _ = objective.value_and_grad(theta)
    assert isinstance(value, float)
    assert value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("loss_name", ["binary", "multinomial"])
def test_log_loss_value_matches_sklearn(loss_name, alpha, fit_intercept, sparse):
    weights = np.random.default_rng(5).uniform(0.1, 3.0, 12)
    objective = make_objective(loss_name, alpha=alpha, fit_intercept=fit_intercept,
                               sparse=sparse, weights=weights)
    theta = random_theta(objective)
    X, p = dense(objective.X), objective.X.shape[1]
    W = theta[:p]
    Z = X @ W + (theta[p] if fit_intercept else 0.0)
    y = objective.Y[:, 0]
    if loss_name == "binary":
        proba, labels = expit(Z[:, 0]), [0, 1]
    else:
        proba, labels = softmax(Z, axis=1), list(range(Z.shape[1]))
    expected = (log_loss(y, proba, sample_weight=weights, labels=labels)
                + alpha / 2 * np.sum(W**2))
    value, _ = objective.value_and_grad(theta)
    assert value == pytest.approx(expected, rel=1e-10)


def test_intercept_is_not_penalized():
    objective = make_objective("squared", alpha=10.0, fit_intercept=True)
    theta = np.zeros_like(objective.initial_params())
    theta[-1] = 5.0  # only the intercept row
    unpenalized = make_objective("squared", alpha=0.0, fit_intercept=True)
    v, g = objective.value_and_grad(theta)
    v0, g0 = unpenalized.value_and_grad(theta)
    assert v == v0
    np.testing.assert_array_equal(g, g0)


def test_sample_weight_is_a_repeated_row():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((5, 2)), rng.integers(0, 3, (5, 1))
    weighted = LinearModelObjective(X, y, np.array([1.0, 2.0, 1.0, 3.0, 1.0]),
                                    MultinomialLogLoss(), alpha=0.1,
                                    fit_intercept=True, n_outputs=3)
    rows = [0, 1, 1, 2, 3, 3, 3, 4]
    repeated = LinearModelObjective(X[rows], y[rows], np.ones(8), MultinomialLogLoss(),
                                    alpha=0.1, fit_intercept=True, n_outputs=3)
    theta = rng.standard_normal((3, 3))
    v1, g1 = weighted.value_and_grad(theta)
    v2, g2 = repeated.value_and_grad(theta)
    assert v1 == pytest.approx(v2, rel=1e-12)
    np.testing.assert_allclose(g1, g2, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("logit", [1e4, -1e4])
def test_binary_log_loss_is_stable_for_extreme_logits(logit):
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    objective = LinearModelObjective(X, Y, np.ones(4), BinaryLogLoss(), alpha=0.0,
                                     fit_intercept=True, n_outputs=1)
    theta = np.array([[logit], [0.0]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise",
                                                divide="raise"):
        warnings.simplefilter("error")
        value, grad = objective.value_and_grad(theta)
        losses, dZ = BinaryLogLoss().loss_gradient(Y, X @ theta[:1])
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    # Half the samples sit at a logit of 1e4 on the wrong side: loss 1e4 each.
    assert value == pytest.approx(0.5 * 1e4, rel=1e-12)
    np.testing.assert_allclose(np.sort(losses), [0, 0, 1e4, 1e4], atol=1e-12)
    assert np.all(np.isin(dZ, [-1.0, 0.0, 1.0]))


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_multinomial_log_loss_is_stable_for_extreme_logits(sign):
    Z = sign * np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0], [0.0, 1e4, 1e4]])
    Y = np.array([[0], [1], [2]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise",
                                                divide="raise"):
        warnings.simplefilter("error")
        losses, dZ = MultinomialLogLoss().loss_gradient(Y, Z)
        objective = LinearModelObjective(np.eye(3), Y, np.ones(3),
                                         MultinomialLogLoss(), alpha=0.0,
                                         fit_intercept=False, n_outputs=3)
        value, grad = objective.value_and_grad(Z.copy())
    assert np.all(np.isfinite(losses)) and np.all(np.isfinite(dZ))
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    expected = np.log(np.sum(np.exp(Z - Z.max(axis=1, keepdims=True)), axis=1)) \
        + Z.max(axis=1) - Z[np.arange(3), Y[:, 0]]
    np.testing.assert_allclose(losses, expected, rtol=1e-12)
    np.testing.assert_allclose(dZ.sum(axis=1), 0, atol=1e-12)
    assert value == pytest.approx(expected.mean(), rel=1e-12)


def exact_gram_norm(X, weights, fit_intercept):
    A = dense(X)
    if fit_intercept:
        A = np.hstack([A, np.ones((A.shape[0], 1))])
    return np.linalg.eigvalsh(A.T @ (weights[:, None] * A))[-1]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_gram_spectral_norm_matches_eigvalsh(sparse, fit_intercept, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((40, 6)) * rng.uniform(0.1, 5.0, 6) + rng.normal(0, 2, 6)
    if sparse:
        X[rng.random(X.shape) < 0.5] = 0.0
        X = sp.csr_matrix(X)
    w = rng.uniform(0.0, 2.0, 40)
    w /= w.sum()
    estimate = gram_spectral_norm(X, w, fit_intercept)
    assert estimate == pytest.approx(exact_gram_norm(X, w, fit_intercept), rel=1e-3)


def test_gram_spectral_norm_of_zero_matrix_is_zero():
    assert gram_spectral_norm(np.zeros((5, 3)), np.full(5, 0.2), False) == 0.0


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_lipschitz_of_squared_loss_is_the_hessian_norm(fit_intercept, alpha, sparse):
    objective = make_objective("squared", n=30, p=4, alpha=alpha,
                               fit_intercept=fit_intercept, sparse=sparse)
    H = numerical_hessian(objective, random_theta(objective))
    top = np.linalg.eigvalsh(H)[-1]
    L = objective.lipschitz()
    assert L >= (1 - 1e-3) * top
    if alpha == 0 or not fit_intercept:
        # Without an unpenalized intercept the bound is the exact top eigenvalue.
        assert L == pytest.approx(top, rel=1e-3)


@pytest.mark.parametrize("theta_kind", ["zero", "random"])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("loss_name", ["binary", "multinomial"])
def test_lipschitz_of_log_losses_bounds_the_hessian(loss_name, alpha, theta_kind):
    objective = make_objective(loss_name, n=30, p=4, alpha=alpha)
    theta = (objective.initial_params() if theta_kind == "zero"
             else random_theta(objective, scale=2.0))
    top = np.linalg.eigvalsh(numerical_hessian(objective, theta))[-1]
    assert objective.lipschitz() >= (1 - 1e-3) * top


def test_binary_lipschitz_is_tight_at_zero():
    # sigma'(0) = 1/4 is the largest curvature of the logistic loss.
    objective = make_objective("binary", n=30, p=4, fit_intercept=False)
    top = np.linalg.eigvalsh(numerical_hessian(objective, objective.initial_params()))
    assert objective.lipschitz() == pytest.approx(top[-1], rel=1e-3)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("loss_name", LOSSES)
def test_float32_stays_float32(loss_name, sparse):
    objective32 = make_objective(loss_name, dtype=np.float32, sparse=sparse)
    objective64 = make_objective(loss_name, dtype=np.float64, sparse=sparse)
    theta = random_theta(objective64)
    assert objective32.initial_params().dtype == np.float32
    value32, grad32 = objective32.value_and_grad(theta.astype(np.float32))
    value64, grad64 = objective64.value_and_grad(theta)
    assert grad32.dtype == np.float32
    assert value32 == pytest.approx(value64, rel=1e-5)
    np.testing.assert_allclose(grad32, grad64, rtol=1e-4, atol=1e-5)
    # The losses' own gradients with respect to Z do not promote either.
    Z = (objective32.X @ theta[: objective32.X.shape[1]].astype(np.float32))
    _, dZ = objective32.loss.loss_gradient(objective32.Y, Z)
    assert dZ.dtype == np.float32


@pytest.mark.parametrize("loss_name", LOSSES)
@pytest.mark.parametrize("sparse", [False, True])
def test_value_alone_is_value_and_grads_value(loss_name, sparse):
    # At zero coefficients (the start of a fit) value() takes no pass over X:
    # the intercepts alone, and for labels one loss per class.
    objective = make_objective(loss_name, sparse=sparse, alpha=0.3)
    start = objective.initial_params()
    start[-1] = np.linspace(-1.0, 2.0, start.shape[1])
    for theta in (start, random_theta(objective)):
        np.testing.assert_allclose(objective.value(theta), objective.value_and_grad(theta)[0],
                                   rtol=1e-13)
