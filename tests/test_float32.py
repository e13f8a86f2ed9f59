"""float32 stays float32 through every descent: NumPy 2's promotion trap.

Under NumPy 2's promotion rules (NEP 50) one float64 array, or one numpy
float64 *scalar*, in an update turns the float32 parameters into float64; from
then on every ``X @ W`` converts the float32 ``X`` to float64 first (several
times slower, twice the memory traffic), and nothing fails: the fit still
converges, to a float64 ``coef_``. Python floats are "weak" and do not promote.

So ``X`` is watched. :class:`Float32Only` is a view of the float32 ``X`` that
records every operand a ufunc (``np.matmul`` included, so ``X @ W`` and
``X.T @ R``) or an array function (``np.dot``, ``np.einsum``...) meets with it
that would make the result something other than float32. The compiled fused
pass (numba, :mod:`sklearn_gd._backends.kernels`) reads ``X`` without ufuncs, so its
entry point is watched too: every array it is handed must be float32. Each
test runs the numpy passes (``LinearModelObjective.fused = False``) and, where
it applies and numba is installed, the fused one, and checks that ``X`` was
read through a watched path at all.
"""

import importlib.util

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor, minimize
from sklearn_gd._backends import host as _passes
from sklearn_gd._linear.losses import (
    BinaryLogLoss,
    HalfSquaredError,
    MultinomialLogLoss,
)
from sklearn_gd._linear.objective import LinearModelObjective
from sklearn_gd._optim.config import make_rule_and_step
from sklearn_gd._optim.descent import descend
from sklearn_gd._optim.minibatch import descend_minibatch
from sklearn_gd._optim.options import DescentOptions

FLOAT32 = np.dtype(np.float32)


def _kernels():
    """The compiled kernels' module, or None (no numba, or no fused pass)."""
    return _passes._kernels()


# Skipped only where numba is not installed. Where it is, the fused cases run,
# and a numba that fails to import fails them (assert_nothing_promoted).
needs_numba = pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                 reason="the fused pass needs numba")


def _why_no_fused_pass():
    try:
        from sklearn_gd._backends import kernels  # noqa: F401
    except ImportError as exc:
        return f"numba is installed, yet importing the kernels failed: {exc!r}"
    return "the kernels import, yet the fused pass is off (SKLEARN_GD_NUMBA=0?)"


# --- The watch -------------------------------------------------------------------------


def promotes(operand):
    """Whether a numpy array or scalar would turn float32 into another dtype.

    Python scalars are weak (NEP 50) and never do; numpy scalars and arrays
    do when their dtype is float64, complex, or an integer wider than 16 bits.
    """
    if not isinstance(operand, (np.ndarray, np.generic)) or operand.dtype == np.bool_:
        return False
    try:
        return np.result_type(np.float32, operand.dtype) != FLOAT32
    except TypeError:  # object or string arrays: never meant to meet X
        return True


class Watch:
    """What the spy and the kernel guard saw: the offending operands, and how
    many times ``X`` was read (a product with it, or a fused pass)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.promoting, self.reads, self.kernel_calls = [], 0, 0

    def check(self, where, operands):
        for operand in operands:
            if promotes(operand):
                self.promoting.append(f"{where}: {type(operand).__name__} "
                                      f"{operand.dtype}{np.shape(operand)}")


WATCH = Watch()
# Array functions that multiply X: a read of X (the ufunc np.matmul is the other).
PRODUCTS = {"dot", "vdot", "inner", "tensordot", "einsum", "matmul", "outer"}


def _plain(a):
    return a.view(np.ndarray) if isinstance(a, Float32Only) else a


def _operands(args):
    for arg in args:
        if isinstance(arg, (list, tuple)):
            yield from _operands(arg)
        else:
            yield arg


class Float32Only(np.ndarray):
    """A float32 ``X`` that reports every operand that would promote it.

    Results are plain ndarrays: only what touches ``X`` itself is watched
    (a slice or a transpose of ``X`` is still a ``Float32Only``).
    """

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        where = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        WATCH.check(where, inputs)
        if ufunc is np.matmul:
            WATCH.reads += 1
        dtype = kwargs.get("dtype")
        if dtype is not None and np.dtype(dtype) != FLOAT32:
            WATCH.promoting.append(f"{where}: dtype={dtype}")
        if out is not None:
            kwargs["out"] = tuple(_plain(o) for o in out)
        result = getattr(ufunc, method)(*(_plain(a) for a in inputs), **kwargs)
        results = result if isinstance(result, tuple) else (result,)
        for r in results:
            if isinstance(r, (np.ndarray, np.generic)) and r.dtype.kind in "fc" \
                    and r.dtype != FLOAT32:
                WATCH.promoting.append(f"{where} returned {r.dtype}")
        return result

    def __array_function__(self, func, types, args, kwargs):
        name = func.__name__
        if name in PRODUCTS:
            WATCH.reads += 1
        # Integer operands of array functions are indices, shapes, axes:
        # only floating ones would promote X here.
        floating = [a for a in _operands([*args, *kwargs.values()])
                    if isinstance(a, (np.ndarray, np.generic)) and a.dtype.kind in "fc"]
        WATCH.check(f"np.{name}", floating)
        return super().__array_function__(func, types, args, kwargs)


@pytest.fixture
def watch(monkeypatch):
    """The watch, emptied, with the fused pass's entry point under guard."""
    WATCH.reset()
    kernels = _kernels()
    for name in ("fused_pass", "multinomial_pass") if kernels is not None else ():
        def guarded(*args, _name=name, _kernel=getattr(kernels, name), **kwargs):
            WATCH.kernel_calls += 1
            WATCH.reads += 1
            # The softmax pass's labels (its second argument) index, never multiply.
            operands = [a for k, a in enumerate(args)
                        if not (_name == "multinomial_pass" and k == 1)]
            WATCH.check(_name, [*operands, *kwargs.values()])
            return _kernel(*args, **kwargs)

        monkeypatch.setattr(kernels, name, guarded)
    epochs = _passes._epoch_kernels()
    if epochs is not None:
        def guarded_epoch(X, *args, _kernel=epochs.run_epoch, **kwargs):
            # The compiled epoch steps in float64 from the rows as they are:
            # what it must be handed is X itself, not a float64 copy.
            WATCH.kernel_calls += 1
            WATCH.reads += 1
            WATCH.check("run_epoch", [X.data if sp.issparse(X) else X])
            return _kernel(X, *args, **kwargs)

        monkeypatch.setattr(epochs, "run_epoch", guarded_epoch)
    yield WATCH
    WATCH.reset()


def spied_objectives(monkeypatch, fused):
    """Make every ``LinearModelObjective`` hold a dense float32 ``X`` as a
    :class:`Float32Only` (whatever validation made of the input), and choose
    the numpy passes (``fused=False``) or the library's choice."""
    original = LinearModelObjective.__init__

    def init(self, X, *args, **kwargs):
        if isinstance(X, np.ndarray) and X.dtype == FLOAT32:
            X = X.view(Float32Only)
        original(self, X, *args, **kwargs)

    monkeypatch.setattr(LinearModelObjective, "__init__", init)
    if not fused:
        monkeypatch.setattr(LinearModelObjective, "fused", False, raising=False)


def assert_nothing_promoted(watch, fused=False):
    assert watch.promoting == [], "float32 X met: " + "; ".join(watch.promoting)
    assert watch.reads > 0, "X was never read through a watched path: this test is blind"
    if fused:
        assert watch.kernel_calls > 0, (
            f"the fused pass was never used: {_why_no_fused_pass()}")


# --- The spy can fail ------------------------------------------------------------------


def test_spy_flags_what_promotes_and_only_that(watch):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 3)).astype(np.float32).view(Float32Only)
    w32, w64 = np.ones(3, np.float32), np.ones(3)

    # What keeps float32: float32 operands, Python scalars, small integers.
    harmless = [X @ w32, X.T @ np.ones(5, np.float32), X * 2.0, X + 1, X - np.float32(1),
                X / np.int8(3), np.exp(X), X[1:3] @ w32, np.einsum("ij,j->i", X, w32),
                np.dot(X, w32)]
    assert watch.promoting == []
    assert all(np.asarray(r).dtype == FLOAT32 for r in harmless)
    assert not any(isinstance(r, Float32Only) for r in harmless[:-2])

    # What promotes, each caught.
    cases = {
        "X @ float64 array": lambda: X @ w64,
        "X.T @ float64 array": lambda: X.T @ np.ones(5),
        "X * np.float64 scalar": lambda: X * np.float64(2),
        "X + int64 array": lambda: X + np.arange(3),
        "slice of X @ float64": lambda: X[::2] @ w64,
        "np.dot(X, float64)": lambda: np.dot(X, w64),
        "np.einsum(X, float64)": lambda: np.einsum("ij,j->i", X, w64),
        "sum with dtype=float64": lambda: np.add.reduce(X, dtype=np.float64),
    }
    for name, promote in cases.items():
        watch.reset()
        assert np.asarray(promote()).dtype != FLOAT32
        assert watch.promoting, f"the spy missed {name}"


@pytest.mark.parametrize("fused", [False, pytest.param(True, marks=needs_numba)],
                         ids=["numpy", "fused"])
def test_watch_flags_a_float64_theta_in_the_objective(fused, watch):
    objective = make_objective("squared", 0.0)
    objective.fused = fused
    theta = objective.initial_params()
    objective.value_and_grad(theta)
    assert_nothing_promoted(watch, fused)
    objective.value_and_grad(theta.astype(np.float64))
    assert watch.promoting, "a float64 theta went unseen"


# --- The core: every solver and step size on a float32 objective -----------------------

N_SAMPLES, N_FEATURES = 50, 4
LOSSES = {
    # name: (loss, n_outputs)
    "squared": (HalfSquaredError(), 1),
    "squared_2_outputs": (HalfSquaredError(), 2),
    "binary": (BinaryLogLoss(), 1),
    "multinomial": (MultinomialLogLoss(), 3),
}
# The losses the fused pass computes (one output, dense C-contiguous X).
FUSED_LOSSES = ("squared", "binary")


def make_objective(loss_name, l1_ratio):
    """A float32 objective whose X is a :class:`Float32Only`, with targets
    built as the estimators build them: float32 values for least squares and
    the binary loss, a column of integer labels for the multinomial one."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES)).astype(np.float32)
    loss, n_outputs = LOSSES[loss_name]
    if isinstance(loss, HalfSquaredError):
        Y = rng.standard_normal((N_SAMPLES, n_outputs)).astype(np.float32)
    elif isinstance(loss, BinaryLogLoss):
        Y = rng.integers(0, 2, N_SAMPLES)[:, None].astype(np.float32)
    else:
        Y = rng.integers(0, n_outputs, N_SAMPLES)[:, None]  # integer labels 0..K-1
    sample_weight = rng.uniform(0.5, 2.0, N_SAMPLES).astype(np.float32)
    return LinearModelObjective(X.view(Float32Only), Y, sample_weight, loss, alpha=0.1,
                                l1_ratio=l1_ratio, fit_intercept=True, n_outputs=n_outputs)


SOLVERS = ("gd", "momentum", "nesterov", "adam", "adagrad", "rmsprop")
ADAPTIVE = ("adam", "adagrad", "rmsprop")  # they refuse an L1 part
RATE = 0.05  # a float learning rate, as a Python float


def _rates(solver, batched):
    # No "auto": it resolves to "bb" for full-batch plain descent and to
    # "lipschitz" everywhere else (config.resolve_auto), before any
    # arithmetic, so its cases ran one of these again, step for step.
    rates = ["lipschitz", RATE]
    if solver == "gd" and not batched:
        rates += ["line_search", "bb"]
    return rates


CORE_CASES = [
    pytest.param(loss, batching, solver, rate, l1_ratio, fused,
                 id=f"{loss}-{batching}-{solver}-{rate}-l1_{l1_ratio}-"
                    f"{'fused' if fused else 'numpy'}",
                 marks=[needs_numba] if fused else [])
    for loss in LOSSES
    for batching in ("full", "minibatch")
    for solver in SOLVERS
    for rate in _rates(solver, batching == "minibatch")
    for l1_ratio in ((0.0,) if solver in ADAPTIVE else (0.0, 0.5))
    for fused in ((False, True) if loss in FUSED_LOSSES else (False,))
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("loss, batching, solver, learning_rate, l1_ratio, fused",
                         CORE_CASES)
def test_descent_keeps_float32(loss, batching, solver, learning_rate, l1_ratio, fused,
                               watch):
    objective = make_objective(loss, l1_ratio)
    objective.fused = fused
    x0 = objective.initial_params()
    assert x0.dtype == FLOAT32
    batch_size = 16 if batching == "minibatch" else None  # 50 = 3 x 16 + 2
    rule, step = make_rule_and_step(
        objective, x0, learning_rate=learning_rate, solver=solver, momentum=0.9,
        beta_1=0.9, beta_2=0.999, epsilon=1e-8, schedule="constant", power_t=0.5,
        n_iter_no_change=2, batch_size=batch_size,
    )
    if batch_size is None:
        result = descend(objective, x0, rule=rule, step=step,
                         options=DescentOptions(max_iter=5, tol=0.0))
    else:
        result = descend_minibatch(
            objective, x0, rule=rule, step=step, options=DescentOptions(
                batch_size=batch_size, shuffle=True,
                random_state=np.random.default_rng(0), max_iter=3, tol=0.0,
                patience=2),
        )
    assert result.nit > 0, result.message
    assert_nothing_promoted(watch, fused)
    assert result.x.dtype == FLOAT32
    if batch_size is None:  # mini-batches take no full gradient at the end
        assert result.jac.dtype == FLOAT32


SCHEDULE_CASES = [
    pytest.param(schedule, batching, id=f"{schedule}-{batching}")
    for schedule in ("constant", "invscaling", "adaptive")
    for batching in ("full", "minibatch")
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("schedule, batching", SCHEDULE_CASES)
def test_step_schedules_keep_float32(schedule, batching, watch):
    objective = make_objective("squared_2_outputs", 0.0)
    x0 = objective.initial_params()
    batch_size = 16 if batching == "minibatch" else None
    rule, step = make_rule_and_step(
        objective, x0, learning_rate=RATE, solver="momentum", momentum=0.9, beta_1=0.9,
        beta_2=0.999, epsilon=1e-8, schedule=schedule, power_t=0.5, n_iter_no_change=1,
        batch_size=batch_size,
    )
    if batch_size is None:
        result = descend(objective, x0, rule=rule, step=step,
                         options=DescentOptions(max_iter=8, tol=0.0))
    else:
        result = descend_minibatch(
            objective, x0, rule=rule, step=step, options=DescentOptions(
                batch_size=batch_size, shuffle=True,
                random_state=np.random.default_rng(0), max_iter=4, tol=0.0,
                patience=1),
        )
    assert_nothing_promoted(watch)
    assert result.x.dtype == FLOAT32


# --- The estimators --------------------------------------------------------------------
# Well-conditioned standardized data: 300 samples of 6 independent standard
# normal features, standardized, so X^T X / n has its eigenvalues within
# [0.85, 1.15]; coefficients of order 1 (max |coef| from 1.2 to 4).

def _make_tasks():
    rng = np.random.default_rng(0)
    n, p = 300, 6
    X = StandardScaler().fit_transform(rng.standard_normal((n, p)))
    w = np.array([1.0, -2.0, 0.5, 1.5, -1.0, 0.75])
    y = X @ w + 0.5 + 0.3 * rng.standard_normal(n)
    tasks = {
        "regression": (GDLinearRegressor, y),
        "regression_2_targets": (GDLinearRegressor, np.column_stack([y, X[:, 0] - y])),
        "binary": (GDLogisticRegressor, (X @ w + rng.standard_normal(n) > 0).astype(int)),
        "multiclass": (GDLogisticRegressor, np.argmax(
            X @ rng.standard_normal((p, 3)) + rng.gumbel(size=(n, 3)), axis=1)),
    }
    X.setflags(write=False)
    return X, tasks


X64, TASKS = _make_tasks()
X32 = X64.astype(np.float32)
X32.setflags(write=False)

# How each mode fits. Full batch runs to a small gradient (tol=1e-6, which
# the float32 fits reach too: asserted). Mini-batches run a
# fixed 20 epochs (tol=0 and epochs that never stall), so that the float32
# and the float64 fit take the same steps on the same shuffles, and differ by
# rounding alone. Early stopping keeps its own stopping rule.
MODES = {
    "full": {"tol": 1e-6, "max_iter": 10_000},
    "batch16": {"batch_size": 16, "tol": 0.0, "max_iter": 20, "n_iter_no_change": 100},
    "early_stopping": {"early_stopping": True, "max_iter": 200},
}


def _fit(task, X, mode):
    Estimator, y = TASKS[task]
    if mode != "partial_fit":
        return Estimator(random_state=0, **MODES[mode]).fit(X, y)
    # partial_fit: five chunks of 60 samples, one epoch of 16-sample batches each.
    model = Estimator(batch_size=16, random_state=0)
    kwargs = {"classes": np.unique(y)} if Estimator is GDLogisticRegressor else {}
    for start in range(0, len(y), 60):
        model.partial_fit(X[start:start + 60], y[start:start + 60], **kwargs)
    return model


def theta(model):
    return np.r_[np.ravel(model.coef_), np.ravel(model.intercept_)]


def assert_float32_model(model, X):
    assert model.coef_.dtype == FLOAT32
    if np.ndim(model.intercept_):
        assert model.intercept_.dtype == FLOAT32
    else:
        # A 1-D regression's intercept_ is a Python float (documented): weak,
        # so it keeps predictions float32; it holds a float32 value.
        assert isinstance(model.intercept_, float)
        assert np.float32(model.intercept_) == model.intercept_
    if isinstance(model, GDLinearRegressor):
        assert model.predict(X).dtype == FLOAT32
    else:
        assert model.decision_function(X).dtype == FLOAT32
        assert model.predict_proba(X).dtype == FLOAT32
        assert model.predict_log_proba(X).dtype == FLOAT32


# float32 against float64. The fits take the same steps (the same number of
# them: asserted where it is fixed, measured elsewhere), so their coefficients
# differ by float32 rounding carried through a contraction: each gradient is
# rounded to ~eps32 * sqrt(n) ~ 1e-6 relative at worst, and the Hessian's
# condition number at the optimum is 1.3 for the regression and 17 for the
# binary model. Measured: at most 3e-7 of max |coef| (multinomial), per
# coefficient at most 7e-6 relative (small ones). Asserted: rtol 1e-4, with
# an absolute floor of 1e-4 * max |coef| for coefficients near zero: about 800
# float32 epsilons, a margin of 300 over what was measured, yet far below the
# 1e-2 and more that a wrong float32 fit (another step, a lost weight or
# intercept, a stop far from the optimum) gives.
# Early stopping is not compared: its stop turns on a validation score
# crossing tol, which float32 rounding may move by an epoch.
RTOL_32 = 1e-4

ESTIMATOR_CASES = [
    pytest.param(task, mode, fused, id=f"{task}-{mode}-{'fused' if fused else 'numpy'}",
                 marks=[needs_numba] if fused else [])
    for task in TASKS
    for mode in (*MODES, "partial_fit")
    for fused in ((False, True) if task in ("regression", "binary") else (False,))
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("task, mode, fused", ESTIMATOR_CASES)
def test_estimator_fitted_on_float32_stays_float32(task, mode, fused, watch, monkeypatch):
    spied_objectives(monkeypatch, fused)
    model32 = _fit(task, X32, mode)
    assert_nothing_promoted(watch, fused)
    assert_float32_model(model32, X32)
    model64 = _fit(task, X64, mode)
    assert model64.coef_.dtype == np.float64
    if mode == "full":
        for model in (model32, model64):
            assert model.stop_reason_.startswith("Converged"), model.stop_reason_
    if mode != "early_stopping":
        if mode in ("batch16", "partial_fit"):  # a fixed number of steps
            assert model32.n_iter_ == model64.n_iter_
        scale = np.abs(theta(model64)).max()
        assert_allclose(theta(model32), theta(model64), rtol=RTOL_32,
                        atol=RTOL_32 * scale, err_msg=f"scale {scale:.3g}")


# Hyperparameters given as numpy scalars, as a parameter grid built with
# np.linspace or np.logspace hands them to GridSearchCV. Each is a float64
# scalar, a strong type under NEP 50; the float32 fit must not notice.
F64 = np.float64
NUMPY_SCALAR_PARAMS = {
    "alpha": {"alpha": F64(0.01)},
    "elasticnet_l1_ratio": {"penalty": "elasticnet", "alpha": 0.01, "l1_ratio": F64(0.5)},
    "learning_rate": {"learning_rate": F64(0.05)},
    "tol": {"tol": F64(1e-4)},
    "momentum": {"solver": "momentum", "momentum": F64(0.9)},
    "momentum_l1": {"solver": "momentum", "momentum": F64(0.9), "penalty": "l1",
                    "alpha": 0.01},
    "nesterov_batch": {"solver": "nesterov", "momentum": F64(0.9), "batch_size": 16},
    "adam_beta_1": {"solver": "adam", "beta_1": F64(0.9)},
    "adam_beta_2": {"solver": "adam", "beta_2": F64(0.999)},
    "adam_epsilon": {"solver": "adam", "epsilon": F64(1e-8)},
    "adagrad_epsilon": {"solver": "adagrad", "epsilon": F64(1e-8)},
    "rmsprop_beta_2": {"solver": "rmsprop", "beta_2": F64(0.9)},
    "invscaling_power_t": {"schedule": "invscaling", "learning_rate": 0.05,
                           "power_t": F64(0.5)},
    "validation_fraction": {"early_stopping": True, "validation_fraction": F64(0.2)},
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("params", list(NUMPY_SCALAR_PARAMS))
def test_numpy_scalar_hyperparameters_keep_float32(params, watch, monkeypatch):
    # The library's own choice of pass (fused where it applies, watched at its
    # entry point): the regressor and the multinomial classifier.
    spied_objectives(monkeypatch, fused=True)
    failures = []
    for task in ("regression", "multiclass"):
        watch.reset()
        Estimator, y = TASKS[task]
        model = Estimator(max_iter=20, random_state=0, **NUMPY_SCALAR_PARAMS[params])
        model.fit(X32, y)
        if watch.promoting or model.coef_.dtype != FLOAT32:
            failures.append(f"{Estimator.__name__}: coef_ {model.coef_.dtype}, X met "
                            + "; ".join(sorted(set(watch.promoting))))
        assert watch.reads > 0
    assert not failures, "\n".join(failures)


# --- sklearn_gd.minimize --------------------------------------------------------------
# "float32 stays float32" (its docstring), for every solver and step size, and
# with numeric parameters given as numpy float64 scalars.


def _quadratic():
    A = np.array([[2.0, 0.5], [0.5, 1.0]], dtype=np.float32)
    c = np.array([1.0, -1.0], dtype=np.float32)

    def fun(x):
        assert x.dtype == FLOAT32, f"minimize handed fun a {x.dtype} x"
        grad = A @ x - c
        return float(0.5 * x @ A @ x - c @ x), grad

    return fun, np.array([3.0, -2.0], dtype=np.float32)


def _minimize_float32(**params):
    fun, x0 = _quadratic()
    return minimize(fun, x0, jac=True, max_iter=15, tol=0.0, record_path=True, **params)


MINIMIZE_CASES = [
    pytest.param(solver, rate, l1, id=f"{solver}-{rate}-l1_{l1}")
    for solver in SOLVERS
    for rate in _rates(solver, batched=False)
    for l1 in ((0.0,) if solver in ADAPTIVE else (0.0, 0.1))
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver, learning_rate, l1", MINIMIZE_CASES)
def test_minimize_keeps_float32(solver, learning_rate, l1):
    result = _minimize_float32(solver=solver, learning_rate=learning_rate, l1=l1,
                               lipschitz=2.3)
    assert result.x.dtype == result.jac.dtype == result.path.dtype == FLOAT32


MINIMIZE_NUMPY_SCALARS = {
    "lipschitz": {"lipschitz": F64(2.3)},
    "lipschitz_step": {"lipschitz": F64(2.3), "learning_rate": "lipschitz"},
    "learning_rate": {"learning_rate": F64(0.1)},
    "l1": {"l1": F64(0.1), "learning_rate": 0.1},
    "momentum": {"solver": "momentum", "momentum": F64(0.5), "learning_rate": 0.1},
    "adam_beta_1": {"solver": "adam", "beta_1": F64(0.9), "learning_rate": 0.1},
    "adagrad_epsilon": {"solver": "adagrad", "epsilon": F64(1e-8), "learning_rate": 0.1},
    "invscaling_power_t": {"schedule": "invscaling", "power_t": F64(0.5),
                           "learning_rate": 0.1},
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("params", list(MINIMIZE_NUMPY_SCALARS))
def test_minimize_with_numpy_scalar_parameters_keeps_float32(params):
    result = _minimize_float32(**MINIMIZE_NUMPY_SCALARS[params])
    assert result.x.dtype == result.jac.dtype == result.path.dtype == FLOAT32
