"""Fit times with the default thread pools against one thread.

numpy's OpenBLAS, scipy's own OpenBLAS and scikit-learn's OpenMP are three
separate pools, each as large as the machine; on small problems their
threads cost more than they save. For each estimator, the median time of
``fit`` with the default pools and inside ``threadpool_limits(1)`` (every
pool one thread), and their ratio, measured in the same run.

Run from the repository root::

    python benchmarks/threads.py --out threads.csv
"""

import argparse
import sys

import problems as problem_list
from _common import median_seconds, thread_header, write_csv
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_gd import GDLogisticRegressor


def estimators():
    """The estimators timed: ``{name: estimator}``, default settings."""
    return {
        "LogisticRegression()": LogisticRegression(),
        'GDLogisticRegressor(solver="nesterov")': GDLogisticRegressor(solver="nesterov"),
    }


def run_problem(problem, repeats):
    """One row per estimator: default threads against one, on ``problem``."""
    X, y = problem.load()
    default_threads = max(pool["num_threads"] for pool in threadpool_info())
    rows = []
    for name, estimator in estimators().items():
        default = median_seconds(lambda: estimator.fit(X, y), repeats)
        with threadpool_limits(1):
            one = median_seconds(lambda: estimator.fit(X, y), repeats)
        rows.append({"problem": problem.name, "estimator": name,
                     "default_threads": default_threads, "default_seconds": default,
                     "one_thread_seconds": one, "default_over_one": default / one})
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    problem_list.add_arguments(parser)
    parser.set_defaults(size="tiny", match="digits")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", help="CSV file to write")
    args = parser.parse_args(argv)
    print(thread_header())
    rows = [r for p in problem_list.select(args.size, args.match)
            for r in run_problem(p, args.repeats)]
    print(f"{'problem':16s} {'estimator':40s} {'default ms':>10s} {'1 thread ms':>11s} "
          f"{'ratio':>6s}")
    for r in rows:
        print(f"{r['problem']:16s} {r['estimator']:40s} {1000 * r['default_seconds']:10.1f} "
              f"{1000 * r['one_thread_seconds']:11.1f} {r['default_over_one']:6.2f}")
    if args.out:
        write_csv(rows, args.out)
    return rows


if __name__ == "__main__":
    sys.exit(main() and 0)
