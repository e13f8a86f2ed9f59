import math
import warnings

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_gd import DescentResult, minimize


def bowl(w):
    return w**2


def bowl_grad(w):
    return 2 * w


def make_quadratic(n, seed=0):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n, n))
    A = M @ M.T + n * np.eye(n)
    b = rng.standard_normal(n)
    return A, b


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# The bowl f(w) = w^2 from w = 4: each step multiplies w by (1 - 2 eta).


def test_bowl_eta_1_bounces_between_4_and_minus_4_forever():
    with pytest.warns(ConvergenceWarning, match="max_iter=40"):
        res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=1.0, max_iter=40,
                       record_path=True)
    expected = np.where(np.arange(41) % 2 == 0, 4.0, -4.0)
    assert np.array_equal(res.path, expected)
    assert np.array_equal(res.loss_curve, np.full(41, 16.0))
    assert res.nit == 40
    assert res.status == "max_iter"
    assert not res.success


def test_bowl_eta_0_9_bounces_then_settles(no_warnings):
    res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=0.9, record_path=True)
    path = res.path
    assert res.success and res.status == "converged"
    assert path[1] == pytest.approx(-3.2)
    # The sign flips at every step while the size shrinks by 0.8.
    assert np.all(np.sign(path[1:]) == -np.sign(path[:-1]))
    np.testing.assert_allclose(path[1:] / path[:-1], -0.8, rtol=1e-12)
    assert abs(res.x) <= 0.5e-6


def test_bowl_eta_0_05_crawls(no_warnings):
    res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=0.05, tol=1e-3,
                   record_path=True)
    path = res.path
    assert res.success
    assert np.all(path > 0)
    assert np.all(np.diff(path) < 0)
    np.testing.assert_allclose(path[1:] / path[:-1], 0.9, rtol=1e-12)
    # First k with |2 * 4 * 0.9^k| <= 1e-3.
    assert res.nit == math.ceil(math.log(8 / 1e-3) / math.log(1 / 0.9))
    assert res.nit > 30


def test_bowl_eta_0_35_arrives_quickly(no_warnings):
    res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=0.35, tol=1e-6,
                   record_path=True)
    assert res.success
    assert res.nit < 15
    np.testing.assert_allclose(res.path[1:] / res.path[:-1], 0.3, rtol=1e-12)
    assert abs(2 * res.x) <= 1e-6


def test_bowl_eta_1_1_diverges_without_raising_or_warning(no_warnings):
    res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=1.1, max_iter=1000,
                   record_path=True)
    assert not res.success
    assert res.status == "diverged"
    assert "Diverged" in res.message and "too large" in res.message
    assert 0 < res.nit < 1000
    assert res.path.shape == (res.nit + 1,)
    k = np.arange(res.nit + 1)
    np.testing.assert_allclose(res.path, 4 * (-1.2) ** k, rtol=1e-12)
    assert res.x == res.path[-1]
    assert res.loss_curve[-1] > res.loss_curve[0]


def test_overflow_in_user_function_is_divergence_not_runtime_warning(no_warnings):
    res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=1e200)
    assert res.status == "diverged"
    assert res.nit == 1
    assert not np.isfinite(res.fun)


def test_one_step_is_exactly_the_textbook_step():
    A, b = make_quadratic(6)
    b = b.reshape(2, 3)

    def grad(x):
        return (A @ x.ravel()).reshape(2, 3) - b

    def fun(x):
        return 0.5 * x.ravel() @ A @ x.ravel() - np.vdot(b, x)

    x0 = np.arange(6.0).reshape(2, 3)
    eta = 0.013
    with pytest.warns(ConvergenceWarning):
        res = minimize(fun, x0, jac=grad, learning_rate=eta, max_iter=1,
                       record_path=True)
    expected = x0 - eta * grad(x0)
    assert res.nit == 1
    assert np.array_equal(res.x, expected)
    assert np.array_equal(res.path[1], expected)
    assert np.array_equal(res.jac, grad(expected))


@pytest.mark.parametrize("learning_rate", [0.01, "auto", "line_search"])
def test_jac_true_matches_separate_jac(learning_rate, no_warnings):
    A, b = make_quadratic(4)

    def fun(x):
        return 0.5 * x @ A @ x - b @ x

    def grad(x):
        return A @ x - b

    x0 = np.ones(4)
    separate = minimize(fun, x0, jac=grad, learning_rate=learning_rate,
                        max_iter=5000, record_path=True)
    joint = minimize(lambda x: (fun(x), grad(x)), x0, jac=True,
                     learning_rate=learning_rate, max_iter=5000, record_path=True)
    assert separate.success
    assert joint.nit == separate.nit
    assert joint.status == separate.status
    assert np.array_equal(joint.x, separate.x)
    assert np.array_equal(joint.loss_curve, separate.loss_curve)
    assert np.array_equal(joint.path, separate.path)


@pytest.mark.parametrize("learning_rate", [0.05, "auto", "line_search"])
def test_loss_curve_and_path_agree(learning_rate, no_warnings):
    A, b = make_quadratic(3, seed=1)

    def fun(x):
        return 0.5 * x @ A @ x - b @ x

    x0 = np.array([1.0, -2.0, 3.0])
    res = minimize(fun, x0, jac=lambda x: A @ x - b, learning_rate=learning_rate,
                   record_path=True)
    assert isinstance(res, DescentResult)
    assert res.success
    assert len(res.loss_curve) == res.nit + 1
    assert res.path.shape == (res.nit + 1, 3)
    assert np.array_equal(res.path[0], x0)
    assert np.array_equal(res.path[-1], res.x)
    # Exactly: a line search must not record its rejected trial points.
    assert all(res.loss_curve[k] == fun(res.path[k]) for k in range(res.nit + 1))
    assert res.loss_curve[-1] == res.fun


def test_path_is_none_without_record_path(no_warnings):
    res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=0.35)
    assert res.path is None
    assert len(res.loss_curve) == res.nit + 1
    assert res.loss_curve[0] == 16.0


@pytest.mark.parametrize("x0", [4.0, [1.0, -2.0, 3.0], [[1.0, 2.0], [3.0, -4.0]]],
                         ids=["scalar", "1d", "2d"])
def test_x0_shape_is_kept(x0, no_warnings):
    shape = np.shape(x0)
    seen = []

    def fun(x):
        seen.append(np.shape(x))
        return np.sum(x**2)

    res = minimize(fun, x0, jac=lambda x: 2 * x, learning_rate=0.35,
                   record_path=True)
    assert res.success
    assert np.shape(res.x) == shape
    assert np.shape(res.jac) == shape
    assert res.path.shape == (res.nit + 1, *shape)
    assert set(seen) == {shape}


def test_int_x0_becomes_float64(no_warnings):
    res = minimize(bowl, 4, jac=bowl_grad, learning_rate=0.35, record_path=True)
    assert res.x.dtype == np.float64
    assert res.path.dtype == np.float64
    assert res.path[1] == pytest.approx(1.2)

    res = minimize(lambda x: np.sum(x**2), np.array([3, -1]), jac=lambda x: 2 * x,
                   learning_rate=0.25, max_iter=1, tol=10)
    assert res.x.dtype == np.float64


def test_float32_x0_stays_float32(no_warnings):
    x0 = np.array([1.0, -2.0], dtype=np.float32)
    # A gradient returned in float64 is still brought back to x0's dtype.
    res = minimize(lambda x: float(np.sum(x.astype(np.float64) ** 2)), x0,
                   jac=lambda x: 2 * x.astype(np.float64), learning_rate=0.35,
                   tol=1e-4, record_path=True)
    assert res.success
    assert res.x.dtype == np.float32
    assert res.jac.dtype == np.float32
    assert res.path.dtype == np.float32

    res = minimize(bowl, np.float32(4.0), jac=bowl_grad, learning_rate="line_search",
                   tol=1e-4)
    assert res.x.dtype == np.float32


def test_x0_is_not_modified(no_warnings):
    x0 = np.array([1.0, 2.0])
    minimize(lambda x: np.sum(x**2), x0, jac=lambda x: 2 * x, learning_rate=0.1)
    assert np.array_equal(x0, [1.0, 2.0])


def test_lipschitz_with_lipschitz_uses_one_over_l(no_warnings):
    A = np.diag([1.0, 3.0, 7.0])
    L = 7.0
    res = minimize(lambda x: 0.5 * x @ A @ x, np.ones(3), jac=lambda x: A @ x,
                   learning_rate="lipschitz", lipschitz=L, record_path=True)
    assert res.learning_rate == 1.0 / L
    assert np.array_equal(res.path[1], np.ones(3) - (1.0 / L) * (A @ np.ones(3)))
    assert res.success


def test_lipschitz_without_lipschitz_converges_on_ill_scaled_quadratic(no_warnings):
    A = np.diag([1.0, 100.0])
    res = minimize(lambda x: 0.5 * x @ A @ x, np.array([1.0, 1.0]),
                   jac=lambda x: A @ x, learning_rate="lipschitz", max_iter=5000)
    assert res.success and res.status == "converged"
    # The backtracking step settles between 1/(2L) and 1/L, L = 100.
    assert 1 / 200 <= res.learning_rate <= 1 / 100
    assert np.all(np.diff(res.loss_curve) <= 0)
    np.testing.assert_allclose(res.x, 0, atol=1e-6)


@pytest.mark.parametrize("lipschitz", [None, 7.0])
def test_auto_is_bb_for_plain_descent(lipschitz, no_warnings):
    # "auto" for solver="gd" is the Barzilai-Borwein step, from 1/L when L is
    # known and from 1 otherwise: the same descent as "bb", step for step.
    A = np.diag([1.0, 3.0, 7.0])
    runs = [minimize(lambda x: 0.5 * x @ A @ x, np.ones(3), jac=lambda x: A @ x,
                     learning_rate=lr, lipschitz=lipschitz, record_path=True)
            for lr in ("auto", "bb")]
    assert runs[0].success
    np.testing.assert_array_equal(runs[0].path, runs[1].path)
    assert runs[0].learning_rate == runs[1].learning_rate


def test_auto_without_lipschitz_beats_the_constant_step(no_warnings):
    # The ill-scaled quadratic of the "lipschitz" test above: BB's steps
    # follow the curvature of both axes instead of settling near 1/L.
    A = np.diag([1.0, 100.0])
    runs = {lr: minimize(lambda x: 0.5 * x @ A @ x, np.array([1.0, 1.0]),
                         jac=lambda x: A @ x, learning_rate=lr, max_iter=5000)
            for lr in ("auto", "lipschitz")}
    assert runs["auto"].status == "converged"
    np.testing.assert_allclose(runs["auto"].x, 0, atol=1e-6)
    assert runs["auto"].nit * 10 < runs["lipschitz"].nit


def test_auto_is_safe_on_rosenbrock(no_warnings):
    # A user's non-quadratic function, no Lipschitz constant: the default's
    # first trial step of 1 lands where f is ~2e11 (from 24.2), and its
    # non-monotone line search never lets the objective climb above its start.
    res = minimize(rosen, np.array([-1.2, 1.0]), jac=rosen_der, tol=1e-5,
                   max_iter=2000)
    assert res.success
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-4)
    assert np.max(res.loss_curve) <= res.loss_curve[0]
    # Where plain backtracking needs ~8,500 steps (next test).
    assert res.nit < 1000


@pytest.mark.parametrize("solver", ["momentum", "nesterov", "adam"])
def test_auto_is_lipschitz_for_the_other_solvers(solver, no_warnings):
    A, b = make_quadratic(3)
    L = float(np.linalg.eigvalsh(A).max())
    runs = [minimize(lambda x: 0.5 * x @ A @ x - b @ x, np.zeros(3),
                     jac=lambda x: A @ x - b, solver=solver, learning_rate=lr,
                     lipschitz=L, record_path=True, max_iter=5000)
            for lr in ("auto", "lipschitz")]
    np.testing.assert_array_equal(runs[0].path, runs[1].path)


def test_auto_is_lipschitz_on_another_schedule(no_warnings):
    A = np.diag([1.0, 3.0, 7.0])
    res = minimize(lambda x: 0.5 * x @ A @ x, np.ones(3), jac=lambda x: A @ x,
                   lipschitz=7.0, schedule="invscaling", power_t=0.0,
                   record_path=True)
    assert res.learning_rate == 1.0 / 7.0
    assert np.array_equal(res.path[1], np.ones(3) - (A @ np.ones(3)) / 7.0)


def test_line_search_solves_rosenbrock(no_warnings):
    # Plain gradient descent needs ~8,500 steps along Rosenbrock's valley.
    res = minimize(rosen, np.array([-1.2, 1.0]), jac=rosen_der,
                   learning_rate="line_search", tol=1e-5, max_iter=20_000)
    assert res.success
    assert res.nit < 20_000
    assert np.max(np.abs(rosen_der(res.x))) <= 1e-5
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-4)
    assert np.all(np.diff(res.loss_curve) <= 1e-12)


def test_matches_closed_form_of_strongly_convex_quadratic(no_warnings):
    A, b = make_quadratic(8, seed=3)
    res = minimize(lambda x: 0.5 * x @ A @ x - b @ x, np.zeros(8),
                   jac=lambda x: A @ x - b, lipschitz=np.linalg.eigvalsh(A)[-1],
                   tol=1e-11, max_iter=10_000)
    x_star = np.linalg.solve(A, b)
    assert res.success
    np.testing.assert_allclose(res.x, x_star, rtol=0, atol=1e-8)
    assert res.fun == pytest.approx(-0.5 * b @ x_star, rel=1e-12)


def test_callback_called_once_per_iteration(no_warnings):
    infos = []

    def callback(info):
        infos.append((info.x.copy(), info.fun, info.nit, info.learning_rate))

    res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=0.35, callback=callback,
                   record_path=True)
    assert res.success
    assert len(infos) == res.nit
    assert [nit for _, _, nit, _ in infos] == list(range(1, res.nit + 1))
    for k, (x, fun, _, eta) in enumerate(infos, start=1):
        assert x == res.path[k]
        assert fun == res.loss_curve[k] == bowl(x)
        assert eta == 0.35


def test_callback_returning_true_stops(no_warnings):
    res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=0.05,
                   callback=lambda info: info.nit == 3, record_path=True)
    assert res.status == "callback"
    assert not res.success
    assert res.nit == 3
    assert res.x == pytest.approx(4.0 * 0.9**3)
    assert "callback" in res.message
    assert res.path.shape == (4,)


def test_callback_raising_stop_iteration_stops(no_warnings):
    def callback(info):
        if info.nit == 2:
            raise StopIteration

    res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=0.05, callback=callback)
    assert res.status == "callback"
    assert not res.success
    assert res.nit == 2


def test_callback_returning_false_or_none_continues(no_warnings):
    res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=0.35,
                   callback=lambda info: False)
    assert res.status == "converged"


def test_status_converged(no_warnings):
    res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=0.35)
    assert res.success is True
    assert res.status == "converged"
    assert "Converged after 14 iterations" in res.message


def test_status_max_iter_warns():
    with pytest.warns(ConvergenceWarning, match="max_iter=3") as record:
        res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=0.05, max_iter=3)
    assert res.success is False
    assert res.status == "max_iter"
    assert res.nit == 3
    assert "max_iter=3" in res.message
    # The warning points at the caller of minimize, not into the package.
    assert record[0].filename == __file__


def test_max_iter_zero_takes_no_step():
    with pytest.warns(ConvergenceWarning):
        res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=0.35, max_iter=0,
                       record_path=True)
    assert res.nit == 0
    assert res.x == 4.0
    assert res.status == "max_iter"
    assert np.array_equal(res.loss_curve, [16.0])


def test_already_optimal_start_converges_at_once(no_warnings):
    res = minimize(bowl, 0.0, jac=bowl_grad, learning_rate=0.35, tol=0)
    assert res.success and res.nit == 0


@pytest.mark.parametrize("fun", [
    lambda w: np.log(w),
    lambda w: np.inf,
    lambda w: np.nan,
], ids=["log_negative", "inf", "nan"])
def test_non_finite_start_is_diverged_at_nit_0(fun, no_warnings):
    res = minimize(fun, -1.0, jac=lambda w: 1.0, learning_rate=0.1)
    assert res.success is False
    assert res.status == "diverged"
    assert res.nit == 0
    assert res.x == -1.0
    assert "starting point" in res.message


def test_non_finite_gradient_at_start_is_diverged(no_warnings):
    res = minimize(lambda x: 1.0, np.zeros(2), jac=lambda x: np.array([0.0, np.nan]))
    assert res.status == "diverged"
    assert res.nit == 0


def test_inconsistent_gradient_never_reports_success():
    # The "gradient" points uphill: no step can honestly be called progress.
    with pytest.warns(ConvergenceWarning):
        res = minimize(bowl, 4.0, jac=lambda w: -1e6 * w, learning_rate="line_search",
                       max_iter=50)
    assert res.status in ("line_search_failed", "max_iter")
    assert not res.success
    assert abs(res.x) >= 4.0 - 1e-9


@pytest.mark.parametrize("params", [
    {"learning_rate": 0},
    {"learning_rate": -1},
    {"learning_rate": "fast"},
    {"max_iter": -1},
    {"max_iter": 1.5},
    {"tol": -1},
    {"jac": "yes"},
    {"lipschitz": 0},
    {"callback": "print"},
    {"record_path": "yes"},
], ids=repr)
def test_invalid_parameters_raise(params):
    kwargs = {"jac": bowl_grad, **params}
    with pytest.raises(InvalidParameterError):
        minimize(bowl, 4.0, **kwargs)


def test_jac_false_raises_asking_for_the_gradient():
    with pytest.raises(ValueError, match="gradient"):
        minimize(bowl, 4.0, jac=False)


def test_jac_of_wrong_shape_raises_naming_the_shapes():
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        minimize(lambda x: np.sum(x**2), np.zeros(2), jac=lambda x: np.zeros(3))


def test_fun_returning_a_vector_raises():
    with pytest.raises(ValueError, match="scalar"):
        minimize(lambda x: x**2, np.ones(3), jac=lambda x: 2 * x)


def test_callback_returning_numpy_true_stops(no_warnings):
    res = minimize(
        lambda w: w**2, 4.0, jac=lambda w: 2 * w, learning_rate=0.35,
        callback=lambda info: np.bool_(info.nit >= 3),
    )
    assert res.status == "callback"
    assert res.nit == 3


def test_objective_starting_at_zero_is_not_called_diverged_on_a_small_rise(no_warnings):
    # f(x0) = 0 leaves no scale of its own; a first step that rises a little
    # on this non-convex function is not a blow-up.
    shift = 0.5 * 3.2**2 + 2 * np.cos(-9.6)
    res = minimize(
        lambda w: 0.5 * w**2 + 2 * np.cos(3 * w) - shift, -3.2,
        jac=lambda w: w - 6 * np.sin(3 * w), learning_rate=0.12, max_iter=10_000,
    )
    assert res.loss_curve[0] == pytest.approx(0, abs=1e-12)
    assert res.status == "converged"


def test_jac_true_returning_a_bare_value_raises():
    with pytest.raises(ValueError, match="pair"):
        minimize(lambda w: w**2, 4.0, jac=True)


# --- an L1 term: proximal gradient (ISTA), FISTA --------------------------------

L1_TARGET = np.array([3.0, -0.5, 0.2, -2.0])


def soft_threshold(a, lam):
    return np.sign(a) * np.maximum(np.abs(a) - lam, 0)


@pytest.mark.parametrize("solver, learning_rate", [
    ("gd", "auto"), ("gd", 0.3), ("gd", "line_search"), ("gd", "bb"),
    ("nesterov", 0.3), ("momentum", 0.3),
])
def test_minimize_with_l1_reaches_the_soft_threshold(solver, learning_rate, no_warnings):
    # min 1/2 ||x - a||^2 + lam ||x||_1 is solved by soft-thresholding a.
    res = minimize(lambda x: 0.5 * np.sum((x - L1_TARGET) ** 2), np.zeros(4),
                   jac=lambda x: x - L1_TARGET, l1=1.0, solver=solver,
                   learning_rate=learning_rate, tol=1e-10, max_iter=10_000)
    expected = soft_threshold(L1_TARGET, 1.0)
    assert res.success
    np.testing.assert_allclose(res.x, expected, atol=1e-9)
    assert np.array_equal(res.x == 0, expected == 0)  # exact zeros
    assert res.fun == pytest.approx(0.5 * np.sum((expected - L1_TARGET) ** 2)
                                    + np.abs(expected).sum())


def test_minimize_l1_path_is_ista_by_hand():
    A, b = make_quadratic(3)
    eta, lam = 0.01, 0.5
    with pytest.warns(ConvergenceWarning):
        res = minimize(lambda x: 0.5 * x @ A @ x - b @ x, np.ones(3),
                       jac=lambda x: A @ x - b, l1=lam, learning_rate=eta, max_iter=5, tol=0.0, record_path=True)
    assert res.nit == 5
    x = np.ones(3)
    for k in range(5):
        x = soft_threshold(x - eta * (A @ x - b), eta * lam)
        np.testing.assert_allclose(res.path[k + 1], x, rtol=1e-14)


def test_minimize_l1_with_an_adaptive_solver_is_refused():
    with pytest.raises(ValueError, match="adam.*L1"):
        minimize(bowl, 4.0, jac=bowl_grad, l1=1.0, solver="adam", learning_rate=0.1)


def test_minimize_l1_zero_is_the_smooth_descent(no_warnings):
    plain = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=0.1, record_path=True)
    zero = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=0.1, l1=0.0, record_path=True)
    np.testing.assert_array_equal(plain.path, zero.path)


def test_a_first_step_far_too_long_is_called_diverged_at_once(no_warnings):
    # f(4) = 16 and the step of 1e3 lands where f is 4e6 times larger, with a
    # gradient 2e3 times longer: diverged at the first iteration, not later.
    res = minimize(bowl, 4.0, jac=bowl_grad, learning_rate=1e3)
    assert res.status == "diverged"
    assert res.nit == 1
