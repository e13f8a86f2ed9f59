r"""Update rules: from a gradient to a descent direction.

A rule is a pair ``init(x) -> state`` and ``update(g, state) -> (d, state)``
(optax's shape): it never sees the data, only gradients. The loop then steps
``x <- x - eta * d`` and tests convergence on the raw gradient ``g``, so the
stopping test is the same for every rule.

A rule declares its traits (:class:`Rule`), and the choice of a step size
reads them (:mod:`sklearn_gd._optim.config`): nothing matches a rule by its
name.
"""

import numpy as np

from .._reductions import dot


# The rules' updates as pure functions of arrays: the Python rules below call
# them, and a compiled mini-batch epoch compiles them as they are (numba), so
# each rule is written once. Array operations only, nothing numba lacks.


def heavy_ball(g, state, params):
    """:class:`Momentum`'s update: ``(d, state)`` with ``state = (v,)``."""
    (velocity,) = state
    (momentum,) = params
    velocity = momentum * velocity + g
    return velocity, (velocity,)


def nesterov(g, state, params):
    """:class:`Nesterov`'s update: ``(d, state)`` with ``state = (v, k)`` and
    ``params = (mu,)``, a constant momentum, or NaN for Nesterov's schedule
    ``mu_k = k / (k + 3)``."""
    velocity, k = state
    (momentum,) = params
    if np.isnan(momentum):  # the schedule
        mu, mu_next = k / (k + 3), (k + 1) / (k + 4)
    else:
        mu, mu_next = momentum, momentum
    velocity = mu * velocity + g
    return g + mu_next * velocity, (velocity, k + 1)


def extrapolation(x, state, params):
    """:class:`Extrapolated`'s next point: ``(y, state)`` after the step to
    ``x``, with ``state = (x_prev, y_prev, k)`` and ``params = (mu,)``, a
    constant momentum, or NaN for the schedule ``mu_k = k / (k + 3)``."""
    x_prev, _, k = state
    (momentum,) = params
    mu = k / (k + 3) if np.isnan(momentum) else momentum
    y = x + mu * (x - x_prev) if mu else x
    return y, (x, y, k + 1)


def adam(g, state, params):
    """:class:`Adam`'s update: ``(d, state)`` with ``state = (m, v, k)``."""
    m, v, k = state
    beta_1, beta_2, epsilon = params
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g * g
    k += 1
    m_hat = m / (1 - beta_1**k)
    v_hat = v / (1 - beta_2**k)
    return m_hat / (np.sqrt(v_hat) + epsilon), (m, v, k)


def adagrad(g, state, params):
    """:class:`AdaGrad`'s update: ``(d, state)`` with ``state = (G,)``."""
    (total,) = state
    (epsilon,) = params
    total = total + g * g
    return g / (np.sqrt(total) + epsilon), (total,)


def rmsprop(g, state, params):
    """:class:`RMSprop`'s update: ``(d, state)`` with ``state = (v, k)``."""
    v, k = state
    rho, epsilon = params
    v = rho * v + (1 - rho) * g * g
    k += 1
    return g / (np.sqrt(v / (1 - rho**k)) + epsilon), (v, k)


class Rule:
    """The traits every rule declares, with the values of plain descent.

    Attributes
    ----------
    adaptive : bool
        The direction has a scale of its own, about 1 per coordinate, not the
        gradient's (Adam, AdaGrad, RMSprop): a step is then in units of the
        parameters, and a proximal (L1) step would stop in the wrong place.
    searchable : bool
        The direction is the gradient itself, along which a line search or a
        Barzilai-Borwein step is sure to find a decrease.
    noisy_step_factor : float
        What a constant step is multiplied by on noisy gradients: ``1 - mu``
        for a constant momentum ``mu``, which lengthens every step
        ``1 / (1 - mu)`` times, noise included; 1 for the others.
    extrapolates : bool
        The rule moves the point where the next gradient is taken
        (``lookahead(state)`` and ``extrapolate(x, state)``).
    kernel : str or None
        ``"gd"`` for plain descent, which a problem's compiled mini-batch epoch
        steps itself; None for the others.
    direction : function or None
        The rule's update as a pure function of arrays, ``direction(g, state,
        params) -> (d, state)`` with ``state`` a tuple of arrays and counts
        and ``params`` the rule's numbers (``params()``): ``update`` calls it,
        and a compiled epoch compiles it as it is (numba), so the rule is
        written once. None for the rules that only the Python loop runs.
    extrapolation : function or None
        For a rule that extrapolates, the next point as such a function,
        ``extrapolation(x, state, params) -> (y, state)``, which
        ``extrapolate`` calls and a compiled epoch compiles; with
        ``last(state)``, the last iterate ``x`` from the state.
    """

    adaptive = False
    searchable = False
    noisy_step_factor = 1.0
    extrapolates = False
    kernel = None
    direction = None
    extrapolation = None

    def update(self, g, state):
        """``direction`` on the rule's state (the rules written as one)."""
        d, state = self.direction(g, self.to_tuple(state), self.params())
        return d, self.from_tuple(state)

    def params(self):
        """The numbers ``direction`` takes, as a tuple."""
        return ()

    def to_tuple(self, state):
        """The rule's state as ``direction`` takes it."""
        return state

    def from_tuple(self, state):
        """The rule's state from what ``direction`` hands back."""
        return state


class _OneArrayState(Rule):
    """A rule whose state is one array, which ``direction`` holds in a tuple."""

    def to_tuple(self, state):
        return (state,)

    def from_tuple(self, state):
        return state[0]


def _constant_momentum_factor(momentum):
    return 1.0 if momentum is None else 1.0 - momentum


class GradientDescent(Rule):
    r"""Plain gradient descent, :math:`d_k = g_k = \nabla f(x_k)`."""

    searchable = True
    kernel = "gd"

    def init(self, x):
        return None

    def update(self, g, state):
        return g, state


class Momentum(_OneArrayState):
    r"""Heavy-ball momentum (Polyak).

    .. math::

        v_{k+1} = \mu\, v_k + g_k, \qquad d_k = v_{k+1},

    so :math:`x_{k+1} = x_k - \eta g_k + \mu (x_k - x_{k-1})`: each step keeps
    a fraction :math:`\mu` of the last one.
    """

    def __init__(self, momentum):
        self.momentum = momentum
        self.noisy_step_factor = _constant_momentum_factor(momentum)

    def init(self, x):
        return np.zeros_like(x)

    direction = staticmethod(heavy_ball)

    def params(self):
        return (self.momentum,)


class Nesterov(Rule):
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
        self.noisy_step_factor = _constant_momentum_factor(momentum)

    def init(self, x):
        return np.zeros_like(x), None, 0

    direction = staticmethod(nesterov)

    def update(self, g, state):
        """The restart's test, which needs the last direction, then ``direction``."""
        velocity, last_direction, k = state
        if self.momentum is None and last_direction is not None:
            if dot(g, last_direction) < 0:
                k = 0  # mu_0 = 0 forgets the velocity
        d, (velocity, k) = self.direction(g, (velocity, k), self.params())
        return d, (velocity, d, k)

    def params(self):
        return (np.nan if self.momentum is None else self.momentum,)

    def to_tuple(self, state):
        # The last direction serves the restart alone, which constant
        # momentum (the only one of mini-batches) does without.
        return state[0], state[2]

    def from_tuple(self, state):
        return state[0], None, state[1]


class Extrapolated(Rule):
    r"""Momentum on the iterates, around a proximal step (FISTA and its kin).

    .. math::

        x_{k+1} = \mathrm{prox}_\eta\big(y_k - \eta \nabla f(y_k)\big), \qquad
        y_{k+1} = x_{k+1} + \mu_k (x_{k+1} - x_k).

    With ``momentum=None`` (full batch, ``"nesterov"``) this is Beck and
    Teboulle's FISTA: :math:`\mu_k = k / (k + 3)`, :math:`k` counting the steps
    since the last restart, which comes whenever
    :math:`\langle y_k - x_{k+1}, x_{k+1} - x_k \rangle > 0`, the proximal form
    of the gradient restart of :class:`Nesterov`. A float ``momentum`` is a
    constant :math:`\mu`, for ``"momentum"`` and for mini-batches.

    A non-smooth objective needs this form: momentum on the gradients
    (:class:`Momentum`, :class:`Nesterov`) would feed the proximal step
    :math:`1/(1 - \mu)` times the gradient at a fixed point, and so stop at
    the wrong place. The direction is the gradient at :math:`y_k`; the loop
    asks :meth:`extrapolate` for the next :math:`y` after each step, and
    :meth:`lookahead` for the first.
    """

    extrapolates = True

    def __init__(self, momentum=None):
        self.momentum = momentum
        self.noisy_step_factor = _constant_momentum_factor(momentum)

    def init(self, x):
        return x, x, 0

    def update(self, g, state):
        return g, state

    def lookahead(self, state):
        """Where the next gradient is taken: ``x0`` at the start, the last
        extrapolated point when a descent continues from ``state``."""
        return state[1]

    extrapolation = staticmethod(extrapolation)

    def extrapolate(self, x, state):
        """The point ``y`` where the next gradient is taken, after the step to
        ``x``: the restart's test, which constant momentum does without, then
        ``extrapolation``."""
        x_prev, y_prev, k = state
        if self.momentum is None and dot(y_prev - x, x - x_prev) > 0:
            k = 0
        return self.extrapolation(x, (x_prev, y_prev, k), self.params())

    def last(self, state):
        """The last iterate ``x`` (the point before the extrapolation)."""
        return state[0]

    def params(self):
        return (np.nan if self.momentum is None else self.momentum,)


class Adam(Rule):
    r"""Adam (Kingma and Ba, 2015): momentum on a per-coordinate scale.

    .. math::

        m_{k+1} = \beta_1 m_k + (1 - \beta_1) g_k, \qquad
        v_{k+1} = \beta_2 v_k + (1 - \beta_2) g_k^2, \\
        d_k = \frac{\hat m}{\sqrt{\hat v} + \epsilon}, \qquad
        \hat m = \frac{m_{k+1}}{1 - \beta_1^{k+1}}, \quad
        \hat v = \frac{v_{k+1}}{1 - \beta_2^{k+1}},

    squares and roots taken coordinate by coordinate. Each coordinate moves by
    about the step size, whatever the scale of its gradient.
    """

    adaptive = True

    def __init__(self, beta_1, beta_2, epsilon):
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def init(self, x):
        return np.zeros_like(x), np.zeros_like(x), 0

    direction = staticmethod(adam)

    def params(self):
        return (self.beta_1, self.beta_2, self.epsilon)


class AdaGrad(_OneArrayState):
    r"""AdaGrad (Duchi et al., 2011): each coordinate scaled by its history.

    .. math::

        G_{k+1} = G_k + g_k^2, \qquad d_k = \frac{g_k}{\sqrt{G_{k+1}} + \epsilon},

    coordinate by coordinate; the effective step shrinks as gradients add up.
    """

    adaptive = True

    def __init__(self, epsilon):
        self.epsilon = epsilon

    def init(self, x):
        return np.zeros_like(x)

    direction = staticmethod(adagrad)

    def params(self):
        return (self.epsilon,)


class RMSprop(Rule):
    r"""RMSprop (Tieleman and Hinton, 2012): AdaGrad with a fading memory.

    .. math::

        v_{k+1} = \rho\, v_k + (1 - \rho) g_k^2, \qquad
        d_k = \frac{g_k}{\sqrt{v_{k+1} / (1 - \rho^{k+1})} + \epsilon},

    coordinate by coordinate, with the decay :math:`\rho` given as ``beta_2``
    (the role it plays in Adam). The bias correction :math:`1 - \rho^{k+1}`,
    Adam's, keeps the first steps from being :math:`1/\sqrt{1 - \rho}` times
    too long while :math:`v` still remembers its zero start: this is Adam
    without momentum.
    """

    adaptive = True

    def __init__(self, rho, epsilon):
        self.rho, self.epsilon = rho, epsilon

    def init(self, x):
        return np.zeros_like(x), 0

    direction = staticmethod(rmsprop)

    def params(self):
        return (self.rho, self.epsilon)

