"""Fingerprints of fitted models: the same bits before and after a change.

A change that should not alter behaviour (a refactor, a move of modules) must
leave every fit bit-identical. This script fits a table of configurations
(every solver, learning rate, schedule, penalty, batching, early stopping,
``partial_fit``, warm starts, float32, sparse input, ``minimize``) on the
benchmark problems and prints, per case, a SHA-256 of the bytes of
``coef_``, ``intercept_``, ``loss_curve_`` and ``n_iter_``. It uses only the
public API, so the same script runs on both sides of a change::

    python benchmarks/fingerprint.py --out after.csv
    git stash; python benchmarks/fingerprint.py --out before.csv; git stash pop
    python benchmarks/fingerprint.py --compare before.csv after.csv

(or check out the old commit in a ``git worktree`` and run it there). Fits run
with one BLAS thread, so the fingerprints do not depend on the thread pools.
"""

import argparse
import csv
import hashlib
import sys
import warnings

import numpy as np
import problems as problem_list
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor, minimize

# (name, parameters): each runs on every problem of its kind.
CONFIGS = [
    ("default", {}),
    *((f"solver={s}", {"solver": s}) for s in
      ("momentum", "nesterov", "adam", "adagrad", "rmsprop")),
    *((f"lr={lr}", {"learning_rate": lr}) for lr in ("lipschitz", "line_search", "bb")),
    ("lr=0.05", {"learning_rate": 0.05, "max_iter": 200}),
    ("invscaling", {"learning_rate": 0.1, "schedule": "invscaling", "max_iter": 200}),
    ("adaptive", {"learning_rate": 0.5, "schedule": "adaptive", "max_iter": 200}),
    ("l1-gd", {"penalty": "l1", "alpha": 0.01}),
    ("elasticnet-nesterov", {"penalty": "elasticnet", "alpha": 0.01, "solver": "nesterov"}),
    ("l1-momentum", {"penalty": "l1", "alpha": 0.01, "solver": "momentum"}),
    ("minibatch-gd", {"batch_size": 32, "random_state": 0, "max_iter": 20}),
    ("minibatch-nesterov", {"batch_size": 32, "solver": "nesterov", "random_state": 0,
                            "max_iter": 20}),
    ("minibatch-adam", {"batch_size": 64, "solver": "adam", "random_state": 0,
                        "max_iter": 20}),
    ("minibatch-invscaling", {"batch_size": 16, "learning_rate": 0.01,
                              "schedule": "invscaling", "random_state": 0, "max_iter": 5}),
    ("minibatch-l1", {"batch_size": 32, "penalty": "l1", "alpha": 0.01, "random_state": 0,
                      "max_iter": 10}),
    ("early-stopping", {"early_stopping": True, "random_state": 0}),
    ("early-stopping-minibatch", {"early_stopping": True, "batch_size": 32,
                                  "random_state": 0, "max_iter": 30}),
    ("no-intercept", {"fit_intercept": False}),
]


def digest(*arrays):
    """SHA-256 of the arrays' bytes, shapes and dtypes."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(np.asarray(a))
        h.update(f"{a.shape}{a.dtype}".encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


def model_digest(model):
    return digest(model.coef_, model.intercept_, model.loss_curve_, model.n_iter_)


def fit_cases(problem, X, y):
    """``(case, digest)`` of every configuration, ``partial_fit`` and warm start."""
    Estimator = GDLinearRegressor if problem.kind == "regression" else GDLogisticRegressor
    for name, params in CONFIGS:
        try:
            yield name, model_digest(Estimator(**params).fit(X, y))
        except ValueError as exc:  # a configuration the problem refuses
            yield name, f"error: {type(exc).__name__}"
    extra = {} if problem.kind == "regression" else {"classes": np.unique(y)}
    for params in ({}, {"batch_size": 16, "solver": "adam"},
                   {"learning_rate": 0.01, "schedule": "invscaling", "solver": "momentum"}):
        model = Estimator(random_state=0, **params)
        for rows in np.array_split(np.arange(X.shape[0]), 3):
            model.partial_fit(X[rows], y[rows], **extra)
        yield f"partial_fit{params or ''}", model_digest(model)
    model = Estimator(max_iter=5, warm_start=True).fit(X, y)
    yield "warm_start", model_digest(model.fit(X, y))


def minimize_cases():
    A = np.diag(np.linspace(1.0, 50.0, 8))
    b = np.linspace(-1.0, 1.0, 8)

    def fun(x):
        return 0.5 * x @ A @ x - b @ x, A @ x - b

    for solver in ("gd", "momentum", "nesterov", "adam", "adagrad", "rmsprop"):
        for lr in ("auto", "lipschitz", 0.01):
            for l1 in (0.0, 0.1):
                if l1 and solver in ("adam", "adagrad", "rmsprop"):
                    continue
                res = minimize(fun, np.zeros(8), jac=True, learning_rate=lr, solver=solver,
                               lipschitz=50.0, l1=l1, max_iter=300, record_path=True)
                yield (f"minimize-{solver}-{lr}-l1={l1}",
                       digest(res.x, res.loss_curve, res.path, res.nit))


def rows(size, match):
    with warnings.catch_warnings(), threadpool_limits(1, "blas"):
        warnings.simplefilter("ignore")
        for problem in problem_list.select(size, match):
            X, y = problem.load()
            variants = [("", X)]
            if problem.name in ("diabetes", "breast_cancer"):
                variants.append(("[csr]", sp.csr_matrix(X)))
            for suffix, data in variants:
                for case, value in fit_cases(problem, data, y):
                    yield {"problem": problem.name + suffix, "case": case, "digest": value}
        for case, value in minimize_cases():
            yield {"problem": "quadratic", "case": case, "digest": value}


def compare(before, after):
    """Print the cases whose digests differ; return their number."""
    def read(path):
        with open(path, newline="") as handle:
            return {(r["problem"], r["case"]): r["digest"] for r in csv.DictReader(handle)}
    old, new = read(before), read(after)
    differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    for key in differ:
        print(f"{key[0]:24s} {key[1]:40s} {old.get(key, '-'):18s} {new.get(key, '-')}")
    print(f"{len(old)} cases before, {len(new)} after, {len(differ)} differ")
    return len(differ)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    problem_list.add_arguments(parser)
    parser.set_defaults(size="tiny")
    parser.add_argument("--out", help="CSV of the fingerprints")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"),
                        help="compare two CSVs instead of fitting")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    table = list(rows(args.size, args.match))
    if args.out:
        with open(args.out, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["problem", "case", "digest"])
            writer.writeheader()
            writer.writerows(table)
    print(f"{len(table)} fingerprints" + (f" written to {args.out}" if args.out else ""))
    return table


if __name__ == "__main__":
    result = main()
    sys.exit(1 if isinstance(result, int) and result else 0)
