"""Iterations and time for each solver to reach the optimum's objective.

For each problem, the optimum's objective comes from scikit-learn's own tight
solve of the same model (``LinearRegression``, ``LogisticRegression`` with
the matching ``C``), evaluated with our objective. Each configuration then
runs long with ``tol=0``; the first iterate within ``--rtol`` (relative) of
that objective gives the iterations, and a refit stopped there, timed as the
median of ``--repeats`` runs, gives the time.

Run from the repository root::

    python benchmarks/solvers.py                # table on screen
    python benchmarks/solvers.py --out solvers.csv
"""

import argparse
import sys

from _common import measure, time_peer, write_csv
from _common import objective_at as _objective_at
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import Lasso, LinearRegression, LogisticRegression
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor
from sklearn_gd._linear.losses import BinaryLogLoss, HalfSquaredError

CONFIGS = [
    ("gd", "auto"), ("gd", "line_search"), ("gd", "bb"), ("momentum", "auto"),
    ("nesterov", "auto"), ("adam", "auto"), ("adagrad", "auto"), ("rmsprop", "auto"),
]
ALPHA = 1e-4  # GDLogisticRegressor's default
LASSO_ALPHA = 1.0
# Rules that cannot take an L1 penalty (they rescale each coordinate).
SMOOTH_ONLY = ("adam", "adagrad", "rmsprop")


def problems():
    """(name, X, y, our estimator, its parameters, the optimum's objective, the peer).

    The peer is scikit-learn's own estimator for the same model, with its
    default solver settings.
    """
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ref = LinearRegression().fit(X, y)
    f_ref = _objective_at(X, y[:, None], HalfSquaredError(), 0.0, ref.coef_[:, None],
                          [ref.intercept_])
    yield "diabetes", X, y, GDLinearRegressor, {"alpha": 0.0}, f_ref, LinearRegression()
    ref = Lasso(alpha=LASSO_ALPHA, tol=1e-14, max_iter=100_000).fit(X, y)
    f_ref = _objective_at(X, y[:, None], HalfSquaredError(), LASSO_ALPHA, ref.coef_[:, None],
                          [ref.intercept_], l1_ratio=1.0)
    yield ("diabetes-lasso", X, y, GDLinearRegressor,
           {"penalty": "l1", "alpha": LASSO_ALPHA}, f_ref, Lasso(alpha=LASSO_ALPHA))
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    C = 1 / (ALPHA * len(y))
    ref = LogisticRegression(C=C, tol=1e-14, max_iter=100_000).fit(X, y)
    f_ref = _objective_at(X, y[:, None].astype(float), BinaryLogLoss(), ALPHA,
                          ref.coef_.T, ref.intercept_)
    yield ("breast_cancer", X, y, GDLogisticRegressor, {"alpha": ALPHA}, f_ref,
           LogisticRegression(C=C))


def run(rtol=1e-6, max_iter=100_000, repeats=3, configs=CONFIGS):
    rows = []
    for name, X, y, Estimator, params, f_ref, peer in problems():
        peer_seconds = time_peer(peer, X, y, repeats)
        for solver, learning_rate in configs:
            if params.get("penalty") == "l1" and solver in SMOOTH_ONLY:
                continue
            n_iter, seconds = measure(Estimator, params, X, y, f_ref, solver,
                                      learning_rate, rtol, max_iter, repeats)
            rows.append({
                "problem": name, "solver": solver, "learning_rate": learning_rate,
                "iterations": n_iter, "seconds": seconds, "peer": type(peer).__name__,
                "peer_seconds": peer_seconds,
                "ratio": None if seconds is None else seconds / peer_seconds,
            })
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtol", type=float, default=1e-6)
    parser.add_argument("--max-iter", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", help="CSV file to write")
    args = parser.parse_args(argv)
    rows = run(args.rtol, args.max_iter, args.repeats)
    print(f"Iterations and time to the optimum's objective within {args.rtol:g} (relative)")
    print("ratio = our time / the peer's (scikit-learn, default settings) in this run")
    print(f"{'problem':14s} {'solver':9s} {'learning_rate':13s} {'iterations':>11s} "
          f"{'ms':>8s} {'peer':18s} {'peer ms':>8s} {'ratio':>7s}")
    for r in rows:
        it = "not reached" if r["iterations"] is None else str(r["iterations"])
        ms = "-" if r["seconds"] is None else f"{1000 * r['seconds']:.1f}"
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.1f}"
        print(f"{r['problem']:14s} {r['solver']:9s} {r['learning_rate']:13s} {it:>11s} "
              f"{ms:>8s} {r['peer']:18s} {1000 * r['peer_seconds']:8.1f} {ratio:>7s}")
    if args.out:
        write_csv(rows, args.out)
    return rows


if __name__ == "__main__":
    sys.exit(main() and 0)
