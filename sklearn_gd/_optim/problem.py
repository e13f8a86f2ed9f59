"""The problem protocol: what the descent loops ask of what they minimize.

The loops ask a problem for

- ``value_and_grad(x)``: the objective and the gradient of its smooth part;
- ``lipschitz(rtol)``: a Lipschitz constant of that gradient, or None, estimated
  to the relative tolerance ``rtol`` where it is estimated;
- ``prox(x, eta)``: the proximal step of its non-smooth part;
- ``nonsmooth_value(x)``: the value of that part (for the line search);
- ``stationarity(x, g)``: what the stopping test measures, zero exactly at an
  optimum (the gradient itself for a smooth problem);
- ``nonsmooth``: whether there is a non-smooth part.

The mini-batch loop also asks for ``batch(rows)``, the problem on some samples
as an unbiased estimate, and ``n_samples``; and for ``value(x)``, the objective
alone, where a problem offers it (:func:`value`).

:class:`Smooth` gives ``prox``, ``nonsmooth_value``, ``stationarity`` and
``nonsmooth`` for a problem without a non-smooth part. The estimators'
objectives (:mod:`sklearn_gd._linear.objective`) and a user's function
(:mod:`sklearn_gd._estimators.function`) offer them all.
"""


def value(problem, x):
    """The objective at ``x``: the problem's ``value`` where it has one (it may
    know a cheaper way than the gradient's pass), else ``value_and_grad``'s."""
    own = getattr(problem, "value", None)
    return own(x) if own is not None else problem.value_and_grad(x)[0]


def prox_step(problem, x, eta, d):
    r"""The proximal gradient step :math:`\mathrm{prox}_\eta(x - \eta d)`,
    the one update of every loop and step size."""
    return problem.prox(x - eta * d, eta)


class Smooth:
    """The protocol's non-smooth part for a problem that has none."""

    nonsmooth = False

    def prox(self, x, eta):
        return x

    def nonsmooth_value(self, x):
        return 0.0

    def stationarity(self, x, g):
        return g
