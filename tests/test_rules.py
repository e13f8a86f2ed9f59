"""The update rules' arithmetic, checked by hand on tiny inputs.

A rule turns gradients into directions: ``init(x) -> state`` and
``update(g, state) -> (d, state)``. The expected directions below are written
out from the formulas, in the same order of operations, so that they compare
exactly.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sklearn_gd import minimize
from sklearn_gd._optim.config import SOLVERS, make_rule
from sklearn_gd._optim.rules import GradientDescent, Momentum, Nesterov, nesterov

G0 = np.array([1.0, -2.0, 0.5])
G1 = np.array([0.5, -1.5, 2.0])  # along G0 enough that Nesterov does not restart
G2 = np.array([0.25, -1.0, 0.75])


def run_rule(rule, gradients, x=None):
    """Feed ``gradients`` to ``rule``; return the directions."""
    state = rule.init(np.zeros_like(gradients[0]) if x is None else x)
    directions = []
    for g in gradients:
        d, state = rule.update(g, state)
        directions.append(np.array(d, copy=True))
    return directions


# --- Plain gradient descent -------------------------------------------------


def test_gradient_descent_direction_is_the_gradient():
    rule = GradientDescent()
    state = rule.init(np.zeros(3))
    for g in (G0, G1, G2):
        d, state = rule.update(g, state)
        assert_array_equal(d, g)


# --- Heavy-ball momentum ----------------------------------------------------


@pytest.mark.parametrize("mu", [0.9, 0.5, 0.0])
def test_momentum_directions_by_hand(mu):
    d0, d1, d2 = run_rule(Momentum(mu), [G0, G1, G2])
    v1 = mu * np.zeros(3) + G0
    v2 = mu * v1 + G1
    v3 = mu * v2 + G2
    assert_array_equal(d0, v1)
    assert_array_equal(d1, v2)
    assert_array_equal(d2, v3)
    # And in closed form, independent of the order of operations.
    assert_allclose(d2, G2 + mu * G1 + mu**2 * G0, rtol=1e-15)


def test_momentum_zero_is_gradient_descent():
    directions = run_rule(Momentum(0.0), [G0, G1, G2])
    for d, g in zip(directions, [G0, G1, G2]):
        assert_array_equal(d, g)


def test_momentum_initial_velocity_is_zero_of_the_shape_and_dtype_of_x():
    x = np.ones((2, 3), dtype=np.float32)
    state = Momentum(0.9).init(x)
    assert state.shape == (2, 3)
    assert state.dtype == np.float32
    assert not state.any()


def test_momentum_keeps_a_fraction_of_the_last_direction_even_when_the_gradient_reverses():
    # The heavy ball never restarts: it carries mu * v through a reversal.
    d0, d1 = run_rule(Momentum(0.5), [G0, -G0])
    assert_array_equal(d0, G0)
    assert_allclose(d1, -0.5 * G0, rtol=1e-15)


# --- Nesterov, full batch (schedule mu_k = k / (k + 3), with restart) --------


def mu(k):
    return k / (k + 3)


def test_nesterov_schedule_values():
    # From v = 0 at count k, d = g + mu_{k+1} g: the schedule shows in d.
    g = np.ones(1)
    directions = [nesterov(g, (np.zeros(1), k), (np.nan,))[0][0] for k in range(3)]
    assert directions == [1 + 0.25, 1 + 0.4, 1 + 0.5]


def test_nesterov_full_batch_directions_by_hand():
    d0, d1, d2 = run_rule(Nesterov(), [G0, G1, G2])
    assert np.vdot(G1, d0) > 0 and np.vdot(G2, d1) > 0  # no restart on the way
    v = mu(0) * np.zeros(3) + G0
    assert_array_equal(d0, G0 + mu(1) * v)
    assert_allclose(d0, 1.25 * G0, rtol=1e-15)
    v = mu(1) * v + G1
    assert_array_equal(d1, G1 + mu(2) * v)
    assert_allclose(d1, G1 + 0.4 * (0.25 * G0 + G1), rtol=1e-15)
    v = mu(2) * v + G2
    assert_array_equal(d2, G2 + mu(3) * v)
    assert_allclose(d2, G2 + 0.5 * (0.4 * (0.25 * G0 + G1) + G2), rtol=1e-15)


def test_nesterov_state_counts_steps_and_remembers_the_direction():
    rule = Nesterov()
    state = rule.init(np.zeros(3))
    velocity, last, k = state
    assert k == 0 and last is None and not velocity.any()
    d0, state = rule.update(G0, state)
    velocity, last, k = state
    assert k == 1
    assert_array_equal(last, d0)
    assert_array_equal(velocity, G0)


def test_nesterov_restarts_when_the_gradient_opposes_the_last_direction():
    g1 = np.array([-1.0, 0.5, 0.0])
    assert np.vdot(g1, 1.25 * G0) < 0
    rule = Nesterov()
    state = rule.init(np.zeros(3))
    d0, state = rule.update(G0, state)
    d1, state = rule.update(g1, state)
    # Velocity back to zero and k back to 0: the first step's direction again.
    assert_array_equal(d1, g1 + 0.25 * (0.0 * np.zeros(3) + g1))
    assert_allclose(d1, 1.25 * g1, rtol=1e-15)
    # Without the restart it would have been g1 + 0.4 (0.25 g0 + g1).
    assert not np.allclose(d1, g1 + 0.4 * (0.25 * G0 + g1))
    velocity, last, k = state
    assert k == 1
    assert_array_equal(velocity, g1)
    # The schedule then carries on from k = 1.
    g2 = np.array([-0.5, 0.25, 1.0])
    assert np.vdot(g2, d1) > 0
    d2, _ = rule.update(g2, state)
    assert_allclose(d2, g2 + 0.4 * (0.25 * g1 + g2), rtol=1e-15)


def test_nesterov_does_not_restart_on_an_orthogonal_gradient():
    # The restart test is a strict <: a zero inner product keeps the momentum.
    g0 = np.array([1.0, 0.0])
    g1 = np.array([0.0, 1.0])
    d0, d1 = run_rule(Nesterov(), [g0, g1])
    assert_allclose(d1, g1 + 0.4 * (0.25 * g0 + g1), rtol=1e-15)


def test_nesterov_restart_after_a_long_run_resets_the_schedule():
    # Five gradients in the same direction build k up to 5; a reversal
    # brings the direction back to 1.25 g.
    g = np.array([1.0, 2.0])
    rule = Nesterov()
    state = rule.init(np.zeros(2))
    for _ in range(5):
        d, state = rule.update(g, state)
    assert state[2] == 5
    d, state = rule.update(-g, state)
    assert_allclose(d, -1.25 * g, rtol=1e-15)
    assert state[2] == 1


# --- Nesterov, constant momentum (the mini-batch form, no restart) ----------


def test_nesterov_constant_momentum_directions_by_hand():
    m = 0.5
    d0, d1, d2 = run_rule(Nesterov(momentum=m), [G0, G1, G2])
    v = m * np.zeros(3) + G0
    assert_array_equal(d0, G0 + m * v)
    v = m * v + G1
    assert_array_equal(d1, G1 + m * v)
    v = m * v + G2
    assert_array_equal(d2, G2 + m * v)


def test_nesterov_constant_momentum_never_restarts():
    d0, d1 = run_rule(Nesterov(momentum=0.5), [G0, -G0])
    assert_allclose(d0, 1.5 * G0, rtol=1e-15)
    # v = 0.5 g0 - g0 = -0.5 g0; d = -g0 + 0.5 v = -1.25 g0 (a restart gives -1.5 g0).
    assert_allclose(d1, -1.25 * G0, rtol=1e-15)


# --- No rule touches its input ----------------------------------------------


RULES = [
    pytest.param(GradientDescent, id="gd"),
    pytest.param(lambda: Momentum(0.9), id="momentum"),
    pytest.param(Nesterov, id="nesterov"),
    pytest.param(lambda: Nesterov(momentum=0.5), id="nesterov-constant"),
]


@pytest.mark.parametrize("make", RULES)
def test_rules_never_modify_the_gradient(make):
    rule = make()
    state = rule.init(np.zeros(3))
    for g in (G0, G1, -G1, G2):
        g_in = g.copy()
        d, state = rule.update(g_in, state)
        assert_array_equal(g_in, g)
    # Nor does the state alias it: scribbling on the last gradient afterwards
    # leaves the next direction as it would have been.
    g_in = G0.copy()
    d, state = rule.update(g_in, state)
    expected_next, _ = make_copy_of_state_update(rule, state, G1)
    g_in[:] = 1e6
    d_next, _ = rule.update(G1, state)
    assert_array_equal(d_next, expected_next)


def make_copy_of_state_update(rule, state, g):
    """The rule's next direction from a deep copy of ``state``."""
    if isinstance(state, np.ndarray):
        state = state.copy()
    elif isinstance(state, tuple):
        state = tuple(s.copy() if isinstance(s, np.ndarray) else s for s in state)
    return rule.update(g, state)


@pytest.mark.parametrize("make", RULES)
def test_later_updates_do_not_change_earlier_directions(make):
    rule = make()
    state = rule.init(np.zeros(3))
    d0, state = rule.update(G0, state)
    d0_copy = np.array(d0, copy=True)
    rule.update(G1, state)
    rule.update(G2, state)
    assert_array_equal(d0, d0_copy)


# --- make_rule -----------------------------------------------------------------


def test_solvers_are_the_six_rules():
    assert SOLVERS == ("gd", "momentum", "nesterov", "adam", "adagrad", "rmsprop")


def test_make_rule_builds_the_adaptive_rules_with_their_parameters():
    adam = make_rule("adam", beta_1=0.8, beta_2=0.99, epsilon=1e-6)
    assert (type(adam).__name__, adam.beta_1, adam.beta_2, adam.epsilon) == (
        "Adam", 0.8, 0.99, 1e-6)
    rmsprop = make_rule("rmsprop", beta_2=0.95, epsilon=1e-7)
    assert (type(rmsprop).__name__, rmsprop.rho, rmsprop.epsilon) == ("RMSprop", 0.95, 1e-7)
    assert type(make_rule("adagrad", epsilon=1e-5)).__name__ == "AdaGrad"


def test_make_rule():
    assert isinstance(make_rule("gd", momentum=0.9), GradientDescent)
    rule = make_rule("momentum", momentum=0.3)
    assert isinstance(rule, Momentum) and rule.momentum == 0.3
    # Full batch: Nesterov's schedule, whatever momentum says.
    rule = make_rule("nesterov", momentum=0.3)
    assert isinstance(rule, Nesterov) and rule.momentum is None
    # Noisy gradients: a constant momentum, no restart.
    rule = make_rule("nesterov", momentum=0.3, full_batch=False)
    assert isinstance(rule, Nesterov) and rule.momentum == 0.3


# --- Through minimize: the path is the by-hand iterates ---------------------


def half_norm2(x):
    return 0.5 * float(np.vdot(x, x))


def identity_grad(x):
    return x.copy()


X0 = np.array([1.0, -2.0, 3.0])
ETA = 0.1


def by_hand_path(solver):
    x0 = X0
    g0 = x0
    if solver == "momentum":
        v1 = 0.9 * np.zeros(3) + g0
        x1 = x0 - ETA * v1
        v2 = 0.9 * v1 + x1
        x2 = x1 - ETA * v2
        closed_form = [1.0, 0.9, 0.72]  # x1 = 0.9 x0; x2 = 0.9 x0 - 0.1 * 1.8 x0
    else:
        v1 = 0.0 * np.zeros(3) + g0
        d0 = g0 + 0.25 * v1
        x1 = x0 - ETA * d0
        assert np.vdot(x1, d0) > 0  # no restart
        v2 = 0.25 * v1 + x1
        d1 = x1 + 0.4 * v2
        x2 = x1 - ETA * d1
        closed_form = [1.0, 0.875, 0.7425]  # d0 = 1.25 x0; d1 = 1.325 x0
    return np.stack([x0, x1, x2]), np.array(closed_form)[:, None] * X0


@pytest.mark.parametrize("solver", ["momentum", "nesterov"])
def test_minimize_path_is_the_by_hand_iterates(solver):
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        res = minimize(half_norm2, X0, jac=identity_grad, learning_rate=ETA,
                       max_iter=2, record_path=True, solver=solver, momentum=0.9)
    expected, closed_form = by_hand_path(solver)
    assert res.nit == 2 and res.status == "max_iter"
    assert_array_equal(res.path, expected)
    assert_allclose(res.path, closed_form, rtol=1e-14)
    assert_array_equal(res.x, expected[-1])
    assert_array_equal(res.jac, expected[-1])
    assert_allclose(res.loss_curve, [half_norm2(x) for x in expected], rtol=1e-15)


def test_minimize_momentum_parameter_reaches_the_rule():
    # mu = 0.5: x1 = 0.9 x0, v2 = 0.5 x0 + 0.9 x0 = 1.4 x0, x2 = 0.76 x0.
    with pytest.warns(ConvergenceWarning):
        res = minimize(half_norm2, X0, jac=identity_grad, learning_rate=ETA,
                       max_iter=2, record_path=True, solver="momentum", momentum=0.5)
    assert_allclose(res.path, np.array([1.0, 0.9, 0.76])[:, None] * X0, rtol=1e-14)


def test_minimize_nesterov_ignores_momentum():
    paths = []
    for momentum in (0.0, 0.5, 0.9):
        with pytest.warns(ConvergenceWarning):
            res = minimize(half_norm2, X0, jac=identity_grad, learning_rate=ETA,
                           max_iter=5, record_path=True, solver="nesterov",
                           momentum=momentum)
        paths.append(res.path)
    assert_array_equal(paths[0], paths[1])
    assert_array_equal(paths[0], paths[2])


def test_minimize_nesterov_restarts_on_an_overshoot():
    # f(x) = x^2 / 2 with eta = 1.5 overshoots at once: x1 = x0 - 1.5 * 1.25 x0
    # = -0.875 x0, so <g1, d0> < 0 and the second step restarts:
    # x2 = x1 - 1.5 * 1.25 x1 = 0.765625 x0.
    with pytest.warns(ConvergenceWarning):
        res = minimize(half_norm2, X0, jac=identity_grad, learning_rate=1.5,
                       max_iter=2, record_path=True, solver="nesterov")
    assert_allclose(res.path, np.array([1.0, -0.875, 0.765625])[:, None] * X0,
                    rtol=1e-14)


@pytest.mark.parametrize("solver", SOLVERS)
def test_minimize_keeps_float32_with_every_solver(solver):
    x0 = X0.astype(np.float32)
    res = minimize(half_norm2, x0, jac=identity_grad, learning_rate=0.5,
                   solver=solver, record_path=True)
    assert res.success
    assert res.x.dtype == np.float32
    assert res.path.dtype == np.float32
