"""Mini-batch descent against ``SGDClassifier``: the time to reach its final objective.

For each binary classification problem (by default the dense ``cla-``
problems of the size asked, float64 and float32), scikit-learn's
``SGDClassifier(loss="log_loss", alpha=1e-4, random_state=0)`` is fitted with
its default settings and stopping rule (the peer: median time of
``--repeats`` fits), and its final coefficients are scored with our objective
(mean log loss plus ``alpha/2 ||w||^2``, the intercept unpenalized: the same
model ``SGDClassifier`` minimizes), ``f_peer``.

Ours is ``GDLogisticRegressor(alpha=1e-4, batch_size=b, solver=s,
learning_rate="auto", random_state=0, tol=0)`` for each ``b`` of
``--batch-sizes`` and ``s`` of ``--solvers``. Runs with ``record_path=True``
(of 1, 2, 4, ... epochs, up to ``--max-epochs``) give the full objective after
every epoch; the fewest epochs ``k`` whose objective is at most ``f_peer``
gives the time, as the median of ``--repeats`` refits with ``max_iter=k``
(the same seed, so the same shuffles: the refit stops on the recorded
iterate). A configuration
whose every epoch stays above ``f_peer`` is "not reached", with its least
relative gap. ``ratio`` is our time over the peer's; the target is
``--target`` (0.5: ours in at most half the peer's time).

Run from the repository root::

    python benchmarks/minibatch.py --size small --out minibatch.csv
    python benchmarks/minibatch.py --size large --match cla-1e6x50-float64 --repeats 1
"""

import argparse
import sys
import time
import warnings

import numpy as np
import problems as problem_list
from _common import median_seconds, model_objective, thread_header, write_csv
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from threadpoolctl import threadpool_limits

from sklearn_gd import GDLogisticRegressor

ALPHA = 1e-4  # GDLogisticRegressor's default, and SGDClassifier's
LEARNING_RATE = "auto"


def select(size, match):
    """The problems to run: the dense ``cla-`` ones unless ``match`` says otherwise."""
    chosen = problem_list.select(size, match or "cla-", kind="classification")
    return chosen if match else [p for p in chosen if not p.sparse]


def fit_peer(X, y, f, repeats):
    """``SGDClassifier`` with its defaults: median seconds, epochs, our objective."""
    peer = SGDClassifier(loss="log_loss", alpha=ALPHA, random_state=0)
    seconds = median_seconds(lambda: peer.fit(X, y), repeats)
    return {"peer_seconds": seconds, "peer_epochs": int(peer.n_iter_),
            "peer_objective": f(peer.coef_, peer.intercept_)}


def ours(batch_size, solver, max_iter, record_path=False):
    return GDLogisticRegressor(alpha=ALPHA, batch_size=batch_size, solver=solver,
                               learning_rate=LEARNING_RATE, random_state=0, tol=0.0,
                               max_iter=max_iter, record_path=record_path)


def epochs_to_reach(batch_size, solver, X, y, f, f_peer, max_epochs):
    """The fewest epochs whose full objective is at most ``f_peer``, and the least met.

    Returns ``(epochs, best)``, ``epochs`` None when no epoch up to
    ``max_epochs`` gets there. A fit's path entry ``k`` is what a fit with
    ``max_iter=k`` ends on (the same seed, the same shuffles), so runs of 1, 2,
    4, ... epochs find ``k`` in at most about twice its epochs, not
    ``max_epochs`` every time.
    """
    best, done, budget = np.inf, 0, 1
    while True:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est = ours(batch_size, solver, budget, record_path=True).fit(X, y)
        # Each evaluation is a full pass over X: only the epochs not seen yet.
        for k in range(done + 1, len(est.coef_path_)):
            value = f(est.coef_path_[k], est.intercept_path_[k])
            best = min(best, value)
            if value <= f_peer:
                return k, value
        done = len(est.coef_path_) - 1
        if budget >= max_epochs or done < budget:  # the run stopped by itself
            return None, best
        budget = min(2 * budget, max_epochs)


def our_row(problem, X, y, f, peer, batch_size, solver, args):
    """One CSV row: a configuration's epochs and time to ``f_peer``."""
    f_peer = peer["peer_objective"]
    epochs, best = epochs_to_reach(batch_size, solver, X, y, f, f_peer, args.max_epochs)
    seconds = ratio = None
    if epochs is not None:
        est = ours(batch_size, solver, epochs)
        seconds = median_seconds(lambda: est.fit(X, y), args.repeats)
        best = f(est.coef_, est.intercept_)
        if best > f_peer:  # the refit should retrace the recorded run exactly
            print(f"warning: {problem.name} b={batch_size} {solver}: the refit with "
                  f"max_iter={epochs} ends above the peer's objective", file=sys.stderr)
        ratio = seconds / peer["peer_seconds"]
    n = X.shape[0]
    return {"problem": problem.name, "n_samples": n, "n_features": X.shape[1],
            "dtype": X.dtype.name, "batch_size": batch_size, "solver": solver,
            "learning_rate": LEARNING_RATE, "epochs": epochs,
            "steps_per_epoch": -(-n // min(batch_size, n)), "seconds": seconds,
            "objective": best, "rel_gap": (best - f_peer) / abs(f_peer),
            "reached": epochs is not None, **peer, "ratio": ratio}


def run_problem(problem, args):
    """The rows of one problem, or none when it is not binary."""
    X, y = problem.load()
    if len(np.unique(y)) != 2:
        print(f"{problem.name}: not binary, skipped (SGDClassifier would be one-vs-rest)",
              file=sys.stderr)
        return []
    # Scored in float64, so that float32 problems compare at full precision.
    f = model_objective(GDLogisticRegressor, {"alpha": ALPHA},
                        X.astype(np.float64, copy=False), y)
    peer = fit_peer(X, y, f, args.repeats)
    return [our_row(problem, X, y, f, peer, b, s, args)
            for b in args.batch_sizes for s in args.solvers]


def best_rows(rows):
    """The fastest configuration that reached, per problem (None if none did)."""
    best = {}
    for r in rows:
        current = best.setdefault(r["problem"], None)
        if r["reached"] and (current is None or r["ratio"] < current["ratio"]):
            best[r["problem"]] = r
    return best


def config_name(r):
    return f"b={r['batch_size']} {r['solver']}/{r['learning_rate']}"


def print_table(rows):
    print(f"{'problem':22s} {'ours':24s} {'epochs':>6s} {'ms':>10s} {'peer ms':>10s} "
          f"{'peer ep':>7s} {'ours/peer':>24s}")
    for r in rows:
        peer = f"{1000 * r['peer_seconds']:.1f}"
        if r["reached"]:
            epochs, ms, ratio = str(r["epochs"]), f"{1000 * r['seconds']:.1f}", f"{r['ratio']:.2f}"
        else:
            epochs, ms, ratio = "-", "-", f"not reached ({r['rel_gap']:.0e})"
        print(f"{r['problem']:22s} {config_name(r):24s} {epochs:>6s} {ms:>10s} {peer:>10s} "
              f"{r['peer_epochs']:>7d} {ratio:>24s}")


def print_best(rows, target):
    print(f"\nbest configuration per problem (target: ours/peer <= {target:g})")
    for name, r in best_rows(rows).items():
        if r is None:
            print(f"{name:22s} no configuration reached the peer's objective")
            continue
        verdict = "met" if r["ratio"] <= target else f"missed, {r['ratio'] / target:.1f}x over"
        print(f"{name:22s} {config_name(r):24s} ratio {r['ratio']:.2f}: {verdict}")


def plot(rows, path, target):
    """A bar chart of ours/peer per configuration, one bar per problem."""
    try:
        import matplotlib
    except ImportError:
        print(f"matplotlib is not installed: no plot written to {path}")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    configs = list(dict.fromkeys(config_name(r) for r in rows))
    names = list(dict.fromkeys(r["problem"] for r in rows))
    ratio = {(r["problem"], config_name(r)): r["ratio"] for r in rows}
    x, width = np.arange(len(configs)), 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(configs)), 4))
    for i, name in enumerate(names):
        # A configuration that never reached the peer has no bar.
        heights = [np.nan if ratio.get((name, c)) is None else ratio[name, c] for c in configs]
        ax.bar(x + (i - (len(names) - 1) / 2) * width, heights, width, label=name)
    ax.axhline(target, color="k", lw=0.8, ls="--", label=f"target {target:g}")
    ax.axhline(1, color="grey", lw=0.8, ls=":")
    ax.set_xticks(x, configs, rotation=60, ha="right")
    ax.set_ylabel("ours / SGDClassifier time")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path)


def int_list(text):
    return [int(v) for v in text.split(",")]


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    problem_list.add_arguments(parser)
    parser.add_argument("--batch-sizes", type=int_list, default=[256, 1024, 4096],
                        help="comma-separated batch sizes")
    parser.add_argument("--solvers", type=lambda s: s.split(","),
                        default=["gd", "nesterov", "adam"], help="comma-separated solvers")
    parser.add_argument("--max-epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--target", type=float, default=0.5)
    parser.add_argument("--threads", type=int, help="limit every thread pool to this many")
    parser.add_argument("--out", help="CSV file to write")
    parser.add_argument("--plot", help="PNG file to draw the ratios in (needs matplotlib)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    with threadpool_limits(args.threads):
        print(thread_header())
        print(f"ours/peer = time to SGDClassifier's final objective over its fit time, "
              f"median of {args.repeats}; up to {args.max_epochs} epochs")
        rows = []
        for problem in select(args.size, args.match):
            start = time.perf_counter()
            rows += run_problem(problem, args)
            # Progress on stderr: a large problem takes minutes.
            print(f"{problem.name}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    print_table(rows)
    print_best(rows, args.target)
    if args.out:
        write_csv(rows, args.out)
    if args.plot:
        plot(rows, args.plot, args.target)
    return rows


if __name__ == "__main__":
    sys.exit(main() and 0)
