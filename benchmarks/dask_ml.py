"""Against dask-ml: our estimators and dask-ml's on the same dask array, to the same objective.

The script starts its own ``distributed.LocalCluster`` (``--workers`` processes
of one thread each; distributed limits each worker's BLAS to one thread) and
generates, with NumPy and a fixed seed, ``--n-samples`` x ``--n-features``
equicorrelated features (the suite's ``problems.py`` generator, correlation
0.5), standardized exactly, and from a random linear model without intercept
the regression targets, the binary labels (logistic noise), 3-class labels
(Gumbel noise) and sample weights (exponential). ``X`` becomes
``da.from_array(X, chunks=(n / --chunks, n_features))``, persisted on the
workers before anything is timed; so are the targets and weights.

What dask-ml minimizes (``dask_ml/linear_model/glm.py`` hands the fit to
``dask_glm.algorithms``; checked numerically in every run, see
``check_mapping``): a *sum* over samples, ``sum (y - x beta)^2`` (no 1/2) or
``sum logloss``, plus ``(1/C) ||beta||^2 / 2`` for ``penalty="l2"``, where
``beta`` holds the coefficients *and the intercept* (dask-ml appends a column
of ones) in the coordinates of ``X`` centred and scaled by dask-glm's
``normalize``, which are ``X``'s own here since ``X`` is standardized. Our
``J`` is the mean: so ``alpha`` is ``C = 1 / (alpha n)`` for the log loss and
``1 / (2 alpha n)`` for the squared loss, and ``tol`` (our max |gradient| of
the mean) is lbfgs's ``tol`` (scipy's ``pgtol`` on the sum) over ``n`` (``2n``).
Two differences cannot be aligned: dask-ml's ``gradient_descent`` drops
``penalty`` and ``C`` (it minimizes the unpenalized sum), so it meets ours only
at ``alpha=0``; and lbfgs penalizes the intercept. So the problems are the
regression at ``alpha=0`` (lbfgs with ``penalty=None``, ``gradient_descent``),
the classification at ``alpha=1e-4`` (lbfgs, ``C = 1 / (alpha n)``; its
``floor_gap`` is our objective's relative gap at the exact optimum of
dask-ml's problem, where an exact lbfgs would stop: 1e-13 at 1e6 x 50, where
the optimal intercept is near 0) and the classification at ``alpha=0`` (lbfgs with
``penalty=None``, ``gradient_descent``).

The optimum ``f*`` of each problem is the lesser of two tight solves on the
NumPy copy, scikit-learn's (``LinearRegression``; ``LogisticRegression``
Newton-Cholesky, ``tol=1e-14``) and ours (``tol=1e-10``); the header prints how
well they agree. Every contender is judged by our objective at its
``coef_``/``intercept_`` (``_common.model_objective``), relative gap
``(f - f*) / |f*|``. Each contender gets a ladder of stopping tolerances, the
loosest first (ours: ``tol`` 1e-4 to 1e-9; lbfgs: our scale's 1e-4 to 1e-10,
then dask-ml's default ``tol=1e-4`` on the sum; ``gradient_descent``, whose
``tol`` is the relative decrease of the objective: 1e-4 (dask-ml's default),
1e-8, 1e-14 (dask-glm's own default)), with ``--peer-max-iter`` iterations for
the peers (100, dask-ml's default) and 1000 for ours (our default). The
loosest setting whose fit gets within ``--rtol`` of ``f*`` is timed: the
median of ``--repeats`` fresh fits on the warm cluster, or that one ladder fit
when it took longer than ``--slow`` seconds (60: ``gradient_descent``'s 100
iterations take minutes). A contender that never gets there is "not
reached", with the gap and the time of its one fit at the last setting tried
(a fit that used all its iterations ends the ladder: a tighter ``tol`` cannot
change it). ``ours/this`` is our time to ``--rtol`` over the row's time (for
a row not reached, an upper bound). Our default fit (``tol=1e-4``) is reported
too, and the first fit of each of our estimators on fresh workers (each worker
then imports sklearn_gd and numba and loads the fused pass). dask-ml exposes
no iteration count: the script counts dask-glm's line searches
(``gradient_descent``) or reads scipy's ``nit`` (lbfgs) by wrapping them.

Last, our classifier on the 3-class labels and on the weighted binary problem,
timed the same way against scikit-learn's optimum of the same model, and
dask-ml's ``LogisticRegression`` given the same data: what it does is reported
as it happens (an error message, or what it fitted).

Run from the repository root (about 16 minutes at the defaults on 2 cores, most of
them in ``gradient_descent``)::

    python benchmarks/dask_ml.py --repeats 3 --out dask_ml.csv
"""

import argparse
import contextlib
import logging
import os
import sys
import time
import warnings

import numpy as np
import problems
from _common import cell, model_objective, thread_header, write_csv
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor

HERE = os.path.dirname(os.path.abspath(__file__))
ALPHA = 1e-4
# (name, kind, alpha, dask-ml solvers on the same objective)
PROBLEMS = [("reg", "regression", 0.0, ("lbfgs", "gradient_descent")),
            ("cla", "classification", ALPHA, ("lbfgs",)),
            ("cla", "classification", 0.0, ("lbfgs", "gradient_descent"))]
OUR_TOLS = (1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9)
OUR_MAX_ITER = 1000
LBFGS_TOLS = (1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10)  # ours, times n (2n)
GD_TOLS = (1e-4, 1e-8, 1e-14)
ESTIMATORS = {"regression": GDLinearRegressor, "classification": GDLogisticRegressor}


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=1_000_000)
    parser.add_argument("--n-features", type=int, default=50)
    parser.add_argument("--chunks", type=int, default=8, help="row chunks of X")
    parser.add_argument("--workers", type=int, default=2,
                        help="LocalCluster worker processes, one thread each")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rtol", type=float, default=1e-6,
                        help="relative gap to the optimum's objective that counts as reached")
    parser.add_argument("--peer-max-iter", type=int, default=100,
                        help="dask-ml's max_iter (its default: 100)")
    parser.add_argument("--slow", type=float, default=60,
                        help="a setting whose ladder fit took longer than this many seconds "
                             "is timed by that fit alone")
    parser.add_argument("--out", help="CSV file to write")
    return parser.parse_args(argv)


@contextlib.contextmanager
def quiet():
    """Silence the warnings expected here, which the test suite would turn into errors.

    Our ladders and the references stop on purpose (ConvergenceWarning);
    dask-ml sets a deprecated dask option and scipy's deprecated ``iprint``;
    dask-glm's first line-search step overflows ``exp`` (the Armijo test then
    rejects it); the persisted ``X`` travels in its graph.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for category in (FutureWarning, DeprecationWarning):  # dask's and dask-glm's
            warnings.filterwarnings("ignore", category=category, module="dask")
        warnings.filterwarnings("ignore", "scipy.optimize: The `disp` and `iprint`",
                                DeprecationWarning)
        warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
        warnings.filterwarnings("ignore", ".*large graph", UserWarning)
        yield


def _unshadowed_path(here):
    """``sys.path`` without ``here`` (``benchmarks/``), where this script's name
    shadows the dask-ml package; a shadowing module already imported is dropped."""
    found = sys.modules.get("dask_ml")
    if found is not None and not hasattr(found, "__path__"):  # a module, not the package
        del sys.modules["dask_ml"]
    return [p for p in sys.path if os.path.abspath(p or os.curdir) != here]


def _prepare_worker(here):
    """A worker as the driver: the same warnings silenced, and dask-ml importable
    when a task unpickles it (workers inherit the driver's ``sys.path``)."""
    warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
    sys.path[:] = _unshadowed_path(here)


def start_cluster(workers):
    from distributed import Client, LocalCluster

    # Worker logs at ERROR only: closing the cluster cancels a few tasks, noisily.
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    client = Client(cluster)
    client.run(_prepare_worker, HERE)
    return cluster, client


def make_data(n, p):
    """The NumPy data: standardized ``X`` and every target, reproducibly."""
    X, y_reg = problems._dense(n, p, "regression", np.float64)
    _, y_bin = problems._dense(n, p, "classification", np.float64)  # the same X
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    rng = np.random.default_rng([problems.SEED, n, p, 2])
    scores = X @ (rng.standard_normal((p, 3)) / np.sqrt(p))
    y_multi = np.argmax(scores + rng.gumbel(size=(n, 3)), axis=1)
    weights = rng.exponential(size=n)
    return {"X": X, "regression": y_reg, "classification": y_bin, "multiclass": y_multi,
            "weights": weights}


def to_dask(client, data, chunks):
    """Every array of ``data`` as a dask array in the same row chunks, persisted."""
    import dask.array as da
    from distributed import wait

    n, p = data["X"].shape
    rows = -(-n // chunks)
    arrays = {key: da.from_array(a, chunks=(rows, p) if a.ndim == 2 else (rows,))
              for key, a in data.items()}
    arrays = dict(zip(arrays, client.persist(list(arrays.values()))))
    wait(list(arrays.values()))
    return arrays


def reference(kind, alpha, X, y, sample_weight=None):
    """scikit-learn's tight solve of our model on the NumPy copy."""
    if kind == "regression":
        assert alpha == 0  # the only regression problem: no penalty
        return LinearRegression().fit(X, y, sample_weight=sample_weight)
    total = X.shape[0] if sample_weight is None else np.sum(sample_weight)
    C = np.inf if alpha == 0 else 1 / (alpha * total)
    return LogisticRegression(C=C, solver="newton-cholesky", tol=1e-14,
                              max_iter=1000).fit(X, y, sample_weight=sample_weight)


def weighted_objective(Estimator, alpha, X, y, sample_weight):
    """``model_objective`` with sample weights: our weighted objective at any coefficients."""
    est = Estimator(alpha=alpha, max_iter=1).fit(X, y, sample_weight=sample_weight)
    objective = est._objective_for(X, y, sample_weight=sample_weight)

    def value(coef, intercept):
        W = np.atleast_2d(np.asarray(coef, dtype=np.float64)).T
        b = np.atleast_1d(np.asarray(intercept, dtype=np.float64))
        return objective.value_and_grad(np.vstack([W, b[None, :]]))[0]

    return value


def optimum(Estimator, kind, alpha, X, y, sample_weight=None):
    """``(f, f*, agreement)``: our objective, the optimum's value, and how far
    scikit-learn's and our tight solves are apart (relative)."""
    if sample_weight is None:
        f = model_objective(Estimator, {"alpha": alpha}, X, y)
    else:
        f = weighted_objective(Estimator, alpha, X, y, sample_weight)
    theirs = reference(kind, alpha, X, y, sample_weight)
    ours = Estimator(alpha=alpha, tol=1e-10, max_iter=100_000).fit(
        X, y, sample_weight=sample_weight)
    values = [f(m.coef_, m.intercept_) for m in (theirs, ours)]
    f_star = min(values)
    return f, f_star, abs(values[0] - values[1]) / abs(f_star)


def peer_C(kind, alpha, n):
    """dask-ml's ``C`` for our ``alpha``: ``lamduh = 1/C`` multiplies ``||beta||^2 / 2``
    next to a sum of losses (the squared loss without its 1/2)."""
    if alpha == 0:
        return 1.0  # unused: penalty=None
    return 1 / ((2 if kind == "regression" else 1) * alpha * n)


def import_dask_ml():
    """The installed ``dask_ml.linear_model``.

    This script's own name shadows the package wherever ``benchmarks/`` is on
    ``sys.path`` (first, when the script runs): import it from the other entries.
    """
    import importlib

    saved = sys.path[:]
    sys.path[:] = _unshadowed_path(HERE)
    try:
        return importlib.import_module("dask_ml.linear_model")
    finally:
        sys.path[:] = saved


def make_peer(kind, solver, alpha, n, tol, max_iter):
    linear_model = import_dask_ml()
    Peer = (linear_model.LinearRegression if kind == "regression"
            else linear_model.LogisticRegression)
    if solver == "gradient_descent":  # dask-ml passes it neither penalty nor C
        return Peer(solver=solver, tol=tol, max_iter=max_iter)
    return Peer(solver=solver, penalty="l2" if alpha > 0 else None,
                C=peer_C(kind, alpha, n), tol=tol, max_iter=max_iter)


def peer_tols(kind, solver, n):
    """The peer's ladder in its own units, loosest first."""
    if solver == "gradient_descent":
        return GD_TOLS
    scale = (2 if kind == "regression" else 1) * n  # our mean gradient -> the sum's
    return tuple(t * scale for t in LBFGS_TOLS) + (1e-4,)


@contextlib.contextmanager
def counted_iterations():
    """dask-glm's iterations, which dask-ml does not expose: ``gradient_descent``
    runs one line search an iteration; lbfgs returns scipy's ``nit``."""
    import dask_glm.algorithms as algorithms

    count = {"n": 0}
    line_search, lbfgs = algorithms.compute_stepsize_dask, algorithms.fmin_l_bfgs_b

    def counted_line_search(*args, **kwargs):
        count["n"] += 1
        return line_search(*args, **kwargs)

    def counted_lbfgs(*args, **kwargs):
        out = lbfgs(*args, **kwargs)
        count["n"] = int(out[2]["nit"])
        return out

    algorithms.compute_stepsize_dask = counted_line_search
    algorithms.fmin_l_bfgs_b = counted_lbfgs
    try:
        yield count
    finally:
        algorithms.compute_stepsize_dask, algorithms.fmin_l_bfgs_b = line_search, lbfgs


def timed_fit(est, X, y, sample_weight=None):
    """``(seconds, iterations)`` of one ``est.fit`` on the dask arrays."""
    fit_params = {} if sample_weight is None else {"sample_weight": sample_weight}
    with quiet(), counted_iterations() as count:
        start = time.perf_counter()
        est.fit(X, y, **fit_params)
        seconds = time.perf_counter() - start
    return seconds, getattr(est, "n_iter_", None) or count["n"] or None


def ladder(make, tols, max_iter, fit, gap_of, rtol):
    """Fits along ``tols`` (loosest first) until one ends within ``rtol`` of
    ``f*``, or one uses all its iterations (a tighter tol cannot change it).

    Returns ``(tol, gap, iterations, seconds, estimator)`` of the last fit.
    """
    for tol in tols:
        est = make(tol)
        seconds, iterations = fit(est)
        gap = gap_of(est)
        if gap <= rtol or (iterations is not None and iterations >= max_iter):
            break
    return tol, gap, iterations, seconds, est


def contender_row(name, settings, make, tols, max_iter, fit, gap_of, args):
    """The ladder's setting, timed: the median of ``--repeats`` fresh fits when it
    reached ``--rtol``, else (or when slower than ``--slow``) the ladder's one fit."""
    tol, gap, iterations, seconds, est = ladder(make, tols, max_iter, fit, gap_of, args.rtol)
    reached = gap <= args.rtol
    if reached and seconds <= args.slow:
        seconds = float(np.median([fit(make(tol))[0] for _ in range(args.repeats)]))
    return {"contender": name, "settings": f"{settings}, tol={tol:g}, max_iter={max_iter}",
            "seconds": seconds, "iterations": iterations, "rel_gap": gap,
            "reached": reached, "tol": tol, "estimator": est}


def our_rows(Estimator, alpha, X, y, gap_of, args, sample_weight=None, fresh=False):
    """Ours: the first fit on fresh workers (when ``fresh``), the loosest tol
    that reaches ``--rtol``, and the default fit (tol=1e-4)."""
    name = Estimator.__name__
    fit = lambda est: timed_fit(est, X, y, sample_weight)  # noqa: E731
    make = lambda tol: Estimator(alpha=alpha, tol=tol)  # noqa: E731
    rows = []
    if fresh:
        est = make(1e-4)
        seconds, iterations = fit(est)
        rows.append({"contender": f"{name}, first fit (fresh workers)",
                     "settings": f"alpha={alpha:g}, tol=0.0001", "seconds": seconds,
                     "iterations": iterations, "rel_gap": gap_of(est)})
    best = contender_row(name, f"alpha={alpha:g}", make, OUR_TOLS, OUR_MAX_ITER, fit, gap_of,
                         args)
    rows.append(best)
    if best["tol"] == 1e-4 and best["reached"]:  # the same fits: the same median
        est, seconds = best["estimator"], best["seconds"]
    else:
        est = make(1e-4)
        seconds = float(np.median([fit(est)[0] for _ in range(args.repeats)]))
    rows.append({"contender": f"{name}, default fit", "settings": f"alpha={alpha:g}, "
                 "tol=0.0001", "seconds": seconds, "iterations": est.n_iter_,
                 "rel_gap": gap_of(est)})
    for r in rows:
        r.setdefault("reached", r["rel_gap"] <= args.rtol)
    return rows


def peer_name(kind, solver):
    return f"dask-ml {'LinearRegression' if kind == 'regression' else 'LogisticRegression'}" \
           f"({solver})"


def peer_settings(kind, solver, alpha, n):
    if solver == "gradient_descent":
        return "penalty and C unused"
    return f"penalty='l2', C={peer_C(kind, alpha, n):.4g}" if alpha > 0 else "penalty=None"


def peer_rows(kind, alpha, solvers, X, y, gap_of, floor, args):
    """dask-ml's solvers on the same dask arrays, along their ladders."""
    n = X.shape[0]
    fit = lambda est: timed_fit(est, X, y)  # noqa: E731
    rows = []
    for solver in solvers:
        def make(tol, solver=solver):
            return make_peer(kind, solver, alpha, n, tol, args.peer_max_iter)

        row = contender_row(peer_name(kind, solver), peer_settings(kind, solver, alpha, n),
                            make, peer_tols(kind, solver, n), args.peer_max_iter, fit, gap_of,
                            args)
        # Only lbfgs penalizes the intercept, and only with a penalty.
        row["floor_gap"] = floor if solver == "lbfgs" else 0.0
        rows.append(row)
    return rows


def normalized(X):
    """``X`` as dask-glm's ``normalize`` hands it to the solver after dask-ml
    appended its column of ones: centred, scaled, then the ones."""
    mean, std = X.mean(axis=0), X.std(axis=0)
    return np.hstack([(X - mean) / std, np.ones((X.shape[0], 1))]), mean, std


def dask_glm_objective(kind, alpha, X, y, coef, intercept):
    """dask-glm's objective at ``(coef, intercept)``, with its own functions."""
    from dask_glm.families import Logistic, Normal
    from dask_glm.regularizers import L2

    Xn, mean, std = normalized(X)
    coef = np.ravel(coef)
    beta = np.append(coef * std, np.ravel(intercept)[0] + coef @ mean)
    value = (Normal if kind == "regression" else Logistic).pointwise_loss(beta, Xn, y)
    if alpha > 0:
        value += L2().f(beta) / peer_C(kind, alpha, X.shape[0])
    return float(value), beta[-1]


def check_mapping(kind, alpha, X, y, f, ref):
    """How far dask-glm's objective is from our mapping of it, at ``f*``'s point:
    ``scale (J + alpha/2 b_n^2)``, ``b_n`` the intercept in normalized coordinates."""
    coef, intercept = ref.coef_, ref.intercept_
    theirs, b_n = dask_glm_objective(kind, alpha, X, y, coef, intercept)
    scale = (2 if kind == "regression" else 1) * X.shape[0]
    mapped = scale * (f(coef, intercept) + alpha / 2 * b_n ** 2)
    return abs(theirs - mapped) / abs(theirs)


def floor_gap(kind, alpha, X, y, f, f_star):
    """Our relative gap at the exact optimum of dask-ml lbfgs's problem, which
    penalizes the intercept with the coefficients (0 without a penalty)."""
    if alpha == 0:
        return 0.0
    from sklearn.linear_model import Ridge

    Xn, mean, std = normalized(X)
    C = peer_C(kind, alpha, X.shape[0])
    if kind == "regression":  # sum of squares + (1/C) ||beta||^2 / 2
        beta = Ridge(alpha=1 / (2 * C), fit_intercept=False).fit(Xn, y).coef_
    else:
        beta = LogisticRegression(C=C, fit_intercept=False, solver="newton-cholesky",
                                  tol=1e-14, max_iter=1000).fit(Xn, y).coef_[0]
    coef = beta[:-1] / std
    return (f(coef, beta[-1] - coef @ mean) - f_star) / abs(f_star)


def run_problem(spec, data, dd, args, fresh):
    """Ours and dask-ml's solvers on one problem: rows with the shared columns."""
    name, kind, alpha, solvers = spec
    X, y = data["X"], data[kind]
    Estimator = ESTIMATORS[kind]
    f, f_star, agreement = optimum(Estimator, kind, alpha, X, y)
    ref = reference(kind, alpha, X, y)
    mapping = check_mapping(kind, alpha, X, y, f, ref)
    floor = floor_gap(kind, alpha, X, y, f, f_star)
    print(f"{name} alpha={alpha:g}: f* = {f_star:.12g}; scikit-learn and ours (tol=1e-10) "
          f"agree to {agreement:.1e}; dask-glm's objective = our mapping within "
          f"{mapping:.1e}; floor gap of dask-ml lbfgs's problem {floor:.1e}")

    def gap_of(est):
        return (f(est.coef_, est.intercept_) - f_star) / abs(f_star)

    rows = our_rows(Estimator, alpha, dd["X"], dd[kind], gap_of, args,
                    fresh=Estimator not in fresh)
    fresh.add(Estimator)
    rows += peer_rows(kind, alpha, solvers, dd["X"], dd[kind], gap_of, floor, args)
    label = f"{name}-{args.n_samples:.0e}x{args.n_features}".replace("+0", "")
    return finish(rows, label, alpha, f_star, agreement)


COLUMNS = ["problem", "alpha", "contender", "settings", "seconds", "iterations", "rel_gap",
           "reached", "ours_over_this", "floor_gap", "f_star", "ref_agreement", "note"]


def finish(rows, problem, alpha, f_star, agreement):
    """Rows with every column, and our time to ``--rtol`` over each row's time."""
    ours = next(r for r in rows if r["contender"] in ("GDLinearRegressor", "GDLogisticRegressor"))
    out = []
    for r in rows:
        # No ratio for a fit that cannot be judged by our objective (dask-ml's 3 classes).
        comparable = ours["reached"] and r.get("seconds") and r["rel_gap"] is not None
        ratio = ours["seconds"] / r["seconds"] if comparable else None
        r = dict(r, problem=problem, alpha=alpha, f_star=f_star, ref_agreement=agreement,
                 ours_over_this=ratio)
        out.append({key: r.get(key) for key in COLUMNS})
    return out


def peer_attempt(kind, X, y, args, sample_weight=None):
    """dask-ml lbfgs given data ours handles: what it does, as it happens."""
    n = X.shape[0]
    est = make_peer(kind, "lbfgs", ALPHA, n, 1e-4, args.peer_max_iter)
    row = {"contender": peer_name(kind, "lbfgs"), "rel_gap": None, "reached": False,
           "settings": f"{peer_settings(kind, 'lbfgs', ALPHA, n)}, tol=0.0001 (its default), "
                       f"max_iter={args.peer_max_iter}"}
    try:
        row["seconds"], row["iterations"] = timed_fit(est, X, y, sample_weight)
    except Exception as error:  # what it says is the result
        return dict(row, note=f"{type(error).__name__}: {error}")
    labels = np.unique(np.asarray(est.predict(X[:1000]))).tolist()
    return dict(row, note=f"no error: coef_ shape {np.shape(est.coef_)}, max |coef| "
                          f"{np.max(np.abs(est.coef_)):.3g}, predict gives {labels}")


def extra_rows(data, dd, args):
    """Our classifier on 3 classes and with sample weights, and dask-ml's attempt."""
    X = data["X"]
    cases = [("cla-3-classes", data["multiclass"], dd["multiclass"], None, None),
             ("cla-weighted", data["classification"], dd["classification"],
              data["weights"], dd["weights"])]
    rows = []
    for name, y, y_dask, weights, weights_dask in cases:
        f, f_star, agreement = optimum(GDLogisticRegressor, "classification", ALPHA, X, y,
                                       weights)
        print(f"{name} alpha={ALPHA:g}: f* = {f_star:.12g}; scikit-learn and ours "
              f"(tol=1e-10) agree to {agreement:.1e}")

        def gap_of(est):
            return (f(est.coef_, est.intercept_) - f_star) / abs(f_star)

        found = our_rows(GDLogisticRegressor, ALPHA, dd["X"], y_dask, gap_of, args,
                         sample_weight=weights_dask)
        found.append(peer_attempt("classification", dd["X"], y_dask, args, weights_dask))
        label = f"{name}-{args.n_samples:.0e}x{args.n_features}".replace("+0", "")
        rows += finish(found, label, ALPHA, f_star, agreement)
    return rows


def _worker_pools():
    from threadpoolctl import threadpool_info

    return ", ".join(f"{p['internal_api']} {p['num_threads']}" for p in threadpool_info())


def cluster_header(client, args, X):
    pools = set(client.run(_worker_pools).values())
    return (f"LocalCluster: {args.workers} worker processes x 1 thread (thread pools in "
            f"each: {'; '.join(sorted(pools)) or 'none loaded'}); X: {X.shape[0]} x "
            f"{X.shape[1]} float64, {X.nbytes / 1e6:.0f} MB in {args.chunks} row chunks; "
            f"reached = within {args.rtol:g} (relative) of f*; times: median of "
            f"{args.repeats} fits")


def print_table(rows):
    print("| problem | alpha | contender | settings | seconds | iterations | rel gap | "
          "reached | ours/this | note |")
    print("|---|---:|---|---|---:|---:|---:|---|---:|---|")
    for r in rows:
        ratio = cell(r["ours_over_this"], ".3g")
        if r["ours_over_this"] is not None and not r["reached"]:
            ratio = "< " + ratio  # it would need longer to reach: an upper bound
        print(f"| {r['problem']} | {r['alpha']:g} | {r['contender']} | {r['settings']} | "
              f"{cell(r['seconds'], '.2f')} | {cell(r['iterations'], 'd')} | "
              f"{cell(r['rel_gap'], '.1e')} | {'yes' if r['reached'] else 'no'} | {ratio} | "
              f"{r['note'] or ''} |")


def main(argv=None):
    args = parse(argv)
    start = time.perf_counter()
    print(thread_header())
    data = make_data(args.n_samples, args.n_features)
    cluster, client = start_cluster(args.workers)
    try:
        with quiet():
            dd = to_dask(client, data, args.chunks)
            print(cluster_header(client, args, data["X"]))
            rows, fresh = [], set()
            for spec in PROBLEMS:
                rows += run_problem(spec, data, dd, args, fresh)
                # Progress on stderr: the gradient_descent ladders take minutes.
                print(f"{spec[0]} alpha={spec[2]:g}: {time.perf_counter() - start:.0f} s",
                      file=sys.stderr)
            rows += extra_rows(data, dd, args)
    finally:
        client.close()
        cluster.close()
    print_table(rows)
    print(f"load average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"{time.perf_counter() - start:.0f} s in all")
    if args.out:
        write_csv(rows, args.out)
    return rows


if __name__ == "__main__":
    sys.exit(main() and 0)
