"""The one configuration module: the names of the parameters, mapped to the
update rule and the step size they stand for.

Nothing else in the package matches a solver, schedule or learning-rate name;
from here on the pieces are chosen by the traits they declare
(:class:`~sklearn_gd._optim.rules.Rule`).
"""

import numpy as np

from .rules import (
    AdaGrad,
    Adam,
    Extrapolated,
    GradientDescent,
    Momentum,
    Nesterov,
    RMSprop,
)
from .step_sizes import (
    AdaptiveStep,
    Backtracking,
    BarzilaiBorwein,
    ConstantStep,
    InvScalingStep,
)

SOLVERS = ("gd", "momentum", "nesterov", "adam", "adagrad", "rmsprop")
SCHEDULES = ("constant", "invscaling", "adaptive")
LEARNING_RATES = ("auto", "lipschitz", "line_search", "bb")
# The learning rates whose step sizes find each step from the objective.
SEARCHING_RATES = ("line_search", "bb")


def make_rule_and_step(problem, x0, *, learning_rate, solver, momentum, beta_1, beta_2,
                       epsilon, schedule, power_t, n_iter_no_change, batch_size=None,
                       stream=False, eta=None):
    """The update rule and the step size that the solver parameters name.

    ``minimize`` and the estimators take the same parameters and turn them
    into the loop's two pieces here, in one place. ``batch_size`` is None for
    full batches; ``stream`` marks the chunks of ``partial_fit``; ``eta`` is
    the first step when it is known already (``step.eta`` of the pieces made
    for a stream's first chunk): the same pieces are then made again without
    reading the data, so a stream keeps only numbers between its calls.
    """
    rule = make_rule(solver, momentum=momentum, beta_1=beta_1, beta_2=beta_2,
                     epsilon=epsilon, full_batch=batch_size is None,
                     proximal=problem.nonsmooth)
    if problem.nonsmooth and rule.adaptive:
        raise ValueError(
            f"solver={solver!r} cannot take an L1 penalty: it rescales each "
            "coordinate of the step, so a soft-threshold step no longer stops at "
            "the penalized optimum. Use solver='gd', 'momentum' or 'nesterov' "
            "(FISTA) with penalty='l1' or 'elasticnet'."
        )
    step = make_step_size(learning_rate, problem, rule, solver=solver, schedule=schedule,
                          power_t=power_t, patience=n_iter_no_change, x0=x0,
                          batch_size=batch_size, stream=stream, eta=eta)
    return rule, step


def make_rule(solver, *, momentum=0.9, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
              full_batch=True, proximal=False):
    """The update rule named by ``solver``.

    ``proximal`` says that the objective has a non-smooth part, so that
    ``"momentum"`` and ``"nesterov"`` move the iterates
    (:class:`~sklearn_gd._optim.rules.Extrapolated`; full-batch
    ``"nesterov"`` is then FISTA).
    """
    # Python floats, not numpy ones: NumPy 2 lets a Python float take the
    # dtype of the array it meets, while an np.float64 (as np.logspace grids
    # hand over) turns float32 states, steps and so every X @ w into float64.
    momentum, beta_1, beta_2, epsilon = map(float, (momentum, beta_1, beta_2, epsilon))
    if solver == "adam":
        return Adam(beta_1, beta_2, epsilon)
    if solver == "adagrad":
        return AdaGrad(epsilon)
    if solver == "rmsprop":
        return RMSprop(beta_2, epsilon)
    if proximal and solver in ("momentum", "nesterov"):
        return Extrapolated(None if solver == "nesterov" and full_batch else momentum)
    if solver == "momentum":
        return Momentum(momentum)
    if solver == "nesterov":
        # Restarting needs exact gradients; noisy ones get a constant momentum.
        return Nesterov(None if full_batch else momentum)
    return GradientDescent()


def make_step_size(learning_rate, problem, rule, *, solver, schedule, power_t, patience,
                   x0, batch_size=None, stream=False, eta=None):
    """Turn a ``learning_rate`` parameter into a step size for ``problem``.

    ``rule`` is the update rule, whose traits decide (``solver`` names it in
    messages). ``x0`` is where the descent starts: ``"lipschitz"`` for the
    adaptive rules sizes its step from the gradient there. ``batch_size`` is None for full
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
      and on noisy gradients (mini-batches, a stream) a constant
      momentum scales the step by the rule's ``noisy_step_factor``,
      ``1 - momentum``, since it lengthens every step ``1 / (1 - momentum)``
      times, noise included.
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
        learning_rate = _resolve_auto(rule.searchable, schedule, batch_size, stream)
    if learning_rate in SEARCHING_RATES:
        _check_search(learning_rate, rule, solver, schedule, batch_size)
        return _search_step(learning_rate, problem, eta)
    if learning_rate == "lipschitz":
        learning_rate = (_lipschitz_rate(problem, rule, x0, batch_size, stream)
                         if eta is None else eta)
        if learning_rate is None:
            if rule.searchable and schedule == "constant":
                return Backtracking(eta0=1.0, grow=1.0)
            raise ValueError(
                f"learning_rate={asked!r} with solver={solver!r} and schedule="
                f"{schedule!r} needs the Lipschitz constant of the gradient: pass "
                "lipschitz=L, or a float learning_rate."
            )
        noisy = rule.adaptive or batch_size is not None
        if noisy and schedule == "constant":
            schedule = "adaptive"
    if schedule == "invscaling":
        return InvScalingStep(float(learning_rate), power_t)
    if schedule == "adaptive":
        return AdaptiveStep(float(learning_rate), patience)
    return ConstantStep(float(learning_rate))


def _search_step(learning_rate, problem, eta):
    if learning_rate == "line_search":
        return Backtracking(eta0=1.0, grow=2.0)
    if eta is None:
        # BB's first step only starts it off (its line search and its own
        # steps take over), so a rough L will do: a bound the problem knows
        # without reading X, where it has one, else a few power iterations
        # instead of dozens, each a pass over X.
        rough = getattr(problem, "rough_lipschitz", None)
        lipschitz = rough() if rough is not None else problem.lipschitz(rtol=1e-2)
        eta = 1.0 / lipschitz if lipschitz else 1.0
    return BarzilaiBorwein(eta0=eta)


def searches(learning_rate, solver, schedule, batch_size=None):
    """Whether ``learning_rate`` (``"auto"`` as :func:`resolve_auto` has it)
    names a step size that finds its own steps from the objective, and so
    follows a change of the problem's coordinates (``step.searches``)."""
    if learning_rate == "auto":
        learning_rate = resolve_auto(solver, schedule, batch_size)
    return learning_rate in SEARCHING_RATES


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
    return _resolve_auto(make_rule(solver).searchable, schedule, batch_size, stream)


def _resolve_auto(searchable, schedule, batch_size, stream):
    full_batch_search = (searchable and batch_size is None and schedule == "constant"
                         and not stream)
    return "bb" if full_batch_search else "lipschitz"


def _lipschitz_rate(problem, rule, x0, batch_size, stream):
    """The base step of ``"lipschitz"`` (see :func:`make_step_size`); None without ``L``."""
    # One batch of every sample has no noise; chunks of a stream do.
    noisy = stream or (batch_size is not None and batch_size < problem.n_samples)
    if noisy and batch_size is not None and not rule.adaptive:
        lipschitz = problem.batch_lipschitz(batch_size)
    else:
        lipschitz = problem.lipschitz()
    if lipschitz is None:
        return None
    rate = 1.0 / lipschitz if lipschitz > 0 else 1.0
    if noisy:
        rate *= rule.noisy_step_factor
    if rule.adaptive:
        rate *= _largest_first_move(problem, x0)
    return rate


def _check_search(learning_rate, rule, solver, schedule, batch_size):
    if batch_size is not None:
        raise ValueError(
            f"learning_rate={learning_rate!r} searches along the full-batch "
            f"objective, which mini-batches (batch_size={batch_size}) never "
            "evaluate. Use batch_size=None, or learning_rate='auto', 'lipschitz' or a "
            "float."
        )
    if not rule.searchable:
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


# The solvers whose rules are adaptive, read from the rules' own trait.
ADAPTIVE_SOLVERS = tuple(solver for solver in SOLVERS if make_rule(solver).adaptive)
