"""The whole benchmark suite from one command: every script, its CSV and plot.

Runs, in turn and in this process (one after the other, so that no two
measurements share the cores), ``iteration_cost.py`` (default threads and one
thread), ``time_to_solution.py``, ``minibatch.py`` and ``threads.py`` on the
problems of ``--size`` (and ``--match``), writing ``<name>.csv`` (and
``<name>.png`` where the script draws) into ``--out-dir``. The tables the
scripts print are the ones in this folder's README.

Run from the repository root::

    python benchmarks/suite.py --size large --out-dir bench-results

``--size large`` takes about an hour on 2 cores (the reference solves and the
slow peers on 2e5 x 1000 dominate); ``--size small`` about 20 minutes.
"""

import argparse
import sys
from pathlib import Path

import iteration_cost
import minibatch
import problems as problem_list
import threads
import time_to_solution


def runs(size, match, repeats, out_dir):
    """``(name, main, argv)`` for each script of the suite."""
    common = ["--size", size] + (["--match", match] if match else [])
    def files(name, plot=False):
        out = ["--out", str(out_dir / f"{name}.csv")]
        return out + (["--plot", str(out_dir / f"{name}.png")] if plot else [])
    return [
        ("iteration_cost", iteration_cost.main,
         common + ["--repeats", str(repeats)] + files("iteration_cost", plot=True)),
        ("iteration_cost_1t", iteration_cost.main,
         common + ["--repeats", str(repeats), "--threads", "1"] + files("iteration_cost_1t")),
        ("time_to_solution", time_to_solution.main,
         common + ["--repeats", str(max(1, repeats // 2))] + files("time_to_solution")),
        ("minibatch", minibatch.main,
         common + ["--repeats", str(max(1, repeats // 2))] + files("minibatch", plot=True)),
        ("threads", threads.main, ["--repeats", str(repeats)] + files("threads")),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    problem_list.add_arguments(parser)
    parser.add_argument("--repeats", type=int, default=5,
                        help="repeats of the timings (halved for the whole fits)")
    parser.add_argument("--out-dir", default="bench-results", help="folder for the CSVs and plots")
    parser.add_argument("--only", help="comma-separated names of the runs to do (all by default)")
    args = parser.parse_args(argv)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    only = set(args.only.split(",")) if args.only else None
    done = {}
    for name, run, argv_ in runs(args.size, args.match, args.repeats, out_dir):
        if only is None or name in only:
            print(f"\n## {name}: {' '.join(argv_)}", flush=True)
            done[name] = run(argv_)
    return done


if __name__ == "__main__":
    sys.exit(main() and 0)
