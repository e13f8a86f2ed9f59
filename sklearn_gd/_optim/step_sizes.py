r"""Step sizes: how far each step goes along the descent direction.

A step size is called as ``step(problem, x, f, g, d)`` and returns
``(eta, x_new, f_new, g_new)``, with ``x_new = prox(x - eta * d, eta)`` (the
problem's proximal step, the identity for a smooth problem) and its objective
and gradient, so that a line search can try several points and hand back the
one it accepts without evaluating it twice.

The schedules (constant, invscaling, adaptive) also serve the mini-batch loop,
which takes no line search: it asks ``next_eta()`` before each update and
``decay()`` when the epochs stall.
"""

from collections import deque

import numpy as np

from .rules import ADAPTIVE_SOLVERS


class LineSearchFailed(Exception):
    """No step length gave a sufficient decrease (floating-point noise, usually)."""


class ConstantStep:
    r"""A fixed step: :math:`x_{k+1} = \mathrm{prox}_\eta(x_k - \eta\, d_k)`."""

    def __init__(self, eta):
        self.eta = eta

    def next_eta(self):
        """The step of the next update."""
        return self.eta

    def decay(self):
        """Shrink the step after stalled epochs; False when the schedule cannot."""
        return False

    def __call__(self, problem, x, f, g, d):
        eta = self.next_eta()
        x_new = problem.prox(x - eta * d, eta)
        f_new, g_new = problem.value_and_grad(x_new)
        return eta, x_new, f_new, g_new


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

    _shrink = 0.5
    _max_halvings = 60
    _rounding_tolerance = 1e-6

    def __init__(self, eta0=1.0, grow=2.0):
        # A Python float: a numpy float64 (1/L from a float64 scalar) would
        # promote a float32 descent under NEP 50.
        self.eta = float(eta0)
        self.grow = grow

    def __call__(self, problem, x, f, g, d):
        return self._search(problem, x, f, g, d, self.eta * self.grow, reference=f)

    def _search(self, problem, x, f, g, d, eta, reference):
        """Halve ``eta`` from its first try until the step decreases enough.

        The decrease is measured from ``reference``: ``f`` itself, or a
        larger recent value for a non-monotone search.
        """
        slack = self._rounding_tolerance * abs(f)
        h = problem.nonsmooth_value(x)
        for _ in range(self._max_halvings):
            if eta < np.finfo(np.float64).tiny:  # halved to nothing: no step is left
                break
            x_new = problem.prox(x - eta * d, eta)
            f_new, g_new = problem.value_and_grad(x_new)
            delta = x_new - x
            drop = -(
                float(np.vdot(g, delta)) + float(np.vdot(delta, delta)) / (2 * eta)
                + problem.nonsmooth_value(x_new) - h
            )
            if f_new <= reference - drop or (
                # The exact test cannot see a drop this far below the noise.
                drop <= slack and f_new <= f + slack
                and np.vdot(g_new - g, delta) <= np.vdot(delta, delta) / eta
            ):
                self.eta = eta
                return eta, x_new, f_new, g_new
            eta *= self._shrink
        raise LineSearchFailed(
            f"the line search found no step with a sufficient decrease "
            f"(last step tried {eta / self._shrink:.3g})"
        )


class BarzilaiBorwein(Backtracking):
    r"""The Barzilai-Borwein step, safeguarded by a non-monotone line search.

    With :math:`s = x_k - x_{k-1}` and :math:`y = g_k - g_{k-1}`, the step
    is :math:`\eta_k = \langle s, s \rangle / \langle s, y \rangle`, the
    inverse of the curvature the last step saw along its way (the first step,
    and any step after :math:`\langle s, y \rangle \le 0`, reuses the last
    accepted one). These steps are often far longer than :math:`1/L`, which is
    their strength, and raise the objective now and then, so they are accepted
    against the largest of the last 10 objectives (Grippo, Lampariello and
    Lucidi's non-monotone Armijo condition, :math:`c = 1/2`) and halved until
    they are: the safeguard that makes BB converge on non-quadratic problems.
    """

    _memory = 10
    _max_step = 1e10  # where <s, y> is ~0: no curvature seen, no step to trust

    def __init__(self, eta0=1.0):
        super().__init__(eta0=eta0, grow=1.0)
        self._last = None
        self._recent = deque(maxlen=self._memory)

    def __call__(self, problem, x, f, g, d):
        eta = self.eta
        if self._last is not None:
            s, y = x - self._last[0], g - self._last[1]
            curvature = float(np.vdot(s, y))
            if curvature > 0:
                eta = min(float(np.vdot(s, s)) / curvature, self._max_step)
        self._last = (x, g)
        self._recent.append(f)
        return self._search(problem, x, f, g, d, eta, reference=max(self._recent))


class InvScalingStep(ConstantStep):
    r"""A decaying step, :math:`\eta_k = \eta / k^{p}` at step :math:`k \ge 1`."""

    def __init__(self, eta, power_t):
        super().__init__(eta)
        # A Python float: an np.float64 power would make every step float64.
        self.eta0, self.power_t, self._k = eta, float(power_t), 0

    def next_eta(self):
        self._k += 1
        self.eta = self.eta0 / self._k**self.power_t
        return self.eta


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
        self.patience, self._best, self._stalls = patience, np.inf, 0
        self.eta0 = eta

    def decay(self):
        if self.eta / self._divisor < self._smallest * self.eta0:
            return False
        self.eta /= self._divisor
        return True

    def __call__(self, problem, x, f, g, d):
        self._best = min(self._best, f)
        eta, x_new, f_new, g_new = super().__call__(problem, x, f, g, d)
        if f_new < self._best:
            self._best, self._stalls = f_new, 0
        else:
            self._stalls += 1
            if self._stalls >= self.patience:
                # Progress is measured afresh from here: momentum may have
                # carried the iterate above a best it cannot get back to.
                self.eta, self._stalls = self.eta / self._divisor, 0
                self._best = f_new
        return eta, x_new, f_new, g_new


SCHEDULES = ("constant", "invscaling", "adaptive")


def make_step_size(learning_rate, problem, solver, *, schedule, power_t,
                   n_iter_no_change, x0, batch_size=None, momentum=0.0, stream=False):
    """Turn a ``learning_rate`` parameter into a step size for ``problem``.

    ``x0`` is where the descent starts: ``"lipschitz"`` for the adaptive rules
    sizes its step from the gradient there. ``batch_size`` is None for full
    batches, else the size of the mini-batches. ``stream`` says that each
    descent sees another chunk of the data (``partial_fit``), which makes
    even full-batch steps noisy.

    - A float is the base step of the ``schedule``.
    - ``"auto"`` is the library's choice: ``"bb"`` for full-batch plain
      descent on the constant schedule and not a stream, where it takes a
      small fraction of the iterations of ``1/L``; ``"lipschitz"`` in every
      other case (see :func:`resolve_auto`).
    - ``"lipschitz"`` is ``1/L`` when the problem knows a Lipschitz constant
      ``L`` of its gradient (plain descent without one backtracks, never
      growing); for mini-batches, ``L`` is the batches' expected smoothness
      (:meth:`~sklearn_gd._linear.objective.LinearModelObjective.batch_lipschitz`),
      and on noisy gradients (mini-batches, a stream) the constant
      ``momentum`` of ``"momentum"`` (and of mini-batch ``"nesterov"``)
      scales the step by ``1 - momentum``, since it lengthens every step
      ``1 / (1 - momentum)`` times, noise included.
      For the adaptive rules, whose directions are about 1 per coordinate,
      it is ``max|g(x0)| / L`` with the full-batch ``L``, the largest move of
      a first ``1/L`` gradient step, mini-batches or not: their directions do
      not grow with one sample's curvature. The adaptive rules and
      mini-batches take the ``"adaptive"``
      schedule in place of ``"constant"``: a constant step leaves them
      jittering around the optimum.
    - ``"line_search"`` and ``"bb"`` choose every step themselves, from
      gradient directions: plain descent, full batches and the constant
      schedule only.
    """
    # Errors name the option the user passed, "auto" included.
    asked = learning_rate
    if learning_rate == "auto":
        learning_rate = resolve_auto(solver, schedule, batch_size, stream)
    if learning_rate in ("line_search", "bb"):
        _check_search(learning_rate, solver, schedule, batch_size)
        if learning_rate == "line_search":
            return Backtracking(eta0=1.0, grow=2.0)
        # BB's first step only starts it off (its line search and its own
        # steps take over), so a rough L will do: a few power iterations
        # instead of dozens, each a pass over X.
        lipschitz = problem.lipschitz(rtol=1e-2)
        return BarzilaiBorwein(eta0=1.0 / lipschitz if lipschitz else 1.0)
    if learning_rate == "lipschitz":
        learning_rate = _lipschitz_rate(problem, solver, x0, batch_size, momentum, stream)
        if learning_rate is None:
            if solver == "gd" and schedule == "constant":
                return Backtracking(eta0=1.0, grow=1.0)
            raise ValueError(
                f"learning_rate={asked!r} with solver={solver!r} and schedule="
                f"{schedule!r} needs the Lipschitz constant of the gradient: pass "
                "lipschitz=L, or a float learning_rate."
            )
        noisy = solver in ADAPTIVE_SOLVERS or batch_size is not None
        if noisy and schedule == "constant":
            schedule = "adaptive"
    if schedule == "invscaling":
        return InvScalingStep(float(learning_rate), power_t)
    if schedule == "adaptive":
        return AdaptiveStep(float(learning_rate), n_iter_no_change)
    return ConstantStep(float(learning_rate))


def resolve_auto(solver, schedule, batch_size=None, stream=False):
    """The learning-rate option that ``"auto"`` stands for in this configuration.

    ``"bb"`` for full-batch plain descent on the constant schedule, not a
    stream: there the Barzilai-Borwein step reaches the optimum in a small
    fraction of the iterations of ``1/L``, and its line search keeps it safe.
    ``"lipschitz"`` everywhere else: a momentum or adaptive direction can
    point uphill, which no line search along it can fix, and a
    mini-batch or a chunk of a stream never evaluates the objective the
    search would test.
    """
    full_batch_gd = (solver == "gd" and batch_size is None
                     and schedule == "constant" and not stream)
    return "bb" if full_batch_gd else "lipschitz"


def _lipschitz_rate(problem, solver, x0, batch_size, momentum, stream):
    """The base step of ``"lipschitz"`` (see :func:`make_step_size`); None without ``L``."""
    # One batch of every sample has no noise; chunks of a stream do.
    noisy = stream or (batch_size is not None and batch_size < problem.n_samples)
    if noisy and batch_size is not None and solver not in ADAPTIVE_SOLVERS:
        lipschitz = problem.batch_lipschitz(batch_size)
    else:
        lipschitz = problem.lipschitz()
    if lipschitz is None:
        return None
    rate = 1.0 / lipschitz if lipschitz > 0 else 1.0
    constant_momentum = solver == "momentum" or (solver == "nesterov" and batch_size)
    if noisy and constant_momentum:
        rate *= 1.0 - momentum
    if solver in ADAPTIVE_SOLVERS:
        rate *= _largest_first_move(problem, x0)
    return rate


def _check_search(learning_rate, solver, schedule, batch_size):
    if batch_size is not None:
        raise ValueError(
            f"learning_rate={learning_rate!r} searches along the full-batch "
            f"objective, which mini-batches (batch_size={batch_size}) never "
            "evaluate. Use batch_size=None, or learning_rate='auto', 'lipschitz' or a "
            "float."
        )
    if solver != "gd":
        raise ValueError(
            f"learning_rate={learning_rate!r} works with solver='gd' only, not "
            f"solver={solver!r}: a momentum or adaptive direction can point "
            "uphill. Use learning_rate='auto', 'lipschitz' or a float."
        )
    if schedule != "constant":
        raise ValueError(
            f"learning_rate={learning_rate!r} chooses every step itself; "
            f"schedule={schedule!r} is for a float, 'auto' or 'lipschitz' "
            "learning_rate."
        )


def _largest_first_move(problem, x0):
    _, g0 = problem.value_and_grad(x0)
    size = float(np.max(np.abs(g0))) if g0.size else 0.0
    return size if size > 0 else 1.0
