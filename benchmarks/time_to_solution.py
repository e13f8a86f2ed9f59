"""Time to the optimum's objective: our estimators against scikit-learn's solvers.

For each problem, a tight reference solve in float64 (``Ridge`` with the
Cholesky solver, or ``LogisticRegression`` with Newton-Cholesky; iterative
and tight for the sparse problem) gives the optimum's objective ``f*``,
evaluated with our objective. Our estimators, with their default solver and
with the textbook step (``gd``/``lipschitz``) and ``nesterov``, are timed by refits
stopped at the first iteration within ``--rtol`` (relative) of ``f*`` (see
``_common.measure``). scikit-learn's peers are fitted with their default
settings and the matching regularization (our ``alpha`` is ``Ridge(alpha=alpha
n)``, ``LogisticRegression(C=1/(alpha n))``, ``SGD*(alpha=alpha)``); a peer
whose answer is farther than ``--rtol`` from ``f*`` is "not reached", with its
relative gap (``rel_gap``; for our solvers, the least gap of the long
``--max-iter`` run). All times are medians of ``--repeats`` fits in this run; the
ratios are our time over the peer's. The peak memory a fit allocates
(tracemalloc: numpy's and Python's allocations, not every C library's) is
given over ``X.nbytes`` for dense problems.

Run from the repository root::

    python benchmarks/time_to_solution.py --size small --out time_to_solution.csv
"""

import argparse
import sys
import time
import tracemalloc
import warnings

import numpy as np
import problems as problem_list
from _common import (
    first_iteration,
    median_seconds,
    model_objective,
    thread_header,
    write_csv,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    SGDClassifier,
    SGDRegressor,
)
from threadpoolctl import threadpool_limits

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor

ALPHA = 1e-4  # GDLogisticRegressor's default; a small ridge for regression too
# The default first ("auto": Barzilai-Borwein steps for full-batch gd), then the
# textbook constant step 1/L and Nesterov's acceleration on it.
OURS = [("gd", "auto"), ("gd", "lipschitz"), ("nesterov", "auto")]


def peers(kind, n_samples, n_classes):
    """scikit-learn's estimators for the same model: ``{name: estimator}``."""
    if kind == "regression":
        return {
            "LinearRegression": LinearRegression(),
            "Ridge(auto)": Ridge(alpha=ALPHA * n_samples),
            "Ridge(lsqr)": Ridge(alpha=ALPHA * n_samples, solver="lsqr"),
            "Ridge(sag)": Ridge(alpha=ALPHA * n_samples, solver="sag"),
            "SGDRegressor": SGDRegressor(alpha=ALPHA),
        }
    C = 1 / (ALPHA * n_samples)
    found = {
        "LogisticRegression(lbfgs)": LogisticRegression(C=C),
        "LogisticRegression(newton-cholesky)": LogisticRegression(C=C, solver="newton-cholesky"),
        "LogisticRegression(saga)": LogisticRegression(C=C, solver="saga"),
    }
    # SGDClassifier is one-vs-rest with several classes: another model.
    if n_classes == 2:
        found["SGDClassifier(log_loss)"] = SGDClassifier(loss="log_loss", alpha=ALPHA)
    return found


def reference(kind, X64, y, sparse):
    """A tight float64 solve of the same model, in scikit-learn's layout."""
    n = X64.shape[0]
    if kind == "regression":
        solver = "sparse_cg" if sparse else "cholesky"
        return Ridge(alpha=ALPHA * n, solver=solver, tol=1e-12, max_iter=100_000).fit(X64, y)
    solver = "lbfgs" if sparse else "newton-cholesky"
    with warnings.catch_warnings():
        # Stopping at machine precision is the point: it is the optimum.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LogisticRegression(C=1 / (ALPHA * n), solver=solver, tol=1e-14,
                                  max_iter=10_000).fit(X64, y)


def peak_over_X(fit, X, sparse):
    """The peak memory ``fit()`` allocates over ``X.nbytes`` (None for sparse X)."""
    if sparse:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tracemalloc.start()
        try:
            fit()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return peak / X.nbytes


def row(problem, method, seconds, gap, rtol, iterations=None, memory=None):
    """One CSV row; ``reached`` when the relative gap is within ``rtol``."""
    return {"problem": problem.name, "method": method, "seconds": seconds,
            "iterations": iterations, "reached": gap is not None and gap <= rtol,
            "rel_gap": gap, "peak_over_X": memory}


def our_rows(problem, Estimator, X, y, f_ref, args):
    """Our estimator with each solver of ``OURS``, then as fitted by default."""
    rows = []
    for solver, learning_rate in OURS:
        config = dict(alpha=ALPHA, solver=solver, learning_rate=learning_rate, tol=0.0)
        n_iter, best = first_iteration(Estimator, config, X, y, f_ref, args.rtol, args.max_iter)
        method = f"{Estimator.__name__}({solver}/{learning_rate})"
        gap = (best - f_ref) / abs(f_ref)
        if n_iter is None:
            rows.append(row(problem, method, None, gap, args.rtol, args.max_iter))
            continue
        fit = lambda: Estimator(**config, max_iter=n_iter).fit(X, y)  # noqa: E731
        seconds = median_seconds(fit, args.repeats)
        memory = peak_over_X(fit, X, problem.sparse) if args.memory else None
        rows.append(row(problem, method, seconds, gap, args.rtol, n_iter, memory))
    return rows


def fitted_rows(problem, estimators, X, y, gap_of, args):
    """Estimators fitted with their own stopping rule: time and the gap they leave."""
    rows = []
    for method, estimator in estimators.items():
        seconds = median_seconds(lambda: estimator.fit(X, y), args.repeats)
        gap = gap_of(estimator)
        memory = (peak_over_X(lambda: estimator.fit(X, y), X, problem.sparse)
                  if args.memory else None)
        rows.append(row(problem, method, seconds, gap, args.rtol,
                        getattr(estimator, "n_iter_", None), memory))
    return rows


def add_ratios(rows, rtol):
    """Our default and best times over each row's time, where both reached."""
    ours = [r for r in rows if r["method"].startswith("GD") and "default fit" not in r["method"]]
    default = ours[0]["seconds"]
    reached = [r["seconds"] for r in ours if r["seconds"] is not None]
    best = min(reached) if reached else None
    for r in rows:
        ok = r["reached"] and r["seconds"]
        r["default_over_this"] = default / r["seconds"] if ok and default else None
        r["best_over_this"] = best / r["seconds"] if ok and best else None
    return rows


def run_problem(problem, args):
    """The rows of one problem: our estimators, then scikit-learn's peers."""
    X, y = problem.load()
    X64 = X.astype(np.float64, copy=False)
    Estimator = GDLinearRegressor if problem.kind == "regression" else GDLogisticRegressor
    f = model_objective(Estimator, {"alpha": ALPHA}, X64, y)
    ref = reference(problem.kind, X64, y, problem.sparse)
    f_ref = f(ref.coef_, ref.intercept_)
    del X64  # the float64 copy of a float32 problem is as large as the data

    def gap_of(est):
        return (f(est.coef_, est.intercept_) - f_ref) / abs(f_ref)

    rows = our_rows(problem, Estimator, X, y, f_ref, args)
    default_fit = {f"{Estimator.__name__}(default fit, tol=1e-4)": Estimator(alpha=ALPHA)}
    rows += fitted_rows(problem, default_fit, X, y, gap_of, args)
    n_classes = len(np.unique(y)) if problem.kind == "classification" else None
    rows += fitted_rows(problem, peers(problem.kind, X.shape[0], n_classes), X, y, gap_of, args)
    return add_ratios(rows, args.rtol)


def print_table(rows):
    print(f"{'problem':22s} {'method':44s} {'iter':>6s} {'ms':>11s} {'rel gap':>8s} "
          f"{'def/this':>8s} {'best/this':>9s} {'mem/X':>6s}")
    for r in rows:
        ms = "not reached" if not r["reached"] else f"{1000 * r['seconds']:.1f}"
        cells = [r["default_over_this"], r["best_over_this"], r["peak_over_X"]]
        d, b, m = ("-" if v is None else f"{v:.2f}" for v in cells)
        it = "-" if r["iterations"] is None else str(np.max(r["iterations"]))
        print(f"{r['problem']:22s} {r['method']:44s} {it:>6s} {ms:>11s} {r['rel_gap']:8.0e} "
              f"{d:>8s} {b:>9s} {m:>6s}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    problem_list.add_arguments(parser)
    parser.add_argument("--rtol", type=float, default=1e-6)
    parser.add_argument("--max-iter", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, help="limit every thread pool to this many")
    parser.add_argument("--no-memory", dest="memory", action="store_false",
                        help="skip the peak-memory fits")
    parser.add_argument("--out", help="CSV file to write")
    args = parser.parse_args(argv)
    with threadpool_limits(args.threads):
        print(thread_header())
        print(f"time to f* within {args.rtol:g} (relative); def/this and best/this = our "
              f"default / best solver's time over the row's, median of {args.repeats}")
        rows = []
        for problem in problem_list.select(args.size, args.match):
            start = time.perf_counter()
            rows += run_problem(problem, args)
            # Progress on stderr: a large problem takes minutes.
            print(f"{problem.name}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    print_table(rows)
    if args.out:
        write_csv(rows, args.out)
    return rows


if __name__ == "__main__":
    sys.exit(main() and 0)
