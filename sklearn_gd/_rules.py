r"""Update rules: from a gradient to a descent direction.

A rule is a pair ``init(x) -> state`` and ``update(g, state) -> (d, state)``
(optax's shape): it never sees the data, only gradients. The loop then steps
``x <- x - eta * d``.
"""


class GradientDescent:
    r"""Plain gradient descent, :math:`d_k = \nabla f(x_k)`."""

    def init(self, x):
        return None

    def update(self, g, state):
        return g, state
