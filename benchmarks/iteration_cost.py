"""The cost of one full-batch gradient evaluation, in matrix-vector products.

For each problem, the time of ``LinearModelObjective.value_and_grad`` (the
pass every full-batch iteration makes: the objective and its gradient) for
the squared and the binary log loss, divided by the time of one ``X @ w`` on
the same ``X`` (the peer: the least any gradient pass must do; a gradient
needs ``X @ w`` and ``X.T @ r``, so 2 is the floor of a pass that reads ``X``
twice). Each time is the median of ``--repeats`` batches, each batch long
enough (at least ``--min-batch-seconds``) to be timed reliably.

Run from the repository root::

    python benchmarks/iteration_cost.py --size small --out iteration_cost.csv
    python benchmarks/iteration_cost.py --size tiny --plot iteration_cost.png
"""

import argparse
import sys
import time

import numpy as np
import problems as problem_list
from _common import thread_header, write_csv
from threadpoolctl import threadpool_limits

from sklearn_gd._backends.host import fused_available
from sklearn_gd._backends.threads import threads_for
from sklearn_gd._linear.losses import BinaryLogLoss, HalfSquaredError
from sklearn_gd._linear.objective import LinearModelObjective

ALPHA = 1e-4


def per_call_seconds(fn, repeats, min_batch_seconds):
    """The median time of one call of ``fn``, over ``repeats`` timed batches.

    A batch repeats ``fn`` enough times to last ``min_batch_seconds``, so that
    calls of microseconds are not lost in the clock's resolution.
    """
    start = time.perf_counter()
    fn()  # also warms caches and lazy imports
    once = time.perf_counter() - start
    number = max(1, int(np.ceil(min_batch_seconds / max(once, 1e-9))))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return float(np.median(times))


def _objective(X, Y, loss):
    # The same weights' dtype as the estimators pass, so float32 stays float32.
    return LinearModelObjective(X, Y, np.ones(X.shape[0], dtype=X.dtype), loss, alpha=ALPHA,
                                fit_intercept=True, n_outputs=1)


def _log_targets(y, dtype):
    # Any 0/1 column costs the same; binary labels are used as they are.
    labels = y if np.isin(y, (0, 1)).all() else y > np.median(y)
    return np.asarray(labels, dtype=dtype)[:, None]


def measure_problem(problem, repeats, min_batch_seconds):
    """One CSV row: the gradient passes' times and their ratios to ``X @ w``."""
    X, y = problem.load()
    rng = np.random.default_rng(0)
    # Scaled before the cast: a numpy float64 scalar would turn float32 back to float64.
    theta = (rng.standard_normal((X.shape[1] + 1, 1)) / np.sqrt(X.shape[1])).astype(X.dtype)
    w = theta[:-1]
    matvec = per_call_seconds(lambda: X @ w, repeats, min_batch_seconds)
    row = {"problem": problem.name, "n_samples": X.shape[0], "n_features": X.shape[1],
           "dtype": X.dtype.name, "sparse": problem.sparse, "matvec_ms": 1e3 * matvec}
    losses = {"squared": (HalfSquaredError(), np.asarray(y, dtype=X.dtype)[:, None]),
              "log": (BinaryLogLoss(), _log_targets(y, X.dtype))}
    # Timed inside the thread settings a fit on X runs under, with the pass a
    # fit picks ("auto") and with the numpy passes only (numba absent).
    with threads_for(X) as n_threads:
        row["threads"] = n_threads
        for name, (loss, Y) in losses.items():
            for path, fused in (("", True), ("numpy_", False)):
                objective = _objective(X, Y, loss)
                objective.n_threads, objective.fused = n_threads, fused
                seconds = per_call_seconds(lambda: objective.value_and_grad(theta),
                                           repeats, min_batch_seconds)
                row[f"{name}_{path}ms"] = 1e3 * seconds
                row[f"{name}_{path}ratio"] = seconds / matvec
    return row


def plot(rows, path):
    """A bar chart of the ratios per problem, when matplotlib is installed."""
    try:
        import matplotlib
    except ImportError:
        print(f"matplotlib is not installed: no plot written to {path}")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r["problem"] for r in rows]
    x = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(rows)), 4))
    ax.bar(x - 0.2, [r["squared_ratio"] for r in rows], 0.4, label="squared loss")
    ax.bar(x + 0.2, [r["log_ratio"] for r in rows], 0.4, label="log loss")
    ax.axhline(2, color="k", lw=0.8, ls="--", label="2 (reads X twice)")
    ax.set_xticks(x, names, rotation=60, ha="right")
    ax.set_ylabel("value_and_grad time / X @ w time")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)


def print_table(rows):
    print(f"{'problem':28s} {'thr':>3s} {'X @ w ms':>9s} {'squared ms':>10s} {'ratio':>6s} "
          f"{'log ms':>9s} {'ratio':>6s} {'numpy: squared':>14s} {'log':>6s}")
    for r in rows:
        print(f"{r['problem']:28s} {r['threads']:3d} {r['matvec_ms']:9.3f} "
              f"{r['squared_ms']:10.3f} {r['squared_ratio']:6.2f} {r['log_ms']:9.3f} "
              f"{r['log_ratio']:6.2f} {r['squared_numpy_ratio']:14.2f} "
              f"{r['log_numpy_ratio']:6.2f}")


def float32_speedups(rows):
    """``float64 time / float32 time`` of each pass, for every problem that
    comes in both dtypes (the issue's target: at least 1.7)."""
    by_name = {r["problem"]: r for r in rows}
    out = []
    for name, r64 in by_name.items():
        r32 = by_name.get(name.replace("float64", "float32"))
        if name.endswith("float64") and r32 is not None:
            out.append({"problem": name.replace("-float64", ""),
                        **{f"{loss}_speedup": r64[f"{loss}_ms"] / r32[f"{loss}_ms"]
                           for loss in ("squared", "log")}})
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    problem_list.add_arguments(parser)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--min-batch-seconds", type=float, default=0.05)
    parser.add_argument("--threads", type=int, help="limit every thread pool to this many")
    parser.add_argument("--out", help="CSV file to write")
    parser.add_argument("--plot", help="PNG file to draw the ratios in (needs matplotlib)")
    args = parser.parse_args(argv)
    with threadpool_limits(args.threads):
        print(thread_header())
        print("ratio = value_and_grad time / one X @ w time, median of "
              f"{args.repeats} repeats" + (f", {args.threads} thread(s)" if args.threads else "")
              + f"; fused (numba) pass available: {fused_available()}; thr = threads of the pass")
        rows = [measure_problem(p, args.repeats, args.min_batch_seconds)
                for p in problem_list.select(args.size, args.match)]
    print_table(rows)
    for r in float32_speedups(rows):
        print(f"float32 speed-up {r['problem']}: squared {r['squared_speedup']:.2f}x, "
              f"log {r['log_speedup']:.2f}x")
    if args.out:
        write_csv(rows, args.out)
    if args.plot:
        plot(rows, args.plot)
    return rows


if __name__ == "__main__":
    sys.exit(main() and 0)
