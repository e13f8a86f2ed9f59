r"""The one descent loop that every estimator and :func:`minimize` run.

One iteration::

    if max |g_k| <= tol: stop ("converged")
    d_k, state = rule.update(g_k, state)
    eta_k, x_{k+1}, f_{k+1}, g_{k+1} = step(problem, x_k, f_k, g_k, d_k)
    if f_{k+1} is non-finite or blew up: stop ("diverged")

The test on the gradient comes first so that the last iterate is tested too;
a test on the drop of the objective would stop long before the optimum on an
ill-conditioned problem.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._result import DescentResult
from ._step_sizes import LineSearchFailed

# An objective this many times its own scale above where it started has blown
# up: a convergent gradient method never climbs that far.
BLOWUP_FACTOR = 1e4


def descend(
    problem, x0, *, rule, step, max_iter, tol, callback=None, record_path=False,
    stacklevel=2,
):
    """Descend ``problem`` from ``x0``; return a :class:`DescentResult`.

    Warns with :class:`~sklearn.exceptions.ConvergenceWarning` when the
    descent ends without meeting ``tol`` (other than by divergence or the
    callback), ``stacklevel`` frames above this function; never raises on
    divergence.
    """
    x = x0
    # Overflow and invalid values are how divergence shows itself; the loop
    # detects them and says so, instead of numpy warning mid-computation.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        f, g = problem.value_and_grad(x)
        record = _Record(record_path, x, f)
        state = rule.init(x)
        blown_up = _BlowUpWatch(f)
        eta, status, nit = step.eta, None, 0
        if not _finite(f, g):
            status = "diverged"
        while status is None:
            if _grad_size(g) <= tol:
                status = "converged"
                break
            if nit == max_iter:
                status = "max_iter"
                break
            d, state = rule.update(g, state)
            try:
                eta, x, f, g = step(problem, x, f, g, d)
            except LineSearchFailed as exc:
                status, reason = "line_search_failed", str(exc)
                break
            nit += 1
            record.add(x, f)
            if blown_up(f, g):
                status = "diverged"
                break
            if callback is not None and _callback_stops(callback, x, f, g, nit, eta):
                status = "callback"
    if status == "line_search_failed":
        message = f"Stopped after {nit} iterations: {reason}."
    else:
        message = _message(status, nit, blown_up.f0, f, g, tol, eta)
    if status in ("max_iter", "line_search_failed"):
        warnings.warn(message, ConvergenceWarning, stacklevel=stacklevel + 1)
    return DescentResult(
        x=x, fun=f, jac=g, nit=nit, success=status == "converged", status=status,
        message=message, learning_rate=eta, loss_curve=np.asarray(record.losses),
        path=record.path(),
    )


class _BlowUpWatch:
    """Tells, step by step, whether the objective has blown up.

    Blown up means non-finite, or risen above its start by ``BLOWUP_FACTOR``
    times its own scale: its size at the start, or the first step's change when
    it starts at zero, or how far it had come down.
    """

    def __init__(self, f0):
        self.f0 = self._best = f0
        self._scale = None

    def __call__(self, f, g):
        if not _finite(f, g):
            return True
        if self._scale is None:
            self._scale = max(abs(self.f0), abs(f - self.f0))
        rise_limit = BLOWUP_FACTOR * max(self._scale, self.f0 - self._best)
        self._best = min(self._best, f)
        return f - self.f0 > rise_limit


def print_progress(info):
    """A callback that prints one line per iteration (the ``verbose`` output)."""
    print(
        f"Iteration {info.nit}: objective {info.fun:.8g}, step {info.learning_rate:.4g}, "
        f"max |gradient| {_grad_size(info.jac):.4g}"
    )


def _grad_size(g):
    return float(np.max(np.abs(g))) if g.size else 0.0


def _finite(f, g):
    return bool(np.isfinite(f) and np.all(np.isfinite(g)))


def _callback_stops(callback, x, f, g, nit, eta):
    info = DescentResult(x=x, fun=f, jac=g, nit=nit, learning_rate=eta)
    try:
        stop = callback(info)
        return isinstance(stop, (bool, np.bool_)) and bool(stop)
    except StopIteration:
        return True


def _message(status, nit, f0, f, g, tol, eta):
    if status == "converged":
        return f"Converged after {nit} iterations: max |gradient| <= tol={tol:g}."
    if status == "max_iter":
        return (
            f"Gradient descent stopped at max_iter={nit} iterations with "
            f"max |gradient| = {_grad_size(g):.3g} > tol={tol:g}. Increase max_iter "
            "or tol, try another learning_rate, or scale the features."
        )
    if status == "callback":
        return f"Stopped by the callback after {nit} iterations."
    if nit == 0:
        return "The objective or its gradient is not finite at the starting point."
    return (
        f"Diverged at iteration {nit}: the objective went from {f0:.6g} to {f:.6g} "
        f"with step size {eta:.6g}; the step is too large for this problem."
    )


class _Record:
    """The objective at every iterate and, on request, the iterates."""

    def __init__(self, keep_path, x0, f0):
        self.losses = [f0]
        self._path = [x0.copy()] if keep_path else None

    def add(self, x, f):
        self.losses.append(f)
        if self._path is not None:
            self._path.append(x.copy())

    def path(self):
        return None if self._path is None else np.stack(self._path)
