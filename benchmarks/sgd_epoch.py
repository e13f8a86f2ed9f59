"""One epoch of stochastic and mini-batch descent against scikit-learn's SGD.

One epoch (``max_iter=1``) of ``GDLogisticRegressor(batch_size=b,
learning_rate=0.01)`` and ``GDLinearRegressor(...)`` against
``SGDClassifier(loss="log_loss", max_iter=1, tol=None)`` and
``SGDRegressor(max_iter=1, tol=None)`` (the same objective, one sample a step),
on a dense 1e5 x 50 problem and on a text-like CSR matrix 1e5 x 1e4 at 0.5%
density with power-law column frequencies. Then the time our default fits
(``batch_size`` 1 and 32, and averaged) take to reach the final objective of
``SGDClassifier(loss="log_loss", alpha=1e-4)`` at its defaults (and
averaged). Times are medians of interleaved repeats (ours, then the peer),
after a warm-up fit of each; the ratio is ours over the peer's.
``SKLEARN_GD_NUMBA=0 python benchmarks/sgd_epoch.py`` times our Python loop
instead of the compiled epoch (the numpy path, without the ``fast`` extra).

Run from the repository root::

    python benchmarks/sgd_epoch.py --repeats 7
"""

import argparse
import warnings

import numpy as np
import scipy.sparse as sp
from _common import cell, interleaved_fits, median_seconds, thread_header, write_csv
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


def objective(model, X, y, alpha):
    """Our objective (mean log loss plus ``alpha/2 ||w||^2``) at a fitted
    binary classifier's coefficients, whoever fitted it."""
    w = model.coef_.ravel()
    z = X @ w + model.intercept_[0]
    return float(np.mean(np.logaddexp(0, z) - y * z) + 0.5 * alpha * (w @ w))


def time_to_objective(X, y, repeats, alpha=1e-4, max_epochs=60):
    """Rows ``(configuration, epochs, ours ms, SGD ms, ratio)``: the time our
    default fit at ``batch_size`` 1 and 32 (and averaged) takes to reach the
    final objective of ``SGDClassifier(loss="log_loss", alpha)`` at its
    defaults (and averaged): the fewest epochs that reach it, refitted and
    timed (medians)."""
    rows = []
    for average in (False, True):
        sgd = SGDClassifier(loss="log_loss", alpha=alpha, average=average, random_state=0)
        sgd_ms = measure_once(sgd, X, y, repeats)
        target = objective(sgd.fit(X, y), X, y, alpha)
        for batch in (1, 32):
            params = dict(alpha=alpha, batch_size=batch, average=average, random_state=0)
            for epochs in range(1, max_epochs + 1):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ours = GDLogisticRegressor(max_iter=epochs, **params).fit(X, y)
                if objective(ours, X, y, alpha) <= target:
                    break
            else:
                rows.append((f"average={average}, batch_size={batch}", None, None, sgd_ms,
                             None))
                continue
            ours_ms = measure_once(GDLogisticRegressor(max_iter=epochs, **params), X, y,
                                   repeats)
            rows.append((f"average={average}, batch_size={batch}", epochs, ours_ms, sgd_ms,
                         ours_ms / sgd_ms))
    return rows


def measure_once(model, X, y, repeats):
    """The median time of ``model.fit`` over ``repeats`` fits, after a
    warm-up fit, in ms."""
    median_seconds(lambda: model.fit(X, y), 1)
    return 1e3 * median_seconds(lambda: model.fit(X, y), repeats)


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
        t = interleaved_fits(ours, peer, X, y, args.repeats)
        ratio = t["ours"][0] / t["peer"][0]
        print(f"{name:24s} {batch:5d} {_ms(t['ours']):>20s} {_ms(t['peer']):>20s} "
              f"{ratio:6.2f}")
        rows.append({"data": name, "batch_size": batch, "ours_ms": t["ours"][0] * 1e3,
                     "peer_ms": t["peer"][0] * 1e3, "ratio": ratio})
    print("\ntime to SGDClassifier(loss='log_loss', alpha=1e-4)'s final objective "
          "(its defaults), our defaults:")
    X, y_class, _ = dense({"tiny": 2000, "large": 100_000}[args.size], 50)
    for name, epochs, ours_ms, sgd_ms, ratio in time_to_objective(X, y_class,
                                                                   args.repeats):
        print(f"{name:32s} epochs {cell(epochs, 'd'):>3s}  ours {cell(ours_ms, '.1f'):>8s} ms"
              f"  SGD {sgd_ms:8.1f} ms  ratio {cell(ratio, '.2f')}")
    if args.out:
        write_csv(rows, args.out)
    return rows


def _ms(timing):
    """``median [min, max]`` in milliseconds."""
    median, low, high = (cell(1e3 * v, ".1f") for v in timing)
    return f"{median} [{low}, {high}]"


if __name__ == "__main__":
    main()
