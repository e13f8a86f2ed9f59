r"""Step sizes: how far each step goes along the descent direction.

A step size is called as ``step(problem, x, f, g, d)`` and returns
``(eta, x_new, f_new, g_new)``, with ``x_new = x - eta * d`` and its objective
and gradient, so that a line search can try several points and hand back the
one it accepts without evaluating it twice.
"""

import numbers
from collections import deque

import numpy as np


class LineSearchFailed(Exception):
    """No step length gave a sufficient decrease (floating-point noise, usually)."""


class ConstantStep:
    r"""A fixed step: :math:`x_{k+1} = x_k - \eta\, d_k`."""

    def __init__(self, eta):
        self.eta = eta

    def __call__(self, problem, x, f, g, d):
        x_new = x - self.eta * d
        f_new, g_new = problem.value_and_grad(x_new)
        return self.eta, x_new, f_new, g_new


class Backtracking:
    r"""Armijo backtracking on the objective.

    Each step starts from ``grow`` times the last accepted step and halves it
    until the sufficient decrease

    .. math:: f(x - \eta d) \le f(x) - \tfrac12\, \eta\, \langle g, d \rangle

    holds (Armijo's condition with :math:`c = 1/2`, which for ``d = g`` is the
    descent lemma and accepts every :math:`\eta \le 1/L`). Near the optimum
    the drop in :math:`f` sinks below the rounding error of computing
    :math:`f` (which cancellation can make far larger than a machine epsilon)
    and that test can no longer tell a good step from a bad one; so a step is
    also accepted, when the drop asked for is itself below that noise, if the
    slope at the new point is still non-positive,
    :math:`\langle \nabla f(x - \eta d), d \rangle \ge 0`, and :math:`f`
    rose by at most :math:`10^{-6} |f(x)|` (Hager and Zhang's approximate
    Armijo condition with their tolerance). For a quadratic the slope test is
    the exact one computed without cancellation; for a convex :math:`f` a
    non-positive slope at the new point already means :math:`f` did not rise.

    With ``grow=1`` the step never lengthens again: that is the safe ``"auto"``
    step for a function whose Lipschitz constant is unknown (it settles at a
    step of at least ``1/(2L)`` and keeps it).
    """

    _shrink = 0.5
    _max_halvings = 60
    _rounding_tolerance = 1e-6

    def __init__(self, eta0=1.0, grow=2.0):
        self.eta = eta0
        self.grow = grow

    def __call__(self, problem, x, f, g, d):
        return self._search(problem, x, f, g, d, self.eta * self.grow, reference=f)

    def _search(self, problem, x, f, g, d, eta, reference):
        """Halve ``eta`` from its first try until the step decreases enough.

        The decrease is measured from ``reference``: ``f`` itself, or a
        larger recent value for a non-monotone search.
        """
        slope = float(np.vdot(g, d))
        slack = self._rounding_tolerance * abs(f)
        for _ in range(self._max_halvings):
            x_new = x - eta * d
            f_new, g_new = problem.value_and_grad(x_new)
            drop = 0.5 * eta * slope
            if f_new <= reference - drop or (
                # The exact test cannot see a drop this far below the noise.
                drop <= slack and f_new <= f + slack and np.vdot(g_new, d) >= 0
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


def make_step_size(learning_rate, problem, solver="gd"):
    """Turn a ``learning_rate`` parameter into a step size for ``problem``.

    ``"auto"`` is ``1/L`` when the problem knows a Lipschitz constant ``L`` of
    its gradient, otherwise (plain descent only) a backtracking step that
    never grows. ``"bb"`` is the Barzilai-Borwein step, from ``1/L`` where
    known. A line search needs a descent direction, which momentum directions
    are not always, so ``"line_search"`` and ``"bb"`` are for ``solver="gd"``
    only.
    """
    if isinstance(learning_rate, numbers.Real):
        return ConstantStep(float(learning_rate))
    if learning_rate in ("line_search", "bb"):
        if solver != "gd":
            raise ValueError(
                f"learning_rate={learning_rate!r} works with solver='gd' only, not "
                f"solver={solver!r}: a momentum direction can point uphill. Use "
                "learning_rate='auto' or a float."
            )
        if learning_rate == "bb":
            lipschitz = problem.lipschitz()
            return BarzilaiBorwein(eta0=1.0 / lipschitz if lipschitz else 1.0)
        return Backtracking(eta0=1.0, grow=2.0)
    lipschitz = problem.lipschitz()
    if lipschitz is None:
        if solver != "gd":
            raise ValueError(
                f"learning_rate='auto' with solver={solver!r} needs the Lipschitz "
                "constant of the gradient: pass lipschitz=L, or a float "
                "learning_rate."
            )
        return Backtracking(eta0=1.0, grow=1.0)
    return ConstantStep(1.0 / lipschitz if lipschitz > 0 else 1.0)
