"""One epoch of stochastic and mini-batch descent against scikit-learn's SGD.

One epoch (``max_iter=1``) of ``GDLogisticRegressor(batch_size=b,
learning_rate=0.01)`` and ``GDLinearRegressor(...)`` against
``SGDClassifier(loss="log_loss", max_iter=1, tol=None)`` and
``SGDRegressor(max_iter=1, tol=None)`` (the same objective, one sample a step),
on a dense 1e5 x 50 problem and on a text-like CSR matrix 1e5 x 1e4 at 0.5%
density with power-law column frequencies. Times are medians of interleaved
repeats (ours, then the peer), after a warm-up fit of each; the ratio is ours
over the peer's. ``SKLEARN_GD_NUMBA=0 python benchmarks/sgd_epoch.py`` times
our Python loop instead of the compiled epoch (the numpy path, without the
``fast`` extra).

Run from the repository root::

    python benchmarks/sgd_epoch.py --repeats 7
"""

import argparse
import time
import warnings

import numpy as np
import scipy.sparse as sp
from _common import cell, thread_header, write_csv
from sklearn.linear_model import SGDClassifier, SGDRegressor

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor


def dense(n, p, seed=0):
    """Standardized Gaussian features; labels and targets from a linear model."""
    rng = np.random.default_rng([seed, n, p])
    X = rng.standard_normal((n, p))
    w = rng.standard_normal(p) / np.sqrt(p)
    z = X @ w
    return X, (z + rng.logistic(size=n) > 0).astype(int), z + rng.normal(size=n)


def text_like(n, p, density, seed=0):
    """CSR counts with power-law column frequencies, log1p-scaled, rows of unit norm."""
    rng = np.random.default_rng([seed, n, p])
    frequency = 1.0 / np.arange(1, p + 1) ** 1.1
    frequency /= frequency.sum()
    per_row = rng.poisson(density * p, size=n).clip(1)
    indptr = np.concatenate([[0], np.cumsum(per_row)])
    indices = rng.choice(p, size=indptr[-1], p=frequency)
    data = np.log1p(rng.poisson(1.0, size=indptr[-1]) + 1.0)
    X = sp.csr_matrix((data, indices, indptr), shape=(n, p))
    X.sum_duplicates()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.diags(1 / norms) @ X
    w = rng.standard_normal(p)
    z = X @ w
    return X.tocsr(), (z + rng.logistic(size=n) * 0.3 > 0).astype(int), z


def cases(size):
    n = {"tiny": 2000, "large": 100_000}[size]
    X, y_class, y_reg = dense(n, 50)
    T, t_class, _ = text_like(n, n // 10, 0.005)
    rows = []
    for b in (1, 32, 256):
        rows.append((f"dense {n}x50 log", b, X, y_class, GDLogisticRegressor,
                     SGDClassifier(loss="log_loss", max_iter=1, tol=None, random_state=0)))
    rows.append((f"dense {n}x50 squared", 1, X, y_reg, GDLinearRegressor,
                 SGDRegressor(max_iter=1, tol=None, random_state=0)))
    rows.append((f"csr {n}x{n // 10} log", 1, T, t_class, GDLogisticRegressor,
                 SGDClassifier(loss="log_loss", max_iter=1, tol=None, random_state=0)))
    return rows


def measure(ours, peer, X, y, repeats):
    times = {"ours": [], "peer": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours.fit(X, y), peer.fit(X, y)  # warm-up: imports, compiled kernels
        for _ in range(repeats):
            for key, model in (("ours", ours), ("peer", peer)):
                start = time.perf_counter()
                model.fit(X, y)
                times[key].append(time.perf_counter() - start)
    return {key: (float(np.median(t)), float(np.min(t)), float(np.max(t)))
            for key, t in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("tiny", "large"), default="large")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    print(thread_header())
    print(f"{'data':24s} {'batch':>5s} {'ours ms':>20s} {'SGD ms':>20s} {'ratio':>6s}")
    rows = []
    for name, batch, X, y, Estimator, peer in cases(args.size):
        ours = Estimator(batch_size=batch, learning_rate=0.01, max_iter=1, random_state=0)
        t = measure(ours, peer, X, y, args.repeats)
        ratio = t["ours"][0] / t["peer"][0]
        print(f"{name:24s} {batch:5d} {_ms(t['ours']):>20s} {_ms(t['peer']):>20s} "
              f"{ratio:6.2f}")
        rows.append({"data": name, "batch_size": batch, "ours_ms": t["ours"][0] * 1e3,
                     "peer_ms": t["peer"][0] * 1e3, "ratio": ratio})
    if args.out:
        write_csv(rows, args.out)
    return rows


def _ms(timing):
    """``median [min, max]`` in milliseconds."""
    median, low, high = (cell(1e3 * v, ".1f") for v in timing)
    return f"{median} [{low}, {high}]"


if __name__ == "__main__":
    main()
