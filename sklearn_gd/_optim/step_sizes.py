r"""Step sizes: how far each step goes along the descent direction.

A step size holds its configuration and nothing that changes; what changes
along a descent is its state, a dict of numbers and arrays, passed in and
handed back (the shape of the update rules, optax's), so a descent that
stops and resumes (``partial_fit``) continues from a state it keeps, and a
failed step leaves no trace on it.

- ``init() -> state``; ``state["eta"]`` is the step to take next (the last
  one taken, after a step).
- ``step(problem, x, f, g, d, state) -> (eta, x_new, f_new, g_new, state)``:
  a full-batch step, ``x_new = prox(x - eta * d, eta)`` (the problem's
  proximal step, the identity for a smooth problem) with its objective and
  gradient, so that a line search can try several points and hand back the
  one it accepts without evaluating it twice.
- ``next_eta(state) -> (eta, state)`` and ``decay(state) -> (shrunk, state)``:
  the schedules (constant, invscaling, adaptive) also serve the mini-batch
  loop, which takes no line search: it asks for the next step before each
  update, and for a smaller one when the epochs stall. For an epoch run in
  one compiled call, ``schedule(state) -> (eta0, power, k)`` describes the
  next steps (the ``j``-th, ``j >= 1``, is ``eta0 / (k + j) ** power``) and
  ``advance(state, count)`` is the state after ``count`` of them.

``eta`` is the first step, a constant of the configuration.
"""

import numpy as np

from .._reductions import dot, rounded
from .problem import prox_step
from .stopping import count_stalls


class LineSearchFailed(Exception):
    """No step length gave a sufficient decrease (floating-point noise, usually)."""


class ConstantStep:
    r"""A fixed step: :math:`x_{k+1} = \mathrm{prox}_\eta(x_k - \eta\, d_k)`."""

    # Sized for the problem's coordinates when it was made (1/L there).
    searches = False

    def __init__(self, eta):
        self.eta = eta

    def init(self):
        return {"eta": self.eta}

    def next_eta(self, state):
        """The step of the next update, and the state after it."""
        return state["eta"], state

    def schedule(self, state):
        """``(eta0, power, k)``: the ``j``-th next step is ``eta0 / (k + j) ** power``."""
        return state["eta"], 0.0, 0

    def advance(self, state, count):
        """The state after ``count`` updates."""
        return state

    def decay(self, state):
        """Shrink the step after stalled epochs; False when the schedule cannot."""
        return False, state

    def __call__(self, problem, x, f, g, d, state):
        eta, state = self.next_eta(state)
        x_new = prox_step(problem, x, eta, d)
        f_new, g_new = problem.value_and_grad(x_new)
        return eta, x_new, f_new, g_new, state


class Backtracking:
    r"""Armijo backtracking on the objective.

    Each step starts from ``grow`` times the last accepted step and halves it
    until, with :math:`x^+ = \mathrm{prox}_\eta(x - \eta d)` and
    :math:`\delta = x^+ - x`, the sufficient decrease

    .. math:: F(x^+) \le F(x) + \langle g, \delta \rangle
              + \tfrac{1}{2\eta} \|\delta\|^2 + h(x^+) - h(x)

    holds, :math:`F` the objective and :math:`h` its non-smooth part (Beck and
    Teboulle's test for proximal gradient steps). For a smooth objective and
    ``d = g`` it is Armijo's condition with :math:`c = 1/2`,
    :math:`F(x - \eta g) \le F(x) - \tfrac12 \eta \|g\|^2`, the descent
    lemma: it accepts every :math:`\eta \le 1/L`. Near the optimum
    the drop in :math:`f` sinks below the rounding error of computing
    :math:`f` (which cancellation can make far larger than a machine epsilon)
    and that test can no longer tell a good step from a bad one; so a step is
    also accepted, when the drop asked for is itself below that noise, if the
    curvature the step met is within its bound,
    :math:`\langle \nabla f(x^+) - g, \delta \rangle \le \|\delta\|^2 / \eta`,
    and :math:`F` rose by at most :math:`10^{-6} |F(x)|` (Hager and Zhang's
    approximate Armijo condition with their tolerance). For a quadratic
    :math:`f` that curvature test is the sufficient decrease itself, computed
    without cancellation; for a smooth objective and ``d = g`` it reads
    :math:`\langle \nabla f(x^+), g \rangle \ge 0`, a slope at the new point
    that still points downhill.

    With ``grow=1`` the step never lengthens again: that is the safe
    ``"lipschitz"`` step for a function whose Lipschitz constant is unknown
    (it settles at a step of at least ``1/(2L)`` and keeps it).
    """

    # It finds each step itself, from the objective: a change of the
    # problem's coordinates mid-descent needs no step of ours to be redone.
    searches = True
    _shrink = 0.5
    _max_halvings = 60
    _rounding_tolerance = 1e-6

    def __init__(self, eta0=1.0, grow=2.0):
        # A Python float: a numpy float64 (1/L from a float64 scalar) would
        # promote a float32 descent under NEP 50.
        self.eta = float(eta0)
        self.grow = grow

    def init(self):
        return {"eta": self.eta}

    def __call__(self, problem, x, f, g, d, state):
        return self._search(problem, x, f, g, d, state["eta"] * self.grow, reference=f,
                            state=state)

    def _search(self, problem, x, f, g, d, eta, reference, state):
        """Halve ``eta`` from its first try until the step decreases enough.

        The decrease is measured from ``reference``: ``f`` itself, or a
        larger recent value for a non-monotone search. The accepted step
        becomes ``state["eta"]``.
        """
        slack = self._rounding_tolerance * abs(f)
        drop_of = _Drop(problem, x, g, d)
        for _ in range(self._max_halvings):
            if eta < _TINY:  # halved to nothing: no step is left
                break
            x_new = prox_step(problem, x, eta, d)
            f_new, g_new = problem.value_and_grad(x_new)
            drop = drop_of(x_new, eta)
            if f_new <= reference - drop or (
                # The exact test cannot see a drop this far below the noise.
                drop <= slack and f_new <= f + slack
                and dot(g_new - g, x_new - x) <= dot(x_new - x, x_new - x) / eta
            ):
                return eta, x_new, f_new, g_new, {**state, "eta": eta}
            eta *= self._shrink
        raise LineSearchFailed(
            f"the line search found no step with a sufficient decrease "
            f"(last step tried {eta / self._shrink:.3g})"
        )


_TINY = float(np.finfo(np.float64).tiny)


class _Drop:
    r"""The decrease a step of length ``eta`` must bring,
    :math:`-(\langle g, \delta \rangle + \|\delta\|^2 / (2\eta) + h(x^+) - h(x))`.

    Without a non-smooth part :math:`\delta = -\eta d`, so the drop is
    :math:`\eta \langle g, d \rangle - \tfrac12 \eta \|d\|^2` from two
    products taken once for all the lengths a search tries.
    """

    def __init__(self, problem, x, g, d):
        self.problem, self.x, self.g = problem, x, g
        if problem.nonsmooth:
            self.h = problem.nonsmooth_value(x)
        else:
            self.dd = dot(d, d)
            self.gd = self.dd if d is g else dot(g, d)

    def __call__(self, x_new, eta):
        if not self.problem.nonsmooth:
            return eta * self.gd - 0.5 * eta * self.dd
        delta = x_new - self.x
        return -(dot(self.g, delta) + dot(delta, delta) / (2 * eta)
                 + self.problem.nonsmooth_value(x_new) - self.h)


class BarzilaiBorwein(Backtracking):
    r"""Barzilai-Borwein steps, alternated adaptively and safeguarded by a
    non-monotone line search.

    With :math:`s = x_k - x_{k-1}` and :math:`y = g_k - g_{k-1}`, the two
    Barzilai-Borwein steps are the inverses of the curvature the last step
    saw along its way, measured two ways:

    .. math:: \eta^{(1)}_k = \frac{\langle s, s \rangle}{\langle s, y \rangle}
              \;\ge\;
              \eta^{(2)}_k = \frac{\langle s, y \rangle}{\langle y, y \rangle}.

    The long step :math:`\eta^{(1)}` alone zigzags on an ill-conditioned
    problem, and its line search pays for extra passes; the short one alone
    crawls along flat valleys. So the step alternates (Frassoldati, Zanni and
    Zanghirati's ABBmin, with Bonettini, Zanella and Zanni's adaptive
    threshold): when :math:`\eta^{(2)}_k / \eta^{(1)}_k < \tau_k` (the
    gradient is far from an eigenvector of the Hessian) the step is the
    smallest :math:`\eta^{(2)}` of the last 2 and :math:`\tau_{k+1} = 0.9
    \tau_k`, otherwise it is :math:`\eta^{(1)}_k` and :math:`\tau_{k+1} =
    1.1 \tau_k`, from :math:`\tau = 1/2`; the step is rounded to 8
    significant bits (:func:`~sklearn_gd._reductions.rounded`). The first
    step, and any step after :math:`\langle s, y \rangle \le 0`, reuses the
    last accepted one. These steps are often far longer than :math:`1/L`, which is their
    strength, and raise the objective now and then, so they are accepted
    against the largest of the last 10 objectives (Grippo, Lampariello and
    Lucidi's non-monotone Armijo condition, :math:`c = 1/2`) and halved until
    they are: the safeguard that makes BB converge on non-quadratic problems.
    """

    _memory = 10
    _short_memory = 2
    _max_step = 1e10  # where <s, y> is ~0: no curvature seen, no step to trust

    def __init__(self, eta0=1.0):
        super().__init__(eta0=eta0, grow=1.0)

    def init(self):
        # The last point and gradient, the last objectives and short steps
        # (newest last), and the threshold between the two steps.
        return {"eta": self.eta, "last": None, "recent": (), "short": (), "tau": 0.5}

    def __call__(self, problem, x, f, g, d, state):
        eta, state = self._next(x, g, state)
        recent = (*state["recent"][1 - self._memory:], f)
        state = {**state, "last": (x, g), "recent": recent}
        return self._search(problem, x, f, g, d, eta, reference=max(recent), state=state)

    def _next(self, x, g, state):
        """The step to try first, and the state with the new curvature in."""
        if state["last"] is None:
            return state["eta"], state
        s, y = x - state["last"][0], g - state["last"][1]
        sy = dot(s, y)
        if not sy > 0:
            return state["eta"], state
        long, short = dot(s, s) / sy, sy / dot(y, y)
        shorts = (*state["short"][1 - self._short_memory:], short)
        state = {**state, "short": shorts}
        if short < state["tau"] * long:
            eta, state = min(shorts), {**state, "tau": 0.9 * state["tau"]}
        else:
            eta, state = long, {**state, "tau": 1.1 * state["tau"]}
        # Rounded (_reductions.rounded): long steps magnify the rounding of
        # the iterates, so two fits that differ only in the order of a sum
        # would take steps that drift apart; rounded, they take the same ones.
        return rounded(min(eta, self._max_step)), state


class InvScalingStep(ConstantStep):
    r"""A decaying step, :math:`\eta_k = \eta / k^{p}` at step :math:`k \ge 1`."""

    def __init__(self, eta, power_t):
        super().__init__(eta)
        # A Python float: an np.float64 power would make every step float64.
        self.eta0, self.power_t = eta, float(power_t)

    def init(self):
        return {"eta": self.eta, "k": 0}

    def next_eta(self, state):
        state = self.advance(state, 1)
        return state["eta"], state

    def schedule(self, state):
        return self.eta0, self.power_t, state["k"]

    def advance(self, state, count):
        if count == 0:
            return state
        k = state["k"] + count
        return {"eta": self.eta0 / k**self.power_t, "k": k}


class AdaptiveStep(ConstantStep):
    r"""A constant step, divided by 5 whenever progress stalls.

    Progress stalls when ``patience`` steps in a row bring no new best
    objective; the count then starts again, and the best is reset to the
    objective where the descent stands (scikit-learn's ``"adaptive"``,
    measured per step of the full-batch objective). The mini-batch loop
    instead calls :meth:`decay` after ``patience`` stalled epochs.
    """

    _divisor = 5.0
    # The mini-batch loop stops once the step has shrunk this much, as
    # scikit-learn's MLP stops below a step of 1e-6.
    _smallest = 1e-6

    def __init__(self, eta, patience):
        super().__init__(eta)
        self.patience, self.eta0 = patience, eta

    def init(self):
        return {"eta": self.eta, "best": np.inf, "stalls": 0}

    def decay(self, state):
        if state["eta"] / self._divisor < self._smallest * self.eta0:
            return False, state
        return True, {**state, "eta": state["eta"] / self._divisor}

    def __call__(self, problem, x, f, g, d, state):
        best = min(state["best"], f)
        eta, x_new, f_new, g_new, state = super().__call__(problem, x, f, g, d, state)
        # The patience count of the stopping tests, on minus the objective.
        best, stalls, _ = count_stalls(-best, state["stalls"], -f_new, 0.0)
        best, eta_next = -best, state["eta"]
        if stalls >= self.patience:
            # Progress is measured afresh from here: momentum may have
            # carried the iterate above a best it cannot get back to.
            eta_next, stalls, best = eta_next / self._divisor, 0, f_new
        return eta, x_new, f_new, g_new, {"eta": eta_next, "best": best, "stalls": stalls}
