"""The fixed and per-step costs of a fit, for comparing two versions of the code.

Times, as medians of interleaved repeats, the fits whose cost is the library's
own Python rather than the passes over ``X``: default fits on small bundled
data, one epoch of stochastic descent (one step per sample), a partial_fit
stream, and two larger full-batch fits for contrast. It uses only the public
API, so the same script measures both sides of a change, the older one
through ``PYTHONPATH`` (a checkout of it, whose ``sklearn_gd`` is then
imported first; run the two in turn, twice, as the machine's noise drifts)::

    PYTHONPATH=../old-checkout python benchmarks/overhead.py --out before.csv
    python benchmarks/overhead.py --out after.csv

and the two CSVs compare row by row (``--compare BEFORE AFTER`` prints the
ratios).
"""

import argparse
import csv
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor


def _standardized(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def cases():
    """``(name, fit)``: callables that run one fit each."""
    Xc, yc = _standardized(load_breast_cancer)
    Xi, yi = _standardized(load_iris)
    Xd, yd = _standardized(load_diabetes)
    rng = np.random.default_rng(0)
    Xs = rng.standard_normal((20_000, 20))
    ys = (Xs @ rng.standard_normal(20) + rng.logistic(size=20_000) > 0).astype(int)
    Xl = rng.standard_normal((200_000, 50))
    yl = Xl @ rng.standard_normal(50) + rng.standard_normal(200_000)
    yb = (yl > 0).astype(int)

    def stream():
        model = GDLinearRegressor(batch_size=8, solver="adam", random_state=0)
        for rows in np.array_split(np.arange(Xd.shape[0]), 20):
            model.partial_fit(Xd[rows], yd[rows])

    return [
        ("breast_cancer default", lambda: GDLogisticRegressor().fit(Xc, yc)),
        ("iris default", lambda: GDLogisticRegressor().fit(Xi, yi)),
        ("diabetes default", lambda: GDLinearRegressor().fit(Xd, yd)),
        ("diabetes nesterov", lambda: GDLinearRegressor(solver="nesterov").fit(Xd, yd)),
        ("sgd 2e4x20 one epoch", lambda: GDLogisticRegressor(
            batch_size=1, learning_rate=0.01, max_iter=1, random_state=0).fit(Xs, ys)),
        ("minibatch 32 2e4x20 5 epochs", lambda: GDLogisticRegressor(
            batch_size=32, solver="adam", max_iter=5, random_state=0).fit(Xs, ys)),
        ("partial_fit stream", stream),
        ("regression 2e5x50 default", lambda: GDLinearRegressor().fit(Xl, yl)),
        ("logistic 2e5x50 default", lambda: GDLogisticRegressor().fit(Xl, yb)),
    ]


def measure(repeats):
    chosen = cases()
    times = {name: [] for name, _ in chosen}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, fit in chosen:  # warm-up: compiled kernels, caches
            fit()
        for _ in range(repeats):  # interleaved, so that noise hits every case alike
            for name, fit in chosen:
                start = time.perf_counter()
                fit()
                times[name].append(time.perf_counter() - start)
    return [{"case": name, "median_ms": 1e3 * float(np.median(t)),
             "min_ms": 1e3 * float(np.min(t)), "max_ms": 1e3 * float(np.max(t))}
            for name, t in times.items()]


def compare(before, after):
    def read(path):
        with open(path, newline="") as handle:
            return {r["case"]: r for r in csv.DictReader(handle)}
    old, new = read(before), read(after)
    print(f"{'case':32s} {'before ms':>10s} {'after ms':>10s} {'ratio':>7s}")
    for case in old:
        a, b = float(old[case]["median_ms"]), float(new[case]["median_ms"])
        print(f"{case:32s} {a:10.2f} {b:10.2f} {b / a:7.3f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--out", help="CSV of the timings")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    rows = measure(args.repeats)
    for row in rows:
        print(f"{row['case']:32s} median {row['median_ms']:9.2f} ms "
              f"[{row['min_ms']:.2f}, {row['max_ms']:.2f}]")
    if args.out:
        with open(args.out, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return rows


if __name__ == "__main__":
    main()
