"""Raw features: how close the default fits get on data nobody standardized.

For each problem, the optimum of our objective is computed independently
(Newton's method, which no change of coordinates affects, for the logistic
problems; a least-squares solve of the centered system for the regression),
and each fit is judged by its relative gap to it, ``(J - J*) / |J*|``:

- ours: the default fit on the raw data (gap, iterations, whether it
  warned), and the same default fit on the standardized copy (iterations);
- ``LogisticRegression(C=1/(alpha n))`` at its defaults on the raw data
  (gap, iterations), beside the logistic problems.

Problems: raw iris, wine, breast_cancer and digits (``alpha=1e-4``), three
classes apart along columns half of which are lognormal (skewed, as incomes
and counts are; ``alpha=1e-4``), a problem shaped like the forest cover
types (one-hot groups beside skewed columns, seven classes, 385
coefficients; ``alpha=1e-4``), and least squares with a date-like column
(ordinals around 7.3e5) beside ordinary ones (``GDLinearRegressor()``).

Then sparse text (``--text``, by default 1e5 x 1e4 at 0.5% density,
power-law column frequencies, ``log1p`` counts, ``alpha=1e-5``): the time to
a relative gap of 1e-6, ours (the least iterations that get there, refitted
with ``tol=0``) against ``LogisticRegression``'s lbfgs at the loosest ``tol``
that gets there; and the default fits, time and gap, side by side. Times are
medians of ``--repeats`` interleaved fits. Last, one gradient pass of the
log loss over that matrix against one scipy ``X @ w`` (and one ``X.T @
r``, its scattered counterpart): numpy's pass (``X @ w``, then ``X.T @
r``) and the compiled CSR pass (numba) on one thread and on two, medians of
15 interleaved calls; and the same passes over a text-like matrix of short
rows (``--short-rows``, by default 2e5 x 1e3 with 5 entries a row, as in
short messages) and over ``OneHotEncoder``'s output (``--one-hot``, by
default 2e5 rows of 5 categorical columns: 1267 columns, 5 entries in every
row).

Run from the repository root::

    python benchmarks/raw_features.py --out raw_features.csv
"""

import argparse
import time
import warnings

warnings.filterwarnings("ignore", message="Line search of Newton solver")
import numpy as np
import scipy.sparse as sp
from _common import model_objective, thread_header, write_csv
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor

ALPHA = 1e-4


def dated_regression(n=1000, seed=0):
    """Least squares whose columns' units differ by 1e5: a date as an ordinal
    (around 7.3e5, spread over ten years), a count, a price and two
    standard-normal features; the target depends on all of them."""
    rng = np.random.default_rng([seed, n])
    date = 7.3e5 + rng.uniform(0, 3650, n)
    X = np.column_stack([date, rng.poisson(20, n), rng.lognormal(4, 0.5, n),
                         rng.standard_normal((n, 2))])
    y = (2e-3 * (date - 7.3e5) + 0.3 * X[:, 1] + 0.02 * X[:, 2] + X[:, 3] - X[:, 4]
         + rng.standard_normal(n))
    return X, y


def skewed_classes(n=2000, seed=2):
    """Three classes apart along 16 normal columns, every other one then
    made lognormal (``exp(2 z)``): skewed columns, whose curvature-weighted
    spreads move as the classes separate."""
    X, y = make_classification(n_samples=n, n_features=16, n_informative=8, n_redundant=0,
                               n_classes=3, n_clusters_per_class=1, flip_y=0.05,
                               random_state=seed)
    X[:, ::2] = np.exp(2 * X[:, ::2])
    return X, y


def cover_like(n=5000, seed=0, n_classes=7):
    """Shaped like the forest cover types: an elevation around 2950, an
    aspect, a slope, skewed distances (exponential, thousands), hillshades,
    a one-hot group of 4 areas and one of 40 soils (a Zipf law); classes by
    elevation, soil and area."""
    rng = np.random.default_rng([seed, n])
    elevation = rng.normal(2950, 280, n)
    soil = np.eye(40)[np.minimum(rng.zipf(1.6, n) - 1, 39)]
    area = np.eye(4)[rng.integers(0, 4, n)]
    road = rng.exponential(2300, n)
    X = np.column_stack([
        elevation, rng.uniform(0, 360, n), rng.gamma(2, 7, n), rng.exponential(270, n),
        rng.normal(45, 58, n), road, np.clip(rng.normal(212, 27, n), 0, 254),
        np.clip(rng.normal(223, 20, n), 0, 254), np.clip(rng.normal(142, 38, n), 0, 254),
        rng.exponential(1980, n), area, soil])
    scores = np.column_stack([
        (elevation - 2950) / 280 * c + 0.5 * rng.standard_normal(n) + 2 * soil[:, c]
        + area[:, c % 4] - 0.3 * (c % 3) * np.log1p(road) for c in range(n_classes)])
    return X, np.unique(scores.argmax(axis=1), return_inverse=True)[1]


def text_like(n, d, density=0.005, seed=0):
    """A CSR matrix like a bag of words: column ``j`` occurs in a share of the
    rows falling as ``1 / j**1.1`` (the mean share ``density``), its values
    ``log1p`` of counts; labels from a sparse linear model through the
    logistic function."""
    rng = np.random.default_rng([seed, n, d])
    share = 1.0 / np.arange(1, d + 1) ** 1.1
    share = np.minimum(share * density * d / share.sum(), 0.9)
    counts = rng.binomial(n, share)
    rows = np.concatenate([rng.choice(n, c, replace=False) for c in counts])
    columns = np.repeat(np.arange(d), counts)
    values = np.log1p(rng.geometric(0.5, size=len(rows))).astype(np.float64)
    X = sp.csr_matrix((values, (rows, columns)), shape=(n, d))
    z = X @ (2 * rng.standard_normal(d) * (rng.random(d) < 0.2))
    y = (rng.random(n) < 1 / (1 + np.exp(-(z - np.median(z))))).astype(np.int64)
    return X, y


def one_hot(n, k, seed=0):
    """``OneHotEncoder``'s CSR output for ``k`` categorical columns of 7 to
    1000 categories (Zipf's law): every row ``k`` entries; labels from the
    categories' effects through the logistic function."""
    rng = np.random.default_rng([seed, n, k])
    sizes = np.resize([7, 50, 200, 10, 1000], k)
    codes = np.column_stack([rng.zipf(1.5, n) % c for c in sizes])
    X = OneHotEncoder().fit_transform(codes).tocsr()
    z = X @ rng.standard_normal(X.shape[1])
    return X, (rng.random(n) < 1 / (1 + np.exp(-(z - np.median(z))))).astype(np.int64)


def gisette_like(n=3000, p=1500, seed=0):
    """Shaped like the Gisette digits: raw values from 0 to 999 on columns 2%
    to 40% nonzero, and labels from a sparse linear model through a steep
    logistic function, so the classes are nearly separable (the objective's
    optimum near 1e-6 of its start at ``alpha=1e-4``)."""
    rng = np.random.default_rng([seed, n, p])
    density = rng.uniform(0.02, 0.4, p)
    X = np.where(rng.random((n, p)) < density, np.round(rng.uniform(0, 999, (n, p))), 0.0)
    z = X @ (rng.standard_normal(p) * (rng.random(p) < 0.1) / 300)
    y = (rng.random(n) < 1 / (1 + np.exp(-3 * (z - np.median(z))))).astype(np.int64)
    return X, y


def madelon_like(n=2000, seed=0):
    """Shaped like the Madelon data: 500 integer columns around 480 (five
    informative, fifteen rounded combinations of those, 480 probes of noise)
    and labels that are the sign of a product of three informative columns,
    which no linear model separates."""
    rng = np.random.default_rng([seed, n])
    base = rng.standard_normal((n, 5))
    y = (np.prod(np.sign(base[:, :3]), axis=1) > 0).astype(np.int64)
    base[:, 0] += 0.8 * (2 * y - 1)
    columns = np.column_stack([base, base @ rng.standard_normal((5, 15)),
                               rng.standard_normal((n, 480))])
    return np.round(480 + 30 * columns * rng.uniform(0.5, 2, 500)), y


def letter_like(n=20000, seed=0):
    """Shaped like the letter recognition data: 16 integer columns from 0 to
    15 and 26 classes, each about its own centre."""
    rng = np.random.default_rng([seed, n])
    y = rng.integers(0, 26, n)
    centres = rng.uniform(2, 13, (26, 16))
    return np.clip(np.round(centres[y] + 2 * rng.standard_normal((n, 16))), 0, 15), y


def arcene_like(n=100, p=10000, seed=0):
    """Shaped like the Arcene spectra: far more columns than rows, raw values
    from 0 to 999, half of them zero; labels from 50 columns and noise."""
    rng = np.random.default_rng([seed, n, p])
    X = np.where(rng.random((n, p)) < 0.5, np.round(rng.uniform(0, 1000, (n, p))), 0.0)
    y = (X[:, :50] @ rng.standard_normal(50) + 200 * rng.standard_normal(n) > 0)
    return X, y.astype(np.int64)


def mnist_like(n=3000, seed=0):
    """Shaped like handwritten digits of 28 x 28 pixels from 0 to 255: ten
    classes about their own prototypes, a blank border (columns without
    spread), a fifth of the pixels dropped."""
    rng = np.random.default_rng([seed, n])
    y = rng.integers(0, 10, n)
    prototypes = rng.random((10, 28, 28)) ** 3
    prototypes[:, :2], prototypes[:, -2:] = 0, 0
    prototypes[:, :, :3], prototypes[:, :, -3:] = 0, 0
    X = prototypes[y] + 0.3 * rng.random((n, 28, 28)) * (prototypes[y] > 0.05)
    X *= rng.random((n, 28, 28)) < 0.8
    return np.clip(np.round(255 * X), 0, 255).reshape(n, -1), y


def problems():
    """``(name, X, y, Estimator, params)``."""
    rows = [(name, *loader(return_X_y=True), GDLogisticRegressor, {"alpha": ALPHA})
            for name, loader in (("iris", load_iris), ("wine", load_wine),
                                 ("breast_cancer", load_breast_cancer),
                                 ("digits", load_digits))]
    return rows + [("skewed 3 classes", *skewed_classes(), GDLogisticRegressor, {"alpha": ALPHA}),
                   ("cover-like 7 classes", *cover_like(), GDLogisticRegressor, {"alpha": ALPHA}),
                   ("dated least squares", *dated_regression(), GDLinearRegressor, {})]


def optimum(Estimator, params, X, y):
    """``(coef, intercept)`` at the optimum of our objective, computed without us."""
    if Estimator is GDLogisticRegressor:
        newton = LogisticRegression(C=1 / (params["alpha"] * len(y)),
                                    solver="newton-cholesky", tol=1e-12, max_iter=1000)
        newton.fit(X, y)
        coef, intercept = newton.coef_, newton.intercept_
        # scikit-learn keeps one row for two classes; we keep one too.
        return coef, intercept
    mean_x, mean_y = X.mean(axis=0), y.mean()
    coef = np.linalg.lstsq(X - mean_x, y - mean_y, rcond=None)[0]
    return coef, mean_y - mean_x @ coef


def fit(estimator, X, y):
    """``(estimator, warned)``: fitted, and whether it warned of convergence."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        estimator.fit(X, y)
    return estimator, any(issubclass(w.category, ConvergenceWarning) for w in caught)


def gap(value, coef, intercept, f_ref):
    return (value(coef, intercept) - f_ref) / abs(f_ref)


def measure(name, X, y, Estimator, params):
    """One row of the table."""
    value = model_objective(Estimator, params, X, y)
    f_ref = value(*optimum(Estimator, params, X, y))
    ours, warned = fit(Estimator(**params), X, y)
    f_ref = min(f_ref, value(ours.coef_, ours.intercept_))
    X_std = StandardScaler().fit_transform(X)
    standardized, std_warned = fit(Estimator(**params), X_std, y)
    std_value = model_objective(Estimator, params, X_std, y)
    std_ref = min(std_value(*optimum(Estimator, params, X_std, y)),
                  std_value(standardized.coef_, standardized.intercept_))
    row = {"data": name, "shape": f"{X.shape[0]} x {X.shape[1]}", "J*": f_ref,
           "ours_gap": gap(value, ours.coef_, ours.intercept_, f_ref),
           "ours_iter": int(ours.n_iter_), "ours_warned": warned,
           "standardized_iter": int(standardized.n_iter_),
           "standardized_gap": gap(std_value, standardized.coef_, standardized.intercept_,
                                   std_ref),
           "standardized_warned": std_warned,
           "peer_gap": None, "peer_iter": None}
    if Estimator is GDLogisticRegressor:
        peer, _ = fit(LogisticRegression(C=1 / (params["alpha"] * len(y))), X, y)
        row["peer_gap"] = gap(value, peer.coef_, peer.intercept_, f_ref)
        row["peer_iter"] = int(np.max(peer.n_iter_))
    return row


def _format(row):
    ours = (f"{row['ours_gap']:8.1e} ({row['ours_iter']:4d}"
            f"{', warned' if row['ours_warned'] else ''})")
    peer = ("-" if row["peer_gap"] is None
            else f"{row['peer_gap']:8.1e} ({row['peer_iter']:4d})")
    ratio = row["ours_iter"] / max(row["standardized_iter"], 1)
    standardized = (f"{row['standardized_gap']:8.1e} ({row['standardized_iter']:4d}"
                    f"{', warned' if row['standardized_warned'] else ''})")
    return (f"{row['data']:20s} {row['shape']:10s} {ours:24s} {standardized:24s} "
            f"{ratio:6.2f}  {peer}")


def seconds(make, X, y, repeats):
    """The median seconds of ``repeats`` fits of ``make()``, and the last fit."""
    times = []
    for _ in range(repeats):
        model = make()
        start = time.perf_counter()
        fit(model, X, y)
        times.append(time.perf_counter() - start)
    return float(np.median(times)), model


def loosest_lbfgs(C, X, y, value, f_ref, rtol, repeats):
    """``(seconds, tol)`` of lbfgs at the loosest ``tol`` whose fit gets within
    ``rtol`` of ``f_ref``."""
    for tol in 10.0 ** -np.arange(3, 13):
        model = LogisticRegression(C=C, tol=tol, max_iter=100_000)
        fit(model, X, y)
        if value(model.coef_, model.intercept_) <= f_ref + rtol * abs(f_ref):
            break
    return seconds(lambda: LogisticRegression(C=C, tol=tol, max_iter=100_000), X, y,
                   repeats)[0], float(tol)


def measure_text(n, d, repeats, alpha=1e-5, rtol=1e-6):
    """The sparse text row: times to ``rtol`` and the default fits."""
    X, y = text_like(n, d)
    C, params = 1 / (alpha * n), {"alpha": alpha}
    value = model_objective(GDLogisticRegressor, params, X, y)
    reference = LogisticRegression(C=C, tol=1e-12, max_iter=100_000)
    fit(reference, X, y)
    long, _ = fit(GDLogisticRegressor(**params, tol=0.0, max_iter=2000), X, y)
    f_ref = min(value(reference.coef_, reference.intercept_), long.loss_curve_.min())
    reached = np.flatnonzero(long.loss_curve_ <= f_ref + rtol * abs(f_ref))
    n_iter = int(reached[0]) if reached.size else None
    ours_to = None if n_iter is None else seconds(
        lambda: GDLogisticRegressor(**params, tol=0.0, max_iter=max(n_iter, 1)), X, y,
        repeats)[0]
    peer_to, peer_tol = loosest_lbfgs(C, X, y, value, f_ref, rtol, repeats)
    ours_t, ours = seconds(lambda: GDLogisticRegressor(**params), X, y, repeats)
    peer_t, peer = seconds(lambda: LogisticRegression(C=C), X, y, repeats)
    return {"data": f"text-like CSR {n} x {d}", "nnz": X.nnz, "rtol": rtol,
            "ours_to_rtol_s": ours_to, "ours_to_rtol_iter": n_iter,
            "peer_to_rtol_s": peer_to, "peer_tol": peer_tol,
            "ratio_to_rtol": None if ours_to is None else ours_to / peer_to,
            "ours_default_s": ours_t, "ours_default_iter": int(ours.n_iter_),
            "ours_default_gap": gap(value, ours.coef_, ours.intercept_, f_ref),
            "peer_default_s": peer_t, "peer_default_iter": int(np.max(peer.n_iter_)),
            "peer_default_gap": gap(value, peer.coef_, peer.intercept_, f_ref),
            "passes": time_passes(X, y)}


def time_passes(X, y, repeats=15):
    """Median seconds of one scipy ``X @ w``, of one ``X.T @ r``, and of each
    gradient pass of the log loss over CSR ``X`` (at a small random ``w``):
    numpy's, and the compiled one on 1 and 2 threads where numba is installed."""
    from sklearn_gd._backends import host
    from sklearn_gd._linear.losses import BinaryLogLoss

    w = np.random.default_rng(0).standard_normal(X.shape[1]) * 0.01
    sw = np.full(X.shape[0], 1 / X.shape[0])
    Y, W, b = y[:, None].astype(np.float64), w[:, None], np.zeros(1)
    r = np.random.default_rng(1).standard_normal(X.shape[0])
    calls = {"X @ w": lambda: X @ w, "X.T @ r": lambda: X.T @ r,
             "numpy pass": lambda: host._plain(X, Y, sw, BinaryLogLoss(), W, b)}
    kernels = host._kernels()
    if kernels is not None:
        for threads in (1, 2):
            calls[f"compiled, {threads} thread{'s' * (threads > 1)}"] = (
                lambda t=threads: kernels.csr_pass(X, Y[:, 0], sw, w, 0.0, kernels.LOGISTIC, t))
    times = {name: [] for name in calls}
    for name, call in calls.items():  # a warm-up (compiles, fills caches)
        call()
    for _ in range(repeats):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


def _format_passes(passes):
    base = passes["X @ w"]
    return "  one gradient pass: " + ", ".join(
        f"{name} {seconds * 1e3:.2f} ms ({seconds / base:.2f}x)"
        for name, seconds in passes.items())


def _format_text(row):
    to = ("not reached" if row["ours_to_rtol_s"] is None else
          f"ours {row['ours_to_rtol_s']:.2f} s ({row['ours_to_rtol_iter']} iter), "
          f"lbfgs {row['peer_to_rtol_s']:.2f} s (tol={row['peer_tol']:g}): "
          f"ratio {row['ratio_to_rtol']:.2f}")
    return (f"{row['data']} ({row['nnz']} entries)\n"
            f"  time to {row['rtol']:g} of the optimum: {to}\n"
            f"  default fits: ours {row['ours_default_s']:.2f} s, gap "
            f"{row['ours_default_gap']:.1e} ({row['ours_default_iter']} iter); "
            f"LogisticRegression() {row['peer_default_s']:.2f} s, gap "
            f"{row['peer_default_gap']:.1e} ({row['peer_default_iter']} iter)\n"
            + _format_passes(row["passes"]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="CSV of the dense table")
    parser.add_argument("--only", help="only the dense problems whose name has this")
    parser.add_argument("--text", default="100000x10000",
                        help="n x d of the sparse text problem ('none': skip it)")
    parser.add_argument("--short-rows", default="200000x1000",
                        help="n x d of a text-like matrix of 5 entries a row, whose gradient "
                             "passes are timed ('none': skip it)")
    parser.add_argument("--one-hot", default="200000x5",
                        help="rows x categorical columns of a one-hot matrix, whose gradient "
                             "passes are timed ('none': skip it)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(thread_header())
    print(f"{'raw data':20s} {'n x d':10s} {'ours: gap (iter)':24s} "
          f"{'standardized: gap (iter)':24s} {'ratio':>6s}  LogisticRegression: gap (iter)")
    rows = []
    for problem in problems():
        if args.only is None or args.only in problem[0]:
            rows.append(measure(*problem))
            print(_format(rows[-1]))
    if args.out and rows:
        write_csv(rows, args.out)
    if args.text != "none":
        n, d = (int(v) for v in args.text.split("x"))
        rows.append(measure_text(n, d, args.repeats))
        print(_format_text(rows[-1]))
    if args.short_rows != "none":
        n, d = (int(v) for v in args.short_rows.split("x"))
        rows.append(_passes_row("short rows", *text_like(n, d, density=5 / d)))
    if args.one_hot != "none":
        rows.append(_passes_row("one-hot", *one_hot(*(int(v) for v in args.one_hot.split("x")))))
    return rows


def _passes_row(name, X, y):
    """The gradient passes over ``X`` timed (:func:`time_passes`), printed."""
    row = {"data": f"{name} {X.shape[0]} x {X.shape[1]}", "nnz": X.nnz,
           "passes": time_passes(X, y)}
    print(f"{row['data']} ({X.nnz} entries, {X.nnz / X.shape[0]:.1f} a row)\n"
          + _format_passes(row["passes"]))
    return row


if __name__ == "__main__":
    main()
