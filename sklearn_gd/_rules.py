r"""Update rules: from a gradient to a descent direction.

A rule is a pair ``init(x) -> state`` and ``update(g, state) -> (d, state)``
(optax's shape): it never sees the data, only gradients. The loop then steps
``x <- x - eta * d`` and tests convergence on the raw gradient ``g``, so the
stopping test is the same for every rule.
"""

import numpy as np


class GradientDescent:
    r"""Plain gradient descent, :math:`d_k = g_k = \nabla f(x_k)`."""

    def init(self, x):
        return None

    def update(self, g, state):
        return g, state


class Momentum:
    r"""Heavy-ball momentum (Polyak).

    .. math::

        v_{k+1} = \mu\, v_k + g_k, \qquad d_k = v_{k+1},

    so :math:`x_{k+1} = x_k - \eta g_k + \mu (x_k - x_{k-1})`: each step keeps
    a fraction :math:`\mu` of the last one.
    """

    def __init__(self, momentum):
        self.momentum = momentum

    def init(self, x):
        return np.zeros_like(x)

    def update(self, g, velocity):
        velocity = self.momentum * velocity + g
        return velocity, velocity


class Nesterov:
    r"""Nesterov's accelerated gradient, in the form that needs no look-ahead.

    .. math::

        v_{k+1} = \mu_k v_k + g_k, \qquad d_k = g_k + \mu_{k+1} v_{k+1}

    (Sutskever et al., 2013, as PyTorch and optax write it, with the momentum
    allowed to vary): the iterates are Nesterov's look-ahead points, so the
    gradient is taken where the loop stands.

    With ``momentum=None`` (full batch) the momentum follows Nesterov's
    schedule :math:`\mu_k = k / (k + 3)`, which gives the accelerated rate on
    convex problems without knowing their conditioning, and the schedule
    restarts at :math:`k = 0`, with :math:`v = 0`, whenever the gradient says
    the last step went uphill, :math:`\langle g_k, d_{k-1} \rangle < 0`
    (O'Donoghue and Candès' gradient restart). A float ``momentum`` is a
    constant :math:`\mu` with no restart, for gradients too noisy to test.
    """

    def __init__(self, momentum=None):
        self.momentum = momentum

    def init(self, x):
        return np.zeros_like(x), None, 0

    def update(self, g, state):
        velocity, last_direction, k = state
        if self.momentum is None and last_direction is not None:
            if np.vdot(g, last_direction) < 0:
                velocity, k = np.zeros_like(velocity), 0
        velocity = self._mu(k) * velocity + g
        direction = g + self._mu(k + 1) * velocity
        return direction, (velocity, direction, k + 1)

    def _mu(self, k):
        return k / (k + 3) if self.momentum is None else self.momentum


SOLVERS = ("gd", "momentum", "nesterov")


def make_rule(solver, *, momentum, full_batch=True):
    """The update rule named by ``solver``."""
    if solver == "momentum":
        return Momentum(momentum)
    if solver == "nesterov":
        # Restarting needs exact gradients; noisy ones get a constant momentum.
        return Nesterov(None if full_batch else momentum)
    return GradientDescent()
