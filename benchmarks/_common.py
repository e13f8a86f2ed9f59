"""Helpers the benchmark scripts share: timing, objectives, CSV and headers."""

import csv
import os
import platform
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_gd._linear.objective import LinearModelObjective


def median_seconds(fn, repeats):
    """The median wall time of ``repeats`` calls of ``fn()``, convergence warnings muted."""
    times = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return float(np.median(times))


def time_peer(peer, X, y, repeats):
    """The median time of ``peer.fit(X, y)`` over ``repeats`` fits."""
    return median_seconds(lambda: peer.fit(X, y), repeats)


def objective_at(X, Y, loss, alpha, W, b, l1_ratio=0.0):
    """Our objective's value at ``(W, b)`` for the loss as it reads ``Y``."""
    objective = LinearModelObjective(X, Y, np.ones(X.shape[0]), loss, alpha=alpha,
                                     l1_ratio=l1_ratio, fit_intercept=True,
                                     n_outputs=W.shape[1])
    return objective.value_and_grad(np.vstack([W, np.reshape(b, (1, -1))]))[0]


def model_objective(Estimator, params, X, y):
    """``f(coef, intercept)``: our estimator's objective for ``(X, y)``.

    The objective comes from the estimator itself (a one-step fit sets its
    classes and validation), so a peer's ``coef_`` and ``intercept_`` in
    scikit-learn's layout are judged by exactly the function we minimize.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        objective = Estimator(**params, max_iter=1).fit(X, y)._objective_for(X, y)

    def value(coef, intercept):
        W = np.atleast_2d(np.asarray(coef, dtype=np.float64)).T
        b = np.atleast_1d(np.asarray(intercept, dtype=np.float64))
        theta = np.vstack([W, b[None, :]]).astype(objective.X.dtype)
        return objective.value_and_grad(theta)[0]

    return value


def first_reached(curve, f_ref, rtol):
    """The first index of ``curve`` within ``rtol`` (relative) of ``f_ref``, or None."""
    reached = np.flatnonzero(np.asarray(curve) <= f_ref + rtol * abs(f_ref))
    return None if reached.size == 0 else int(reached[0])


def first_iteration(Estimator, config, X, y, f_ref, rtol, max_iter):
    """The first iteration within ``rtol`` of ``f_ref`` in a long run, and the run's best.

    Returns ``(n_iter, best)``: ``n_iter`` is None when the run never gets
    there; ``best`` is the least objective the run met.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        curve = Estimator(**config, max_iter=max_iter).fit(X, y).loss_curve_
    n_iter = first_reached(curve, f_ref, rtol)
    return (None if n_iter is None else max(n_iter, 1)), float(np.min(curve))


def measure(Estimator, params, X, y, f_ref, solver, learning_rate, rtol, max_iter, repeats):
    """Iterations and seconds for our estimator to reach ``f_ref`` within ``rtol``.

    One long run with ``tol=0`` finds the first iterate within ``rtol``; refits
    stopped there give the time (the median of ``repeats``). ``None, None``
    when the long run never gets there.
    """
    config = dict(params, solver=solver, learning_rate=learning_rate, tol=0.0)
    n_iter, _ = first_iteration(Estimator, config, X, y, f_ref, rtol, max_iter)
    if n_iter is None:
        return None, None
    seconds = median_seconds(lambda: Estimator(**config, max_iter=n_iter).fit(X, y), repeats)
    return n_iter, seconds


def cell(value, spec):
    """A table cell: ``value`` in ``spec``, or "-" for a missing one."""
    return "-" if value is None else format(value, spec)


def write_csv(rows, path):
    """Write ``rows`` (dicts with the same keys) to ``path``."""
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def thread_header():
    """One line per thread pool (threadpoolctl), for the printed header.

    numpy's OpenBLAS, scipy's own OpenBLAS and scikit-learn's OpenMP are
    separate pools; which ones exist and their sizes change the timings.
    """
    import scipy.linalg  # noqa: F401  (loads scipy's BLAS, so it is listed)
    import sklearn.linear_model  # noqa: F401  (loads scikit-learn's OpenMP)
    from threadpoolctl import threadpool_info

    # The load average tells when another process shared the cores during the run.
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    lines = [f"python {platform.python_version()}, numpy {np.__version__}, "
             f"{os.cpu_count()} cores, load average {load}"]
    for pool in threadpool_info():
        lines.append(f"  {pool['user_api']}: {pool['internal_api']} {pool.get('version')} "
                     f"({pool['prefix']}), {pool['num_threads']} threads")
    return "\n".join(lines)


def interleaved_fits(ours, peer, X, y, repeats):
    """``{"ours": (median, min, max), "peer": ...}`` seconds of ``fit``, the
    two fitted in turn (ours, then the peer), after a warm-up fit of each
    (imports, compiled kernels)."""
    times = {"ours": [], "peer": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours.fit(X, y), peer.fit(X, y)
        for _ in range(repeats):
            for key, model in (("ours", ours), ("peer", peer)):
                start = time.perf_counter()
                model.fit(X, y)
                times[key].append(time.perf_counter() - start)
    return {key: (float(np.median(t)), float(np.min(t)), float(np.max(t)))
            for key, t in times.items()}
