"""Robustness: fuzzed parameters, divergence detection, failed refits that
leave the model intact, separable data, max_iter, and parallel model selection.

Everything runs on tiny fixed data sets: the whole file takes seconds.
"""

import copy
import re
import warnings

import joblib
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

import sklearn_gd._estimators.base
import sklearn_gd._optim.stopping
from sklearn_gd import GDLinearRegressor, GDLogisticRegressor
from sklearn_gd._linear.objective import LinearModelObjective
from sklearn_gd.exceptions import DivergenceError

SOLVERS = ["gd", "momentum", "nesterov", "adam", "adagrad", "rmsprop"]
ESTIMATORS = [GDLinearRegressor, GDLogisticRegressor]

_rng = np.random.RandomState(0)
X_REG = _rng.normal(size=(30, 3))
Y_REG = X_REG @ [1.0, -2.0, 0.5] + 0.3 + 0.1 * _rng.normal(size=30)
X_CLF = _rng.normal(size=(30, 2))
Y_CLF = (X_CLF[:, 0] + 0.5 * _rng.normal(size=30) > 0).astype(int)
Y_CLF3 = np.digitize(X_CLF[:, 0] + 0.5 * _rng.normal(size=30), [-0.5, 0.5])


def data(estimator):
    if isinstance(estimator, GDLogisticRegressor) or estimator is GDLogisticRegressor:
        return X_CLF, Y_CLF
    return X_REG, Y_REG


def quiet_fit(est, X, y, **kwargs):
    """Fit without ConvergenceWarning (RuntimeWarning stays an error)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kwargs)


def fitted_state(est):
    """Deep copies of every fitted attribute (the names ending with ``_``)."""
    return {k: copy.deepcopy(v) for k, v in vars(est).items()
            if k.endswith("_") and not k.startswith("__")}


def assert_same_value(a, b, name):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == b.dtype, name
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    else:
        assert type(a) is type(b) and (a == b or (a != a and b != b)), name


def assert_unchanged(before, est):
    after = fitted_state(est)
    assert after.keys() == before.keys()
    for name in before:
        assert_same_value(before[name], after[name], name)


# --------------------------------------------------------------------------
# 1. Parameter fuzzing
# --------------------------------------------------------------------------

def _open01():
    return st.floats(0, 1, exclude_max=True)


@st.composite
def valid_params(draw, classifier):
    params = dict(
        solver=draw(st.sampled_from(SOLVERS)),
        learning_rate=draw(st.one_of(
            st.sampled_from(["auto", "lipschitz", "line_search", "bb"]),
            st.floats(1e-6, 1e6),
        )),
        schedule=draw(st.sampled_from(["constant", "invscaling", "adaptive"])),
        momentum=draw(_open01()),
        beta_1=draw(_open01()),
        beta_2=draw(_open01()),
        epsilon=draw(st.floats(0, 1e3, exclude_min=True)),
        power_t=draw(st.floats(0, 4)),
        penalty=draw(st.sampled_from(["l2", "l1", "elasticnet", None])),
        alpha=draw(st.one_of(st.just(0.0), st.floats(0, 1e6), st.floats(0, 1e300))),
        l1_ratio=draw(st.floats(0, 1)),
        batch_size=draw(st.one_of(st.none(), st.integers(1, 40))),
        shuffle=draw(st.booleans()),
        early_stopping=draw(st.booleans()),
        validation_fraction=draw(st.floats(0, 1, exclude_min=True, exclude_max=True)),
        n_iter_no_change=draw(st.integers(1, 5)),
        tol=draw(st.one_of(st.just(0.0), st.floats(0, 10))),
        max_iter=draw(st.integers(1, 12)),
        max_time=draw(st.one_of(st.none(), st.floats(1e-6, 10))),
        fit_intercept=draw(st.booleans()),
        warm_start=draw(st.booleans()),
        record_path=draw(st.booleans()),
        random_state=0,
    )
    if classifier:
        params["class_weight"] = draw(st.one_of(
            st.none(), st.just("balanced"),
            st.fixed_dictionaries({c: st.floats(1e-3, 1e3) for c in range(3)}),
        ))
    return params


def _names_a_parameter(message, params):
    names = "|".join(map(re.escape, params))
    return re.search(rf"\b(?:{names})=", message) is not None


def check_valid_fit(Estimator, params, multiclass):
    X, y = data(Estimator)
    if multiclass:
        y = Y_CLF3
    est = Estimator(**params)
    try:
        quiet_fit(est, X, y)
        if params["warm_start"]:  # a second fit that starts from the first
            quiet_fit(est, X, y)
    except ValueError as exc:  # DivergenceError included
        assert _names_a_parameter(str(exc), params), str(exc)
        if isinstance(exc, DivergenceError):
            assert "Try a smaller learning_rate" in str(exc)
        return
    assert np.all(np.isfinite(est.coef_))
    assert np.all(np.isfinite(est.intercept_))
    assert np.all(np.isfinite(est.loss_curve_))
    assert 1 <= len(est.loss_curve_) <= params["max_iter"] + 1
    # Overflow while predicting would be a RuntimeWarning: an error here.
    assert np.all(np.isfinite(est.predict(X)))
    if Estimator is GDLogisticRegressor:
        assert np.all(np.isfinite(est.predict_proba(X)))


FUZZ = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(params=valid_params(classifier=False))
def test_fuzz_valid_params_regressor(params):
    check_valid_fit(GDLinearRegressor, params, multiclass=False)


@FUZZ
@given(params=valid_params(classifier=True), multiclass=st.booleans())
def test_fuzz_valid_params_classifier(params, multiclass):
    check_valid_fit(GDLogisticRegressor, params, multiclass)


def _below(low):
    return st.floats(max_value=low, exclude_max=True, allow_nan=False)


def _above(high, inclusive=True):
    return st.floats(min_value=high, exclude_min=not inclusive, allow_nan=False)


_WRONG_TYPE = st.sampled_from(["1", [1], object()])
_NOT_BOOL = st.sampled_from(["True", 1, 0, None, 1.0])

INVALID = {
    "penalty": st.sampled_from(["l3", "L2", "none", 1]),
    "alpha": st.one_of(_below(0), st.just(np.nan), st.just(np.inf), _WRONG_TYPE),
    "l1_ratio": st.one_of(_below(0), _above(1, inclusive=False), st.just(np.nan),
                          _WRONG_TYPE),
    "fit_intercept": _NOT_BOOL,
    "learning_rate": st.one_of(_below(0).map(lambda v: v if v < 0 else 0.0),
                               st.just(0.0), st.just(np.inf), st.just(None),
                               st.sampled_from(["fast", "optimal", "Auto", "invscaling"])),
    "max_iter": st.one_of(st.integers(max_value=0), st.floats(1.5, 100.5), st.just("10"),
                          st.just(None)),
    "tol": st.one_of(_below(0), st.just(np.inf), st.just(None), _WRONG_TYPE),
    "max_time": st.one_of(_below(0), st.just(0.0), st.just("1"), _WRONG_TYPE),
    "solver": st.sampled_from(["sgd", "lbfgs", "GD", None, 1]),
    "momentum": st.one_of(_below(0), _above(1), _WRONG_TYPE),
    "beta_1": st.one_of(_below(0), _above(1), _WRONG_TYPE),
    "beta_2": st.one_of(_below(0), _above(1), _WRONG_TYPE),
    "epsilon": st.one_of(_below(0), st.just(0.0), st.just(np.inf), _WRONG_TYPE),
    "schedule": st.sampled_from(["optimal", "Constant", None, 1]),
    "power_t": st.one_of(_below(0), st.just(np.inf), _WRONG_TYPE),
    "n_iter_no_change": st.one_of(st.integers(max_value=0), st.floats(1.5, 9.5),
                                  _WRONG_TYPE),
    "batch_size": st.one_of(st.integers(max_value=0), st.floats(1.5, 9.5),
                            st.just("auto")),
    "shuffle": _NOT_BOOL,
    "average": st.one_of(st.integers(max_value=-1), st.floats(0.5, 9.5), st.just("yes")),
    "random_state": st.one_of(st.integers(max_value=-1), st.just("seed"), st.just(1.5)),
    "early_stopping": _NOT_BOOL,
    "validation_fraction": st.one_of(_below(0).map(lambda v: v if v < 0 else 0.0),
                                     st.just(0.0), _above(1), _WRONG_TYPE),
    "precondition": st.one_of(st.sampled_from(["Auto", "yes", "standardize", 1, None]),
                              _WRONG_TYPE),
    "warm_start": _NOT_BOOL,
    "verbose": st.one_of(st.integers(max_value=-1), st.just("loud")),
    "record_path": _NOT_BOOL,
}
INVALID_CLASSIFIER = {
    **INVALID,
    "class_weight": st.sampled_from(["auto", "Balanced", 1.0, [1.0, 2.0]]),
}


def test_invalid_table_covers_every_parameter():
    """A parameter added later must get invalid values here."""
    for Estimator, table in [(GDLinearRegressor, INVALID),
                             (GDLogisticRegressor, INVALID_CLASSIFIER)]:
        assert set(Estimator._parameter_constraints) == set(table)


@pytest.mark.parametrize("Estimator", [GDLinearRegressor, GDLogisticRegressor])
def test_defaults_satisfy_the_constraints(Estimator):
    """A parameter that holds its default goes unchecked in ``fit``: every
    default must pass scikit-learn's own check."""
    from sklearn.utils._param_validation import validate_parameter_constraints

    defaults = Estimator().get_params(deep=False)
    validate_parameter_constraints(Estimator._parameter_constraints, defaults,
                                   caller_name=Estimator.__name__)


def check_invalid(Estimator, name, params):
    est = Estimator(**params)
    with pytest.raises(InvalidParameterError, match=rf"'{name}' parameter"):
        est.fit(*data(Estimator))
    assert not hasattr(est, "coef_")


# Every parameter in turn (deterministic ids), random invalid values on top
# of random valid configurations.
INVALID_FUZZ = settings(max_examples=6)


@pytest.mark.parametrize(
    "Estimator, name",
    [(GDLinearRegressor, name) for name in sorted(INVALID)]
    + [(GDLogisticRegressor, name) for name in sorted(INVALID_CLASSIFIER)],
    ids=[f"regressor-{name}" for name in sorted(INVALID)]
    + [f"classifier-{name}" for name in sorted(INVALID_CLASSIFIER)],
)
@INVALID_FUZZ
@given(drawn=st.data())
def test_fuzz_invalid_param(Estimator, name, drawn):
    classifier = Estimator is GDLogisticRegressor
    params = drawn.draw(valid_params(classifier=classifier))
    params[name] = drawn.draw((INVALID_CLASSIFIER if classifier else INVALID)[name])
    check_invalid(Estimator, name, params)


def test_huge_alpha_gives_a_clear_error():
    # Valid (alpha is in [0, inf)): fits, or says what is wrong. The BB step
    # once underflowed to 0 here and the line search divided by it.
    est = GDLinearRegressor(alpha=1e200, max_iter=5)
    try:
        quiet_fit(est, X_REG, Y_REG)
    except ValueError as exc:
        assert "alpha=" in str(exc) or "learning_rate=" in str(exc)
    else:
        assert np.all(np.isfinite(est.coef_))


# --------------------------------------------------------------------------
# 2. Divergence is detected within a few iterations
# --------------------------------------------------------------------------

# A constant rate far too large for X_REG (whose 1/L is about 0.6): the plain
# and momentum rules blow up geometrically; the adaptive ones move every
# coordinate by about the rate on the first step. Measured (detected
# iteration, first iteration with J > 1e4 J(0)):
#   full batch  gd 3: (6, 6)  momentum 5: (5, 4)  nesterov 3: (5, 5)
#               adam/adagrad/rmsprop 1e6: (1, 1)
#   batch 5     gd 1.5: (4, 4)  momentum 1: (6, 6)  nesterov 1: (2, 2)
#               adam/adagrad/rmsprop 1e6: (1, 1)
DIVERGING = {
    (None, "gd"): 3.0, (None, "momentum"): 5.0, (None, "nesterov"): 3.0,
    (5, "gd"): 1.5, (5, "momentum"): 1.0, (5, "nesterov"): 1.0,
    **{(bs, s): 1e6 for bs in (None, 5) for s in ("adam", "adagrad", "rmsprop")},
}
# The watch measures the rise from max(|J(0)|, |J(1) - J(0)|) (full batch) or
# from |J(0)| against the epoch objective (mini-batch), so under geometric
# growth it may fire one step after J first passes 1e4 J(0) (momentum: one
# step late); and a mini-batch epoch objective averages the batches' objectives
# within the epoch, so it can see the blow-up an epoch before the end-of-epoch
# iterate does. Two iterations either way is "a few" with a margin of one.
LAG = 2


def _objective(coef, intercept):
    with np.errstate(over="ignore", invalid="ignore"):
        r = X_REG @ coef + intercept - Y_REG
        return 0.5 * np.mean(r**2)


def test_a_first_step_that_multiplies_the_objective_does_not_raise_the_bar():
    # rmsprop's first step at rate 100 multiplies J by ~7000, and its later
    # steps climb past 1e4 J(0) at iteration 9. Were the first change in the
    # scale, the bar would stand at 1e4 times it, and the fit would end at
    # max_iter with coefficients near 130.
    X = np.random.RandomState(0).normal(size=(30, 3))
    y = X @ [1, -2, 0.5] + 0.3 + 0.1 * np.random.RandomState(1).normal(size=30)
    with pytest.raises(DivergenceError, match="Diverged at iteration 9:"):
        GDLinearRegressor(solver="rmsprop", learning_rate=100, max_iter=200).fit(X, y)


@pytest.mark.parametrize("batch_size, solver", list(DIVERGING),
                         ids=[f"{s}-{'full' if bs is None else 'batch'}"
                              for bs, s in DIVERGING])
def test_divergence_detected_within_a_few_iterations(batch_size, solver, monkeypatch):
    params = dict(solver=solver, learning_rate=DIVERGING[batch_size, solver],
                  batch_size=batch_size, random_state=0, max_iter=50)
    with pytest.raises(DivergenceError, match=r"Diverged at iteration (\d+)") as info:
        GDLinearRegressor(**params).fit(X_REG, Y_REG)
    detected = int(re.search(r"Diverged at iteration (\d+)", str(info.value)).group(1))
    assert "learning_rate=" in str(info.value)

    # The reference: the same descent, its watch off, a few iterations past
    # the detection; J computed here from the recorded path.
    monkeypatch.setattr(sklearn_gd._optim.stopping, "BLOWUP_FACTOR", np.inf)
    ref = GDLinearRegressor(**{**params, "max_iter": detected + LAG + 1},
                            record_path=True)
    quiet_fit(ref, X_REG, Y_REG)
    J = np.array([_objective(c, b) for c, b in zip(ref.coef_path_, ref.intercept_path_)])
    blown = np.flatnonzero(~(J <= 1e4 * J[0]))  # NaN counts as blown up
    assert blown.size, f"detected at {detected}, but J stayed below 1e4 J(0)"
    first = int(blown[0])
    assert abs(detected - first) <= LAG, (detected, first)


# --------------------------------------------------------------------------
# 3. A failed refit leaves the previous model intact
# --------------------------------------------------------------------------

def _interrupt_after(monkeypatch, n_calls):
    """Make the objective raise KeyboardInterrupt on its n-th evaluation or
    compiled epoch (mini-batches run whole epochs compiled)."""
    calls = {"n": 0}
    originals = {name: getattr(LinearModelObjective, name)
                 for name in ("value_and_grad", "compiled_epoch")}

    def counted(original):
        def method(self, *args):
            calls["n"] += 1
            if calls["n"] >= n_calls:
                raise KeyboardInterrupt
            return original(self, *args)
        return method

    for name, original in originals.items():
        monkeypatch.setattr(LinearModelObjective, name, counted(original))

    def undo():
        for name, original in originals.items():
            monkeypatch.setattr(LinearModelObjective, name, original)
    return undo


def _nan_X(X):
    X = X.copy()
    X[3, 1] = np.nan
    return X


FAILURES = ["diverging", "nan_X", "interrupt", "late_interrupt"]


def _interrupt_at_the_end(monkeypatch, Estimator):
    """Raise KeyboardInterrupt once the fitted attributes are all set: the
    last thing a fit does is move them where X lives."""
    def _place_fitted(self, X):
        raise KeyboardInterrupt
    monkeypatch.setattr(Estimator, "_place_fitted", _place_fitted)
    return lambda: monkeypatch.undo()


def _failing_fit(est, failure, monkeypatch):
    """A refit that fails. A cold refit gets a fourth feature, so that
    validation has already changed ``n_features_in_`` when it fails."""
    X, y = data(est)
    if not est.warm_start:
        X = np.c_[X, X[:, :1] ** 2]
    undo = lambda: None  # noqa: E731
    if failure == "diverging":
        est.set_params(learning_rate=1e6)
    elif failure == "nan_X":
        X = _nan_X(X)
    elif failure == "interrupt":
        undo = _interrupt_after(monkeypatch, n_calls=4)
    else:
        undo = _interrupt_at_the_end(monkeypatch, type(est))
    expected = ValueError if failure in ("diverging", "nan_X") else KeyboardInterrupt
    with pytest.raises(expected):
        quiet_fit(est, X, y)
    undo()


@pytest.mark.parametrize("warm_start", [False, True], ids=["cold", "warm"])
@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("batch_size", [None, 5], ids=["full", "batch"])
@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda E: E.__name__)
def test_failed_refit_leaves_model_intact(Estimator, batch_size, failure, warm_start,
                                          monkeypatch):
    params = dict(solver="adam", learning_rate=0.05, batch_size=batch_size,
                  warm_start=warm_start, record_path=True, max_iter=20, random_state=0)
    est = quiet_fit(Estimator(**params), *data(Estimator))
    keys, before = set(vars(est)), fitted_state(est)
    _failing_fit(est, failure, monkeypatch)
    assert set(vars(est)) == keys
    assert_unchanged(before, est)

    # And the next good fit is the one that would have followed without it.
    est.set_params(**params)
    quiet_fit(est, *data(Estimator))
    reference = quiet_fit(Estimator(**params), *data(Estimator))
    quiet_fit(reference, *data(Estimator))
    for name in ("coef_", "intercept_", "n_iter_", "loss_curve_"):
        assert_same_value(getattr(reference, name), getattr(est, name), name)


def test_interrupt_from_a_callback_leaves_model_intact():
    """A KeyboardInterrupt raised by a scikit-learn callback mid-descent."""
    sk_callback = pytest.importorskip("sklearn.callback")  # noqa: F841

    class Interrupter:
        def __init__(self):
            self.steps = 0

        def setup(self, estimator, context):
            pass

        def teardown(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context):
            pass

        def on_fit_task_end(self, estimator, context, **kwargs):
            if context.task_name == "iteration":
                self.steps += 1
                if self.steps == 3:
                    raise KeyboardInterrupt
            return False

    est = quiet_fit(GDLogisticRegressor(solver="nesterov", max_iter=20), X_CLF, Y_CLF)
    keys, before = set(vars(est)), fitted_state(est)
    est.set_callbacks(Interrupter())
    keys.add("_skl_callbacks")
    with pytest.raises(KeyboardInterrupt):  # a refit on a feature more
        est.fit(np.c_[X_CLF, X_CLF[:, :1] ** 2], Y_CLF)
    assert set(vars(est)) == keys
    assert_unchanged(before, est)


def _chunks(Estimator):
    X, y = data(Estimator)
    return [(X[:10], y[:10]), (X[10:20], y[10:20]), (X[20:], y[20:])]


def assert_same_state(a, b, name):
    """The same nested tuples, dicts, arrays and numbers, exactly."""
    if isinstance(a, dict) or isinstance(b, dict):
        assert type(a) is type(b) and a.keys() == b.keys(), name
        for key in a:
            assert_same_state(a[key], b[key], f"{name}[{key!r}]")
    elif isinstance(a, tuple) or isinstance(b, tuple):
        assert type(a) is type(b) and len(a) == len(b), name
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_state(x, y, f"{name}[{i}]")
    else:
        assert_same_value(a, b, name)


# How a chunk fails:
# - "outlier_chunk": values past what float64 descent can square, refused by
#   validation (check_scale) before any step;
# - "diverging_chunk": a chunk of a million times the scale, which validation
#   accepts; its curvature is 1e12 times that of the chunks before it, so the
#   kept step is far too large for it and the epoch itself diverges
#   (DivergenceError);
# - "nan_X", refused by validation; "interrupt", a KeyboardInterrupt in the
#   first step; "late_interrupt", one once every fitted attribute is set.
PARTIAL_FAILURES = ["outlier_chunk", "diverging_chunk", "nan_X", "interrupt",
                    "late_interrupt"]
# The step sizes: the stateless constant one, and two that keep a state a
# failed epoch must not touch: "invscaling" counts its steps (eta / k^power_t),
# "adaptive" keeps the best objective and the count of steps without
# progress, full batch. (Mini-batch epochs of partial_fit shrink no step, so
# there its state stays as it began; the momentum's velocity still changes.)
PARTIAL_SCHEDULES = ["constant", "invscaling", "adaptive"]


@pytest.mark.parametrize("schedule", PARTIAL_SCHEDULES)
@pytest.mark.parametrize("failure", PARTIAL_FAILURES)
@pytest.mark.parametrize("batch_size", [None, 4], ids=["full", "batch"])
@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda E: E.__name__)
def test_failed_partial_fit_changes_nothing(Estimator, batch_size, failure, schedule,
                                            monkeypatch):
    # Momentum: a rule state (the velocity) that a failure must not touch.
    params = dict(solver="momentum", learning_rate=0.05, schedule=schedule,
                  batch_size=batch_size, random_state=0)
    extra = {"classes": [0, 1]} if Estimator is GDLogisticRegressor else {}
    chunks = _chunks(Estimator)

    est, reference = Estimator(**params), Estimator(**params)
    for X, y in chunks[:2]:
        est.partial_fit(X, y, **extra)
        reference.partial_fit(X, y, **extra)
    keys, before = set(vars(est)), fitted_state(est)
    kept = copy.deepcopy(est._partial_state)
    assert np.any(kept["rule"] != 0)

    X, y = chunks[2]
    undo = lambda: None  # noqa: E731
    if failure == "outlier_chunk":
        X = X * 1e300
    elif failure == "diverging_chunk":
        X = X * 1e6
    elif failure == "nan_X":
        X = _nan_X(X)
    elif failure == "interrupt":
        undo = _interrupt_after(monkeypatch, n_calls=2)  # in the first step
    else:
        undo = _interrupt_at_the_end(monkeypatch, Estimator)
    if failure == "diverging_chunk":  # in the descent, not before it
        expected = pytest.raises(DivergenceError, match="Diverged at iteration 1")
    elif failure in ("outlier_chunk", "nan_X"):
        expected = pytest.raises(ValueError)
    else:
        expected = pytest.raises(KeyboardInterrupt)
    with expected as info:
        est.partial_fit(X, y, **extra)
    undo()
    if failure == "outlier_chunk":
        assert not isinstance(info.value, DivergenceError)
    assert set(vars(est)) == keys
    assert_unchanged(before, est)
    assert_same_state(kept, est._partial_state, "_partial_state")

    # The next good chunk continues as if the failure never happened...
    est.partial_fit(*chunks[2], **extra)
    reference.partial_fit(*chunks[2], **extra)
    for name, value in fitted_state(reference).items():
        if name != "times_":  # wall time
            assert_same_value(value, getattr(est, name), name)
    assert_same_state(reference._partial_state, est._partial_state, "_partial_state")
    # ...and moves the state the failure left alone: the comparisons above
    # would have seen a failure that moved it.
    if schedule == "invscaling" or (schedule == "adaptive" and batch_size is None):
        assert est._partial_state["step"] != kept["step"]


# --------------------------------------------------------------------------
# 4. Unpenalized logistic regression on separable data
# --------------------------------------------------------------------------

X_SEP = np.r_[_rng.normal(size=(10, 2)) + 1.5, _rng.normal(size=(10, 2)) - 1.5]
Y_SEP = np.r_[np.ones(10, dtype=int), np.zeros(10, dtype=int)]
assert np.all((X_SEP.sum(axis=1) > 0) == Y_SEP)  # separable by x0 + x1 = 0

SEPARABLE_CASES = [
    (bs, solver, lr)
    for bs in (None, 5)
    for solver in SOLVERS
    for lr in (1.0, "auto", "lipschitz", "line_search", "bb")
    if lr not in ("line_search", "bb") or (solver == "gd" and bs is None)
]


@pytest.mark.parametrize(
    "batch_size, solver, learning_rate", SEPARABLE_CASES,
    ids=[f"{s}-{lr}-{'full' if bs is None else 'batch'}" for bs, s, lr in SEPARABLE_CASES])
def test_separable_data_warns_and_stays_finite(batch_size, solver, learning_rate):
    # tol=0: the gradient only tends to zero, so no finite coefficients meet it
    # (with tol > 0 a descent may legitimately converge on separable data).
    clf = GDLogisticRegressor(alpha=0.0, tol=0.0, max_iter=60, solver=solver,
                              learning_rate=learning_rate, batch_size=batch_size,
                              random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_SEP, Y_SEP)
    assert np.all(np.isfinite(clf.coef_)) and np.all(np.isfinite(clf.intercept_))
    assert clf.score(X_SEP, Y_SEP) == 1.0
    assert np.all(np.isfinite(clf.predict_proba(X_SEP)))


@pytest.mark.parametrize("batch_size", [None, 5], ids=["full", "batch"])
@pytest.mark.parametrize("multiclass", [False, True], ids=["binary", "multinomial"])
def test_separable_data_converged_at_tol_warns(batch_size, multiclass):
    # With the default tol the gradient, which only tends to zero, meets it:
    # the fit "converges" at coefficients whose size tol set, and says so.
    y = np.where(X_SEP[:, 0] > 1.5, 2, Y_SEP) if multiclass else Y_SEP
    clf = GDLogisticRegressor(penalty=None, batch_size=batch_size, random_state=0)
    with pytest.warns(ConvergenceWarning, match="linearly separable"):
        clf.fit(X_SEP, y)
    assert clf.stop_reason_.startswith("Converged")
    assert clf.score(X_SEP, y) == 1.0 and np.all(np.isfinite(clf.coef_))


def test_penalized_or_inseparable_fits_do_not_warn():
    y = Y_SEP.copy()
    y[[0, -1]] = y[[-1, 0]]  # one sample of each class on the wrong side
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        GDLogisticRegressor(alpha=1e-2).fit(X_SEP, Y_SEP)
        GDLogisticRegressor(alpha=0.0).fit(X_SEP, y)


# --------------------------------------------------------------------------
# 5. max_iter is honoured
# --------------------------------------------------------------------------

@pytest.mark.parametrize("early_stopping", [False, True], ids=["plain", "early"])
@pytest.mark.parametrize("batch_size", [None, 4], ids=["full", "batch"])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda E: E.__name__)
def test_max_iter_honoured(Estimator, solver, batch_size, early_stopping):
    for max_iter in (1, 3):
        est = Estimator(solver=solver, max_iter=max_iter, tol=0.0, batch_size=batch_size,
                        early_stopping=early_stopping, n_iter_no_change=100,
                        record_path=True, random_state=0)
        quiet_fit(est, *data(Estimator))
        assert est.n_iter_ == max_iter  # tol=0 and no patience: every step is taken
        assert len(est.loss_curve_) == len(est.coef_path_) == max_iter + 1
        # A warm start counts afresh.
        est.set_params(warm_start=True)
        quiet_fit(est, *data(Estimator))
        assert est.n_iter_ == max_iter


@pytest.mark.parametrize("batch_size", [None, 4], ids=["full", "batch"])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda E: E.__name__)
def test_partial_fit_takes_one_epoch_per_call(Estimator, solver, batch_size):
    """partial_fit runs one epoch (one step, full batch) whatever max_iter;
    n_iter_ counts the epochs of all the calls."""
    extra = {"classes": [0, 1]} if Estimator is GDLogisticRegressor else {}
    est = Estimator(solver=solver, max_iter=1, tol=0.0, batch_size=batch_size,
                    random_state=0)
    for k, (X, y) in enumerate(_chunks(Estimator), start=1):
        est.partial_fit(X, y, **extra)
        assert est.n_iter_ == k
        assert len(est.loss_curve_) == k + 1


# --------------------------------------------------------------------------
# 6. Parallel model selection gives the serial results
# --------------------------------------------------------------------------

GRID = {"learning_rate": [0.05, 0.2], "alpha": [0.0, 0.1]}


def _grid(Estimator, n_jobs):
    est = Estimator(solver="momentum", max_iter=300, batch_size=8, random_state=0)
    # Log loss, not accuracy, for the classifier: a score that sees any change.
    scoring = "neg_log_loss" if Estimator is GDLogisticRegressor else None
    search = GridSearchCV(est, GRID, cv=2, n_jobs=n_jobs, error_score="raise",
                          scoring=scoring)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return search.fit(*data(Estimator))


@pytest.mark.parametrize("backend", ["threading", "loky"])
@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda E: E.__name__)
def test_grid_search_in_parallel_matches_serial(Estimator, backend):
    serial = _grid(Estimator, n_jobs=1)
    with joblib.parallel_backend(backend):
        parallel = _grid(Estimator, n_jobs=2)
    for key, value in serial.cv_results_.items():
        if "test_score" in key:
            np.testing.assert_allclose(parallel.cv_results_[key], value, rtol=0,
                                       atol=1e-12, err_msg=key)
    assert parallel.best_params_ == serial.best_params_
    np.testing.assert_allclose(parallel.best_estimator_.coef_, serial.best_estimator_.coef_,
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(parallel.best_estimator_.intercept_,
                               serial.best_estimator_.intercept_, rtol=0, atol=1e-12)


def test_overlapping_fits_restore_blas_threads():
    """Two fits in threads (GridSearchCV's threading backend) overlap: the
    first to begin ends first. Each holds the BLAS pools at one thread while
    it runs; once both are done, the pools must be back as they were."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from sklearn_gd._backends.threads import threads_for

    def blas():
        return [d["num_threads"] for d in threadpoolctl.threadpool_info()
                if d["user_api"] == "blas"]

    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        first, second = threads_for(X_REG), threads_for(X_REG)
        first.__enter__()
        second.__enter__()
        first.__exit__(None, None, None)
        second.__exit__(None, None, None)
        assert blas() and all(n == 2 for n in blas()), blas()
