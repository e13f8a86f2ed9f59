"""Sparse input is used as it is: never densified, and the same fit as dense.

- Every sparse format class has its ``toarray``, ``todense`` and
  ``__array__`` replaced by ones that raise, and ``LinearModelObjective`` records
  what ``X`` reaches it: the same format, sparse, with the same stored entries.
- ``tracemalloc`` bounds the peak memory of a fit on a 20000 x 2000 matrix of
  density 0.1% far below the 320 MB that its dense form would take, and a
  control fit that densifies shows that the bound would catch it.
- CSR and CSC fits agree with the dense fit: to ~1e-12 relative when both run
  the same fixed number of steps (``tol=0``), to 1e-7 when both converge.
- float32 sparse stays float32, and no sparse product mixes dtypes (scipy
  upcasts a float32 matrix times a float64 vector silently, to float64).
"""

import functools
import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor
from sklearn_gd._linear.objective import LinearModelObjective

FORMATS = {
    "csr_matrix": sp.csr_matrix,
    "csr_array": sp.csr_array,
    "csc_matrix": sp.csc_matrix,
    "csc_array": sp.csc_array,
}
# Every sparse class there is: a fit that converted X to another format and
# densified that would be caught as well.
ALL_SPARSE_CLASSES = [
    getattr(sp, f"{fmt}_{kind}")
    for fmt in ("csr", "csc", "coo", "bsr", "dia", "dok", "lil")
    for kind in ("matrix", "array")
]


# --- Data ------------------------------------------------------------------------------
# 120 samples, 15 features, 30% stored entries drawn from N(0, 1): columns of
# comparable scales (variance 0.3) and coefficients of order 1. The
# regression's are the true ones, N(0, 1) draws; the classes are drawn from
# logits X W with noise of unit scale, which keeps the classifiers' optimum
# finite and its coefficients of order 1 as well (max |coef| is 1.5 to 3.8;
# the assertion messages print it as "scale").

N_SAMPLES, N_FEATURES, DENSITY = 120, 15, 0.3


def _make_data():
    rng = np.random.default_rng(0)
    mask = rng.random((N_SAMPLES, N_FEATURES)) < DENSITY
    X = np.where(mask, rng.standard_normal((N_SAMPLES, N_FEATURES)), 0.0)
    w = rng.standard_normal(N_FEATURES)
    y_reg = X @ w + 0.5 + 0.1 * rng.standard_normal(N_SAMPLES)
    y_bin = (X @ w + rng.logistic(size=N_SAMPLES) > 0).astype(int)
    W3 = rng.standard_normal((N_FEATURES, 3))
    y_multi = np.argmax(X @ W3 + rng.gumbel(size=(N_SAMPLES, 3)), axis=1)
    weights = rng.uniform(0.5, 2.0, N_SAMPLES)
    for array in (X, y_reg, y_bin, y_multi, weights):
        array.setflags(write=False)
    return X, {"regression": y_reg, "binary": y_bin, "multiclass": y_multi}, weights


X_DENSE, TARGETS, WEIGHTS = _make_data()
ESTIMATORS = {"regression": GDLinearRegressor, "binary": GDLogisticRegressor,
              "multiclass": GDLogisticRegressor}

# "default" is learning_rate="auto", Barzilai-Borwein here (full-batch plain
# descent), so a "bb" configuration would run the same fits again.
CONFIGS = {
    "default": {},
    "nesterov": {"solver": "nesterov"},
    "line_search": {"learning_rate": "line_search"},
    "l1": {"penalty": "l1", "alpha": 1e-3},
    "elasticnet": {"penalty": "elasticnet", "alpha": 1e-3, "l1_ratio": 0.5},
    "adam": {"solver": "adam"},
    "batch32": {"batch_size": 32},
}


def theta(model):
    """coef_ and intercept_ as one flat vector."""
    return np.r_[np.ravel(model.coef_), np.ravel(model.intercept_)]


# --- Watching the sparse classes -------------------------------------------------------


class Densified(AssertionError):
    """A sparse matrix was turned into a dense one."""


def _refuse(self, *args, **kwargs):
    raise Densified(f"{type(self).__name__} {self.shape} was densified")


def forbid_densification(monkeypatch):
    """Make every way of densifying a sparse matrix raise :class:`Densified`."""
    for cls in ALL_SPARSE_CLASSES:
        for name in ("toarray", "todense", "__array__"):
            monkeypatch.setattr(cls, name, _refuse, raising=False)


def record_products(monkeypatch):
    """Record ``(sparse dtype, dense dtype)`` of every product of a sparse
    matrix with an array whose dtype differs from the matrix's: scipy upcasts
    float32 times float64 to float64 without a word."""
    mixed = []

    def watched(original):
        def method(self, other, *args, **kwargs):
            if isinstance(other, (np.ndarray, np.generic)) and other.dtype != self.dtype:
                mixed.append((type(self).__name__, self.dtype, other.dtype))
            return original(self, other, *args, **kwargs)
        return method

    for cls in ALL_SPARSE_CLASSES:
        for name in ("__matmul__", "__rmatmul__", "dot"):
            monkeypatch.setattr(cls, name, watched(getattr(cls, name)))
    return mixed


def record_objective_inputs(monkeypatch):
    """Record what ``X`` reaches ``LinearModelObjective``: its class, whether
    it is sparse, its format, stored entries and dtype."""
    seen = []
    original = LinearModelObjective.__init__

    def init(self, X, *args, **kwargs):
        seen.append({"type": type(X), "sparse": sp.issparse(X),
                     "format": getattr(X, "format", None), "nnz": getattr(X, "nnz", None),
                     "dtype": X.dtype})
        original(self, X, *args, **kwargs)

    monkeypatch.setattr(LinearModelObjective, "__init__", init)
    return seen


def test_the_watches_can_fail(monkeypatch):
    X = sp.csr_matrix(X_DENSE.astype(np.float32))
    forbid_densification(monkeypatch)
    mixed = record_products(monkeypatch)
    for densify in (X.toarray, X.todense, X.T.toarray, lambda: np.asarray(X)):
        with pytest.raises(Densified):
            densify()
    X @ np.ones(N_FEATURES, np.float32)
    X.T @ np.ones((N_SAMPLES, 2), np.float32)
    assert mixed == []
    X @ np.ones(N_FEATURES)
    X.T @ np.ones((N_SAMPLES, 2))
    assert [(a, b) for _, a, b in mixed] == [(np.float32, np.float64)] * 2


# --- Never densified -------------------------------------------------------------------

USES = ["fit", "batch32", "early_stopping", "partial_fit"]


def _use(Estimator, task, use, X, y):
    """Fit (and predict) as ``use`` says; returns the fitted estimator."""
    params = {"max_iter": 20, "random_state": 0}
    if use == "batch32":
        params["batch_size"] = 32
    if use == "early_stopping":
        params["early_stopping"] = True
    model = Estimator(**params)
    if use == "partial_fit":
        classes = None if task == "regression" else np.unique(y)
        for rows in (slice(0, 60), slice(60, None)):
            kwargs = {} if classes is None else {"classes": classes}
            model.partial_fit(X[rows], y[rows], **kwargs)
    else:
        model.fit(X, y, sample_weight=WEIGHTS)
    model.predict(X)
    model.score(X, y)
    if task != "regression":
        model.decision_function(X)
        model.predict_proba(X)
        model.predict_log_proba(X)
    return model


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("use", USES)
@pytest.mark.parametrize("task", list(ESTIMATORS))
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_sparse_input_is_never_densified(fmt, task, use, monkeypatch):
    X = FORMATS[fmt](X_DENSE)
    forbid_densification(monkeypatch)
    seen = record_objective_inputs(monkeypatch)
    mixed = record_products(monkeypatch)
    with pytest.raises(Densified):  # the trap is set
        X.toarray()
    _use(ESTIMATORS[task], task, use, X, TARGETS[task])
    assert seen, "no LinearModelObjective was built: this test watches nothing"
    for got in seen:
        assert got["sparse"], f"LinearModelObjective received a dense {got['type']}"
        assert got["format"] == X.format, f"{X.format} input became {got['format']}"
        assert got["dtype"] == X.dtype
    # fit sees all of X; partial_fit sees its chunks.
    expected_nnz = ({X[:60].nnz, X[60:].nnz} if use == "partial_fit" else {X.nnz})
    assert {got["nnz"] for got in seen} == expected_nnz
    assert mixed == [], f"sparse products with another dtype: {mixed}"


# --- Peak memory -----------------------------------------------------------------------
# A 20000 x 2000 matrix of density 0.1% holds 40000 entries (about 0.6 MB as
# CSR); dense, it is 320 MB. The bound is 10% of the dense size, 32 MB.
# Measured on this machine (2 cores, numpy 2.4, scipy 1.17, the tracemalloc
# peak during fit): 1.1 to 2.7 MiB for the sparse fits below, and 306 MiB for
# a fit whose objective densifies X (``test_peak_memory_catches_a_densifying_fit``,
# the control that shows the bound would catch it). Passing the dense array
# instead is no control: it is allocated before tracing starts, and the fit's
# own peak on it is 1 to 27 MiB (the 27 being numba compiling the fused pass),
# so what the bound catches is densification by the fit itself.

BIG_SHAPE, BIG_DENSITY = (20_000, 2_000), 0.001
DENSE_BYTES = BIG_SHAPE[0] * BIG_SHAPE[1] * 8
PEAK_LIMIT = 0.10 * DENSE_BYTES


@functools.cache
def _big_problem(fmt):
    # Entries at random (row, column) places; the few repeated places are
    # summed, so a little under 40000 are stored. (scipy.sparse.random draws
    # the places without repetition, which takes seconds at this size.)
    rng = np.random.default_rng(0)
    n, p = BIG_SHAPE
    size = int(BIG_DENSITY * n * p)
    X = sp.coo_array((rng.standard_normal(size),
                      (rng.integers(0, n, size), rng.integers(0, p, size))),
                     shape=BIG_SHAPE).tocsr()
    y = X @ rng.standard_normal(p) + 0.1 * rng.standard_normal(n)
    X = FORMATS[fmt](X)
    for array in (X.data, X.indices, X.indptr, y):
        array.setflags(write=False)
    return X, y


def _peak_of_fit(model, X, y):
    # A first fit may compile the passes' kernels for these types: numba's
    # allocations are not copies of X, so the second fit is measured.
    clone(model).fit(X, y)
    tracemalloc.start()
    try:
        model.fit(X, y)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
# tol=0: every fit runs all of its max_iter iterations (epochs).
@pytest.mark.parametrize("params", [{"max_iter": 10}, {"batch_size": 2000, "max_iter": 2}],
                         ids=["full_batch", "batch2000"])
@pytest.mark.parametrize("task", ["regression", "multiclass"])
@pytest.mark.parametrize("fmt", ["csr_matrix", "csc_array"])
def test_peak_memory_of_a_sparse_fit_is_far_below_the_dense_size(fmt, task, params):
    X, y = _big_problem(fmt)
    if task == "multiclass":
        y = np.digitize(y, [-0.5, 0.5])
    model = ESTIMATORS[task](tol=0.0, random_state=0, **params)
    peak = _peak_of_fit(model, X, y)
    assert peak < PEAK_LIMIT, (
        f"peak {peak / 2**20:.1f} MiB >= {PEAK_LIMIT / 2**20:.1f} MiB, 10% of the "
        f"{DENSE_BYTES / 2**20:.0f} MiB of the dense X"
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_peak_memory_catches_a_densifying_fit(monkeypatch):
    # The control: the same measurement on a fit whose objective densifies X
    # must exceed the limit (it peaks at about 306 MiB).
    X, y = _big_problem("csr_matrix")
    original = LinearModelObjective.__init__

    def densifying(self, X, *args, **kwargs):
        original(self, X.toarray(), *args, **kwargs)

    monkeypatch.setattr(LinearModelObjective, "__init__", densifying)
    peak = _peak_of_fit(GDLinearRegressor(max_iter=2), X, y)
    assert peak > 0.9 * DENSE_BYTES > PEAK_LIMIT


# --- Same answer as dense --------------------------------------------------------------


def _fit(task, X, params, fit_intercept, weighted):
    model = ESTIMATORS[task](fit_intercept=fit_intercept, random_state=0, **params)
    return model.fit(X, TARGETS[task], sample_weight=WEIGHTS if weighted else None)


# With tol=0 and a fixed number of steps (epochs), the sparse and the dense fit
# take the same steps: same step sizes, same shuffles, same number of steps;
# they differ only by the order in which the products sum, about 1e-16
# relative per product, and contracting steps keep it there (measured over
# every case below: at most 7e-14 relative to max |coef|). 12 steps are few
# enough that no line search reaches the rounding floor of the objective,
# where its decisions turn on rounding: in the whitened coordinates the
# binary line search does at 15 steps (it is at the optimum by then), and a
# step accepted in one run is halved in the other, as it is between C- and
# Fortran-ordered dense copies of X (2e-8 apart after that). The
# bound, 1e-10 relative to max |coef| (about 1.5 here), leaves a margin of
# 1000 and is far tighter than the 1e-7 absolute asked of the converged fits
# below; a real disagreement (an intercept or a weight mishandled, another
# step size) shows at 1e-3 and above.
SAME_STEPS_RTOL = 1e-10
FIXED_STEPS = 12


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("task", list(ESTIMATORS))
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_sparse_takes_the_same_steps_as_dense(fmt, task, config, fit_intercept, weighted):
    # n_iter_no_change above max_iter: mini-batch epochs never stall, so every
    # run ends at max_iter, with its ConvergenceWarning.
    params = dict(CONFIGS[config], tol=0.0, max_iter=FIXED_STEPS,
                  n_iter_no_change=FIXED_STEPS + 1)
    with pytest.warns(ConvergenceWarning):
        dense = _fit(task, X_DENSE, params, fit_intercept, weighted)
    with pytest.warns(ConvergenceWarning):
        sparse = _fit(task, FORMATS[fmt](X_DENSE), params, fit_intercept, weighted)
    assert sparse.n_iter_ == dense.n_iter_
    scale = np.abs(theta(dense)).max()
    assert_allclose(theta(sparse), theta(dense), rtol=0, atol=SAME_STEPS_RTOL * scale,
                    err_msg=f"scale {scale:.3g}")
    if not fit_intercept:
        assert np.all(np.ravel(sparse.intercept_) == 0)


# Converged fits: both stop where max |gradient| <= tol. Where the objective
# is mu-strongly convex, each is within sqrt(P) tol / mu of the optimum (P
# parameters, at most 48 here), so the two agree to 2 sqrt(P) tol / mu. The
# smallest curvature at the optimum is about 0.12 for the regression, 0.013
# for the binary and 1.5e-3 for the multinomial classifier (on the parameters
# that descent moves: shifting one feature's coefficients, or the intercepts,
# equally across the classes changes no probability, and from the zero start
# its gradient stays zero). With tol = 1e-11 the bound is below 1e-7, the
# absolute agreement asserted, on coefficients of order 1 (max |coef| from 1.5
# to 3.8). Measured: at most 1.7e-8 (multinomial elastic net). The L1 fits
# stop on the subgradient of least size, for which the same bound holds.
CONVERGED_TOL = 1e-11
CONVERGED_ATOL = 1e-7
CONVERGED = ["default", "nesterov", "line_search", "l1", "elasticnet"]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("config", CONVERGED)
@pytest.mark.parametrize("task", list(ESTIMATORS))
@pytest.mark.parametrize("fmt", ["csr_matrix", "csc_array"])
def test_converged_sparse_fit_equals_dense(fmt, task, config, fit_intercept, weighted):
    params = dict(CONFIGS[config], tol=CONVERGED_TOL, max_iter=100_000)
    dense = _fit(task, X_DENSE, params, fit_intercept, weighted)
    sparse = _fit(task, FORMATS[fmt](X_DENSE), params, fit_intercept, weighted)
    for model in (dense, sparse):
        assert model.stop_reason_.startswith("Converged"), model.stop_reason_
    assert_allclose(theta(sparse), theta(dense), rtol=0, atol=CONVERGED_ATOL,
                    err_msg=f"scale {np.abs(theta(dense)).max():.3g}")
    if config == "l1":
        assert np.array_equal(theta(sparse) == 0, theta(dense) == 0)


# --- float32 ---------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("use", USES)
@pytest.mark.parametrize("task", list(ESTIMATORS))
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_float32_sparse_stays_float32(fmt, task, use, monkeypatch):
    X = FORMATS[fmt](X_DENSE.astype(np.float32))
    forbid_densification(monkeypatch)
    seen = record_objective_inputs(monkeypatch)
    mixed = record_products(monkeypatch)
    thetas = []
    original = LinearModelObjective.value_and_grad

    def value_and_grad(self, theta):
        value, grad = original(self, theta)
        thetas.append((theta.dtype, grad.dtype))
        return value, grad

    monkeypatch.setattr(LinearModelObjective, "value_and_grad", value_and_grad)
    epoch = LinearModelObjective.compiled_epoch

    def compiled_epoch(self, theta, *args):
        out = epoch(self, theta, *args)
        if out is not None:  # the new theta stands for the gradient
            thetas.append((theta.dtype, out[0].dtype))
        return out

    monkeypatch.setattr(LinearModelObjective, "compiled_epoch", compiled_epoch)
    model = _use(ESTIMATORS[task], task, use, X, TARGETS[task])
    assert {got["dtype"] for got in seen} == {np.dtype(np.float32)}
    assert all(got["sparse"] for got in seen)
    assert thetas and set(thetas) == {(np.dtype(np.float32), np.dtype(np.float32))}, (
        f"(theta, gradient) dtypes met: {set(thetas)}"
    )
    assert mixed == [], f"sparse products with another dtype: {mixed}"
    assert model.coef_.dtype == np.float32
    if np.ndim(model.intercept_):
        assert model.intercept_.dtype == np.float32
    else:  # 1-D regression: a Python float, holding a float32 value
        assert np.float32(model.intercept_) == model.intercept_
    if task == "regression":
        assert model.predict(X).dtype == np.float32
    else:
        assert model.decision_function(X).dtype == np.float32
        assert model.predict_proba(X).dtype == np.float32
