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

With ``--wide``, the fits past the coefficients whitened from the start
instead: half the columns lognormal (``exp(1.5 z)`` of standardized ones) and
a sixth of them exact combinations of others, 2 to 5 classes and 171 to 303
coefficients, at three seeds; and the forest-cover shape of
``raw_features.py`` at four seeds, on 20000 rows and at ``alpha=1e-3``;
and, at two seeds and ``alpha`` 1e-4 and 1e-2, its Gisette-like (3000 x 1500
raw values, nearly separable) and Madelon-like (2000 x 500 integers around
480, near-collinear, whitened once a measure pays, from iteration 125)
problems; the Gisette-like ones, past the coefficients ever whitened, stay
standardized. Their reference is the lower of Newton-Cholesky's objective and a
long fit's of ours (``tol=1e-9``), since Newton's Hessian is near-singular
there. ``--unscaled`` fits the lognormal shapes on columns exponentiated
without being standardized first: values up to 1e56, where the optimum is
ill-posed in floating point and Newton-Cholesky finds its Hessian singular.
``--shapes`` fits the raw shapes of three real sets (``raw_features.py``'s
letter-like, Arcene-like and MNIST-like) at ``alpha`` 1e-4 and 1e-2, beside
the default fit on their standardized copies: the ratio of iterations the
raw features' target bounds by 2 compares two problems where the columns'
variances are far from one, and the copy with the penalty divided by their
mean variance shows what the raw problem's own conditioning costs.
"""

import argparse
import warnings
from itertools import islice

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


# (rows, features, classes, alpha) of the --wide fits
WIDE = ((2000, 200, 2, 1e-2), (2000, 200, 2, 1e-3), (3000, 170, 2, 1e-3), (1000, 60, 3, 1e-3),
        (1000, 60, 3, 1e-2), (1500, 100, 3, 1e-4), (2000, 60, 4, 1e-4), (1000, 40, 5, 1e-4))


def lognormal_problems(seeds, standardized=True):
    """``(name, X, y, alpha)`` of the lognormal --wide fits: every other
    column ``exp(1.5 z)`` of a ``make_classification`` column, standardized
    first (lognormal, as incomes are) or not (``--unscaled``: values up to
    1e56, an optimum ill-posed in floating point)."""
    for n, p, n_classes, alpha in WIDE:
        for seed in range(seeds):
            Z, y = make_classification(n_samples=n, n_features=p, n_informative=p // 4,
                                       n_redundant=p // 6, n_classes=n_classes,
                                       n_clusters_per_class=1, flip_y=0.05, random_state=seed)
            X = (Z - Z.mean(axis=0)) / Z.std(axis=0) if standardized else Z
            X[:, ::2] = np.exp(1.5 * X[:, ::2])
            name = "lognormal" if standardized else "unscaled exp"
            yield f"{name} {n}x{p}x{n_classes} #{seed}", X, y, alpha


def wide_problems(seeds):
    """``(name, X, y, alpha)`` of the --wide fits."""
    from raw_features import cover_like, gisette_like, madelon_like

    yield from lognormal_problems(seeds)
    for seed in range(4):
        yield f"cover-like #{seed}", *cover_like(seed=seed), 1e-4
    yield "cover-like 20000", *cover_like(20000), 1e-4
    yield "cover-like alpha=1e-3", *cover_like(), 1e-3
    for seed in range(min(seeds, 2)):
        for alpha in (1e-4, 1e-2):
            yield f"gisette-like #{seed}", *gisette_like(seed=seed), alpha
            yield f"madelon-like #{seed}", *madelon_like(seed=seed), alpha


def shaped_problems():
    """``(name, X, y, alpha)`` of the --shapes fits."""
    from raw_features import arcene_like, letter_like, mnist_like

    for name, make in (("letter-like", letter_like), ("arcene-like", arcene_like),
                       ("mnist-like", mnist_like)):
        X, y = make()
        for alpha in (1e-4, 1e-2):
            yield name, X, y, alpha


def measure_shaped(name, X, y, alpha):
    """One --shapes fit as :func:`measure_wide` measures it (a longer long
    fit: these take thousands of iterations), beside the same default fit
    on the standardized copy (its own problem: its penalty falls on
    coefficients in standard deviations) and on the standardized copy with
    the penalty divided by the columns' mean variance (about the raw
    problem's)."""
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (X - X.mean(axis=0)) / scale
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copies = [GDLogisticRegressor(alpha=a).fit(Z, y).n_iter_
                  for a in (alpha, alpha / np.mean(scale**2))]
    return {**measure_wide(name, X, y, alpha, long_tol=1e-10, long_iter=20000),
            "standardized": int(copies[0]), "standardized, raw penalty": int(copies[1])}


def measure_wide(name, X, y, alpha, long_tol=1e-9, long_iter=5000):
    """One --wide fit against the lower of two references: a long fit of
    ours, and Newton-Cholesky, or lbfgs past 2000 coefficients (where
    Newton's Hessian would take seconds and gigabytes)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        long = GDLogisticRegressor(alpha=alpha, tol=long_tol, max_iter=long_iter).fit(X, y)
        peer = (newton(X, y, alpha) if X.shape[1] * (len(np.unique(y)) - 1) <= 2000 else
                LogisticRegression(C=1 / (alpha * len(y)), tol=1e-12, max_iter=20000).fit(X, y))
    return {"shape": name, "alpha": alpha, **default_fit(X, y, alpha, [peer, long])}


def newton(X, y, alpha):
    """Newton-Cholesky at ``tol=1e-12``: the reference."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reference's own on raw scales
        return LogisticRegression(C=1 / (alpha * len(y)), solver="newton-cholesky",
                                  tol=1e-12, max_iter=1000).fit(X, y)


def default_fit(X, y, alpha, references):
    """The default fit's iterations, its relative gap to the least objective
    of the fitted ``references``, and whether it warned of convergence."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted = GDLogisticRegressor(alpha=alpha).fit(X, y)
    classes = references[0].classes_
    f_ref = min(objective(X, y, m.coef_, m.intercept_, alpha, classes) for m in references)
    value = objective(X, y, fitted.coef_, fitted.intercept_, alpha, classes)
    return {"iterations": int(fitted.n_iter_), "gap": (value - f_ref) / abs(f_ref),
            "warned": any(issubclass(w.category, ConvergenceWarning) for w in caught)}


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
    return {"shape": f"{n}x{p}x{n_classes}", "separation": separation, "alpha": alpha,
            "decades": decades, "seed": seed, **default_fit(X, y, alpha, [newton(X, y, alpha)])}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--limit", type=int, help="only the first shapes")
    parser.add_argument("--out", help="CSV of the fits")
    parser.add_argument("--wide", action="store_true",
                        help="the fits past the coefficients whitened from the start")
    parser.add_argument("--unscaled", action="store_true",
                        help="the --wide lognormal fits on columns not standardized first")
    parser.add_argument("--shapes", action="store_true",
                        help="raw shapes of real sets beside their standardized copies")
    args = parser.parse_args(argv)
    if args.shapes:
        rows = [measure_shaped(*fit) for fit in islice(shaped_problems(), args.limit)]
    elif args.wide or args.unscaled:
        fits = lognormal_problems(args.seeds, False) if args.unscaled else wide_problems(
            args.seeds)
        rows = [measure_wide(*fit) for fit in islice(fits, args.limit)]
    else:
        rows = [measure(shape, seed) for seed in range(args.seeds)
                for shape in SHAPES[:args.limit]]
    for r in rows:
        where = (f"alpha={r['alpha']:.0e}" if args.wide or args.unscaled or args.shapes else
                 f"sep={r['separation']:.1f} alpha={r['alpha']:.0e} "
                 f"scales=1e+-{r['decades']} seed={r['seed']}")
        print(f"{r['shape']:24s} {where}: {r['iterations']:4d} iterations, "
              f"gap {r['gap']:.1e}{', warned' if r['warned'] else ''}"
              + (f"; standardized copy {r['standardized']}, with the raw penalty "
                 f"{r['standardized, raw penalty']}" if args.shapes else ""))
    silent = sum(r["gap"] > 1e-4 and not r["warned"] for r in rows)
    print(f"total iterations {sum(r['iterations'] for r in rows)}, largest gap "
          f"{max(r['gap'] for r in rows):.1e}, warnings {sum(r['warned'] for r in rows)}, "
          f"more than 1e-4 above without a warning {silent}")
    if args.out:
        write_csv(rows, args.out)
    return rows


if __name__ == "__main__":
    main()
