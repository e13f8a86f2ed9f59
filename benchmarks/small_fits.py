"""Small fits: our default fits against scikit-learn's on the data most users have.

Default ``GDLogisticRegressor()`` against ``LogisticRegression(C=1/(alpha n))``
(the same objective) at its defaults, on standardized iris, wine,
breast_cancer and digits and on synthetic problems of two held-back real
sets' shapes (5000 x 2 binary; 2000 x 18 with 7 classes); default
``GDLinearRegressor()`` against ``LinearRegression()`` on diabetes. Times are
medians of interleaved repeats (ours, then the peer, in turn), in one process
after a warm-up fit of each; the ratio is ours over the peer's.

Run from the repository root::

    python benchmarks/small_fits.py --repeats 31 --out small_fits.csv
"""

import argparse

import numpy as np
from _common import cell, interleaved_fits, thread_header, write_csv
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
)
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor

ALPHA = 1e-4  # GDLogisticRegressor's default


def _standardized(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _synthetic(n, p, n_classes, seed=0):
    """Standardized Gaussian features, labels from a linear model with noise."""
    rng = np.random.default_rng([seed, n, p, n_classes])
    X = rng.standard_normal((n, p))
    scores = X @ rng.standard_normal((p, n_classes)) + rng.gumbel(size=(n, n_classes))
    return X, scores.argmax(axis=1)


def _collinear(n, p, n_classes, independent, seed=0):
    """Standardized features of which only ``independent`` are independent,
    the others their combinations plus 1% noise (as several measures of one
    quantity are), and labels from a linear model of the independent ones."""
    rng = np.random.default_rng([seed, n, p, n_classes, independent])
    Z = rng.standard_normal((n, independent))
    mixed = Z @ rng.standard_normal((independent, p - independent))
    X = np.hstack([Z, mixed + 0.01 * rng.standard_normal(mixed.shape)])
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    scores = 2 * Z @ rng.standard_normal((independent, n_classes))
    return X, (scores + rng.gumbel(size=(n, n_classes))).argmax(axis=1)


# With --wider: synthetic shapes of a few thousand rows whose coefficients
# are few enough to be whitened (at most 64), where measuring the metric
# costs the most beside a pass.
WIDER = ((5000, 6, 6), (2000, 15, 4), (3000, 20, 3), (10_000, 7, 4), (8000, 31, 2))


def problems(wider=False):
    """``(name, X, y, ours, peer)`` for each problem."""
    logistic = [("iris", *_standardized(load_iris)), ("wine", *_standardized(load_wine)),
                ("breast_cancer", *_standardized(load_breast_cancer)),
                ("digits", *_standardized(load_digits)),
                ("5000x2 binary", *_synthetic(5000, 2, 2)),
                ("2000x18 7 classes", *_synthetic(2000, 18, 7)),
                ("2310x18 7 collinear", *_collinear(2310, 18, 7, 8))]
    if wider:
        logistic += [(f"{n}x{p} {k} classes", *_synthetic(n, p, k)) for n, p, k in WIDER]
    rows = [(name, X, y, GDLogisticRegressor(),
             LogisticRegression(C=1 / (ALPHA * len(y)))) for name, X, y in logistic]
    X, y = _standardized(load_diabetes)
    return rows + [("diabetes", X, y, GDLinearRegressor(), LinearRegression())]


def measure(ours, peer, X, y, repeats):
    """Median seconds of ``ours.fit`` and ``peer.fit``, interleaved, and the
    iterations each took."""
    times = interleaved_fits(ours, peer, X, y, repeats)
    peer_iter = getattr(peer, "n_iter_", None)
    peer_iter = None if peer_iter is None else int(np.max(peer_iter))
    return times, ours.n_iter_, peer_iter


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=31)
    parser.add_argument("--out", help="CSV of the table")
    parser.add_argument("--wider", action="store_true",
                        help="also the synthetic shapes of WIDER")
    args = parser.parse_args(argv)
    print(thread_header())
    print(f"{'data':20s} {'n x d x classes':18s} {'ours ms (iter)':>18s} "
          f"{'peer ms (iter)':>18s} {'ratio':>6s}")
    rows = []
    for name, X, y, ours, peer in problems(args.wider):
        t, ours_iter, peer_iter = measure(ours, peer, X, y, args.repeats)
        shape = f"{X.shape[0]} x {X.shape[1]}" + (
            "" if isinstance(ours, GDLinearRegressor) else f" x {len(np.unique(y))}")
        ratio = t["ours"][0] / t["peer"][0]
        print(f"{name:20s} {shape:18s} {1e3 * t['ours'][0]:9.2f} ({ours_iter:4d}) "
              f"{1e3 * t['peer'][0]:9.2f} ({cell(peer_iter, '4d'):>4s}) {ratio:6.2f}")
        rows.append({"data": name, "shape": shape, "ours_ms": 1e3 * t["ours"][0],
                     "ours_min_ms": 1e3 * t["ours"][1], "ours_max_ms": 1e3 * t["ours"][2],
                     "ours_iter": ours_iter, "peer": type(peer).__name__,
                     "peer_ms": 1e3 * t["peer"][0], "peer_min_ms": 1e3 * t["peer"][1],
                     "peer_max_ms": 1e3 * t["peer"][2], "peer_iter": peer_iter,
                     "ratio": ratio})
    if args.out:
        write_csv(rows, args.out)
    return rows


if __name__ == "__main__":
    main()
