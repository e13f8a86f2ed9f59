"""Default logistic fits on generated problems: iterations, gap and warnings.

``make_classification`` problems of 400 to 5000 rows, 5 to 30 features and
2 to 6 classes, some with their columns put on scales from 1e-4 to 1e4 and
offset, at penalties from 1e-6 to 1e-2: the default ``GDLogisticRegressor``'s
iterations, its relative gap to an optimum computed without us
(Newton-Cholesky at ``tol=1e-12``) and whether it warned. A change of the
step sizes or of the coordinates should take fewer iterations here, stop as
close, and warn no more; run both sides of one, the older through
``PYTHONPATH``::

    PYTHONPATH=../old-checkout python benchmarks/generated_fits.py --out before.csv
    python benchmarks/generated_fits.py --out after.csv

A negative gap is a fit below the reference, which on the raw columns'
scales Newton-Cholesky does not always reach.
"""

import argparse
import warnings

import numpy as np
from _common import write_csv
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from sklearn_gd import GDLogisticRegressor

# (rows, features, classes, class_sep, alpha, decades of column scales)
SHAPES = ((1000, 10, 2, 1.0, 1e-4, 0), (3000, 20, 3, 1.5, 1e-4, 0), (500, 5, 5, 2.0, 1e-4, 0),
          (1000, 10, 2, 3.0, 1e-6, 0), (2000, 15, 3, 0.5, 1e-2, 0), (800, 12, 4, 1.0, 1e-4, 3),
          (1500, 30, 2, 1.0, 1e-4, 2), (400, 8, 3, 2.5, 1e-5, 4), (5000, 6, 6, 1.0, 1e-4, 1))


def problem(n, p, n_classes, separation, decades, seed):
    X, y = make_classification(n_samples=n, n_features=p, n_informative=max(3, p // 2),
                               n_redundant=p // 4, n_classes=n_classes,
                               n_clusters_per_class=1, class_sep=separation,
                               random_state=seed)
    if decades:
        rng = np.random.default_rng(seed)
        X = (X * 10.0 ** rng.uniform(-decades, decades, p)
             + rng.uniform(-1, 1, p) * 10.0**decades)
    return X, y


def objective(X, y, coef, intercept, alpha, classes):
    """The mean log loss plus ``alpha / 2 * ||coef||^2``."""
    Z = X @ coef.T + intercept
    if Z.shape[1] == 1:
        Z = np.c_[np.zeros(len(Z)), Z[:, 0]]
    Z = Z - Z.max(axis=1, keepdims=True)
    own = Z[np.arange(len(y)), np.searchsorted(classes, y)]
    return np.mean(np.log(np.exp(Z).sum(axis=1)) - own) + 0.5 * alpha * np.sum(coef**2)


def measure(shape, seed):
    n, p, n_classes, separation, alpha, decades = shape
    X, y = problem(n, p, n_classes, separation, decades, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reference's own on raw scales
        ref = LogisticRegression(C=1 / (alpha * n), solver="newton-cholesky", tol=1e-12,
                                 max_iter=1000).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted = GDLogisticRegressor(alpha=alpha).fit(X, y)
    f_ref = objective(X, y, ref.coef_, ref.intercept_, alpha, ref.classes_)
    value = objective(X, y, fitted.coef_, fitted.intercept_, alpha, ref.classes_)
    return {"shape": f"{n}x{p}x{n_classes}", "separation": separation, "alpha": alpha,
            "decades": decades, "seed": seed, "iterations": int(fitted.n_iter_),
            "gap": (value - f_ref) / abs(f_ref),
            "warned": any(issubclass(w.category, ConvergenceWarning) for w in caught)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--limit", type=int, help="only the first shapes")
    parser.add_argument("--out", help="CSV of the fits")
    args = parser.parse_args(argv)
    rows = [measure(shape, seed) for seed in range(args.seeds)
            for shape in SHAPES[:args.limit]]
    for r in rows:
        print(f"{r['shape']:10s} sep={r['separation']:.1f} alpha={r['alpha']:.0e} "
              f"scales=1e+-{r['decades']} seed={r['seed']}: {r['iterations']:4d} iterations, "
              f"gap {r['gap']:.1e}{', warned' if r['warned'] else ''}")
    print(f"total iterations {sum(r['iterations'] for r in rows)}, largest gap "
          f"{max(r['gap'] for r in rows):.1e}, warnings {sum(r['warned'] for r in rows)}")
    if args.out:
        write_csv(rows, args.out)
    return rows


if __name__ == "__main__":
    main()
