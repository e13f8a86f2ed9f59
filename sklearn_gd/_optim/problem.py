"""The problem protocol: what the descent loops ask of what they minimize.

The loops ask a problem for

- ``value_and_grad(x)``: the objective and the gradient of its smooth part;
- ``lipschitz(rtol)``: a Lipschitz constant of that gradient, or None, estimated
  to the relative tolerance ``rtol`` where it is estimated;
- ``prox(x, eta)``: the proximal step of its non-smooth part;
- ``nonsmooth_value(x)``: the value of that part (for the line search);
- ``stationarity(x, g, f)``: what the stopping test measures, zero exactly at an
  optimum (the gradient itself for a smooth problem), from the point, its
  gradient and the objective there; a problem whose test is relative
  (``relative_test``: it reads the gradient against its ``curvature``) also
  takes ``flatness``, how many times flatter a curvature the descent has met
  (:class:`~sklearn_gd._optim.stopping.LeastCurvature`);
- ``nonsmooth``: whether there is a non-smooth part.

Points leave the loops in the coordinates of ``to_original(x)`` where a
problem has it (:func:`original`). The mini-batch loop also asks for ``batch(rows)``, the problem on some samples
as an unbiased estimate, and ``n_samples``; and for ``value(x)``, the objective
alone, where a problem offers it (:func:`value`).

:class:`Smooth` gives ``prox``, ``nonsmooth_value``, ``stationarity`` and
``nonsmooth`` for a problem without a non-smooth part. The estimators'
objectives (:mod:`sklearn_gd._linear.objective`) and a user's function
(:mod:`sklearn_gd._estimators.function`) offer them all.
"""


def original(problem, x):
    """``x`` in the coordinates the problem reports points in: its
    ``to_original`` where it has one (a problem that changes its own
    coordinates maps back to fixed ones), else ``x`` itself."""
    to_original = getattr(problem, "to_original", None)
    return x if to_original is None else to_original(x)


def measure_name(problem):
    """How messages name what ``stationarity`` measures: the problem's own
    ``measure`` where it has one."""
    return getattr(problem, "measure", "max |gradient|")


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

    def stationarity(self, x, g, f):
        return g
