"""The same answer under any threads, pools and stops, and the exits users
expect: warnings at their own line that merge, persistence with no private
type, the HTML repr's link to the API page."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from joblib import Parallel, delayed
from numpy.testing import assert_array_equal
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_validate
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor, minimize
from sklearn_gd._backends import host, passes
from sklearn_gd._linear.losses import BinaryLogLoss, HalfSquaredError


def _scaled_problem(n=6000, p=50, seed=0):
    """Columns on scales from 0.03 to 30: many steps, each rounding visible."""
    rng = np.random.default_rng(seed)
    scales = np.logspace(-1.5, 1.5, p)
    X = rng.standard_normal((n, p)) * scales
    y = (X @ (rng.standard_normal(p) / scales) + rng.standard_normal(n) > 0).astype(int)
    return X, y


def _same_model(a, b):
    assert_array_equal(a.coef_, b.coef_)
    assert_array_equal(a.intercept_, b.intercept_)
    assert_array_equal(a.loss_curve_, b.loss_curve_)


# --- Bitwise reproducible -------------------------------------------------------------


@pytest.mark.skipif(not host.fused_available(), reason="the fused pass needs numba")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("loss", [HalfSquaredError(), BinaryLogLoss()])
def test_fused_pass_has_the_same_bits_on_any_number_of_threads(loss, dtype):
    X, y = _scaled_problem(n=9000, p=40)  # several chunks of 1 MiB
    X = X.astype(dtype)
    Y = y[:, None].astype(dtype)
    weights = np.full(len(y), 1 / len(y), dtype=dtype)
    W = np.linspace(-0.1, 0.1, X.shape[1], dtype=dtype)[:, None]
    b = np.array([0.2], dtype=dtype)
    one = host.host_pass(X, Y, weights, loss, W, b, n_threads=1)
    for n_threads in (2, 3, 7):
        other = host.host_pass(X, Y, weights, loss, W, b, n_threads=n_threads)
        assert other[0] == one[0]
        assert_array_equal(other[1], one[1])
        assert_array_equal(other[2], one[2])


def test_numpy_pass_sums_the_samples_in_a_fixed_order():
    """A BLAS dot over 2e4 samples splits them among its threads."""
    X, y = _scaled_problem(n=20_000, p=3)
    Y = y[:, None].astype(float)
    weights = np.full(len(y), 1 / len(y))
    W, b = np.full((3, 1), 0.1), np.array([0.2])
    default = passes.loss_pass(X, Y, weights, BinaryLogLoss(), W, b, fused=False)
    with threadpool_limits(1, "blas"):
        single = passes.loss_pass(X, Y, weights, BinaryLogLoss(), W, b, fused=False)
    assert default[0] == single[0]
    assert_array_equal(default[1], single[1])


@pytest.mark.parametrize("size", ["threshold", "past it", 100_003])
def test_dot_has_the_same_bits_on_any_number_of_blas_threads(size):
    """The loop's dot: a BLAS dot up to BLAS_ONE_THREAD entries, numpy's
    pairwise sum past it (a BLAS dot of 1e5 entries splits among threads),
    on either side the same bits on one thread."""
    from sklearn_gd._reductions import BLAS_ONE_THREAD, dot

    size = {"threshold": BLAS_ONE_THREAD, "past it": BLAS_ONE_THREAD + 1}.get(size, size)
    a, b = np.random.default_rng(0).standard_normal((2, size))
    default = dot(a, b)
    with threadpool_limits(1, "blas"):
        assert dot(a, b) == default
    assert default == pytest.approx(float(np.sum(a * b)), rel=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("case", ["binary", "multinomial", "regression", "sparse"])
def test_a_fit_stopped_by_max_iter_does_not_depend_on_the_blas_threads(case):
    X, y = _scaled_problem()
    Estimator, params = GDLogisticRegressor, dict(learning_rate="bb", max_iter=300)
    if case == "multinomial":
        y = np.digitize(X[:, 0], [-0.05, 0.05])
    elif case == "regression":
        Estimator, y = GDLinearRegressor, X @ np.linspace(-1, 1, X.shape[1])
    elif case == "sparse":
        X = sp.random(20_000, 300, density=0.02, format="csr", random_state=0)
        y = (X @ np.linspace(-1, 1, 300) > 0).astype(int)
    default = Estimator(**params).fit(X, y)
    with threadpool_limits(1, "blas"):
        single = Estimator(**params).fit(X, y)
    _same_model(default, single)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_cross_validate_in_processes_gives_the_serial_models():
    X, y = _scaled_problem(n=8000)
    model = GDLogisticRegressor(learning_rate="bb", max_iter=100)
    serial = cross_validate(model, X, y, cv=2, return_estimator=True)
    pooled = cross_validate(model, X, y, cv=2, return_estimator=True, n_jobs=2)
    for a, b in zip(serial["estimator"], pooled["estimator"]):
        _same_model(a, b)


def test_threaded_fits_leave_the_thread_pools_as_they_were():
    X, y = load_breast_cancer(return_X_y=True)

    def pools():
        return [(pool["internal_api"], pool["num_threads"]) for pool in threadpool_info()]

    before = pools()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        Parallel(n_jobs=2, backend="threading")(
            delayed(GDLogisticRegressor(max_iter=50).fit)(X, y) for _ in range(40))
    assert pools() == before


# --- Warnings -----------------------------------------------------------------------


def _fits_that_stop_at_max_iter():
    X, y = load_breast_cancer(return_X_y=True)
    return [
        lambda: GDLogisticRegressor(max_iter=3).fit(X, y),
        lambda: GDLogisticRegressor(max_iter=3, batch_size=64, random_state=0).fit(X, y),
        lambda: GDLinearRegressor(max_iter=3, learning_rate="lipschitz").fit(
            X, y.astype(float)),
        lambda: minimize(lambda w: w @ w, np.ones(2), jac=lambda w: 2 * w,
                         learning_rate=1e-3, max_iter=3),
    ]


@pytest.mark.parametrize("index", range(4), ids=["fit", "minibatch", "regressor",
                                                  "minimize"])
def test_convergence_warnings_point_at_the_callers_line(index):
    fit = _fits_that_stop_at_max_iter()[index]
    with pytest.warns(ConvergenceWarning, match="max_iter=3") as record:
        fit()
    assert [w.filename for w in record] == [__file__]


def test_separable_classes_warning_points_at_the_callers_line():
    X = np.r_[np.zeros((10, 1)), np.ones((10, 1))]
    y = np.r_[np.zeros(10), np.ones(10)]
    with pytest.warns(ConvergenceWarning, match="linearly separable") as record:
        model = GDLogisticRegressor(alpha=0).fit(X, y)
    assert [w.filename for w in record] == [__file__]
    assert "max |coef_|" in model.stop_reason_


def test_repeated_warnings_of_one_cause_have_one_text():
    """Python merges warnings of the same text (shown once per line and text):
    fits on other data, stopped for the same cause, must give the same text,
    and keep their own figures in ``stop_reason_``."""
    X, y = load_breast_cancer(return_X_y=True)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        reasons = set()
        for rows in (slice(0, 300), slice(100, 400), slice(200, 569)):
            model = GDLogisticRegressor(max_iter=4).fit(X[rows], y[rows])
            reasons.add(model.stop_reason_)
    assert len(reasons) == 3
    texts = {str(w.message) for w in record if w.category is ConvergenceWarning}
    assert len(record) == 3 and len(texts) == 1


# --- Persistence and the HTML repr -----------------------------------------------------


@pytest.mark.parametrize("Estimator, params", [
    (GDLinearRegressor, dict(solver="adam", batch_size=16, random_state=0)),
    (GDLogisticRegressor, dict(learning_rate="bb")),
    (GDLogisticRegressor, dict(solver="nesterov", schedule="invscaling", batch_size=8,
                               random_state=0)),
])
def test_skops_persists_a_partial_fit_with_no_private_type(Estimator, params):
    sio = pytest.importorskip("skops.io")
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    extra = {} if Estimator is GDLinearRegressor else {"classes": [0, 1]}
    model = Estimator(**params)
    for rows in (slice(0, 150), slice(150, 300)):
        model.partial_fit(X[rows], y[rows], **extra)
    data = sio.dumps(model)
    assert sio.get_untrusted_types(data=data) == [f"sklearn_gd.{Estimator.__name__}"]
    loaded = sio.loads(data, trusted=[f"sklearn_gd.{Estimator.__name__}"])
    model.partial_fit(X[300:], y[300:], **extra)
    loaded.partial_fit(X[300:], y[300:], **extra)
    _same_model(model, loaded)


@pytest.mark.parametrize("Estimator", [GDLinearRegressor, GDLogisticRegressor])
def test_html_repr_links_to_the_api_page(Estimator):
    link = Estimator()._get_doc_link()
    assert link.endswith(f"/generated/sklearn_gd.{Estimator.__name__}.html")
    assert link in Estimator()._repr_html_()


def test_user_facing_text_speaks_of_the_software_only():
    """No issue numbers in the README, the benchmarks' README or the docs."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    texts = [root / "README.md", root / "benchmarks" / "README.md",
             *sorted((root / "docs").rglob("*.rst"))]
    found = [f"{path.relative_to(root)}: {match.group(0)}" for path in texts
             for match in re.finditer(r"\b[Ii]ssues? #?\d+", path.read_text())]
    assert found == []


def test_a_mini_batch_divergence_reports_the_objective_that_blew_up():
    """Not the objective at the last finite iterate (NaN, or below the start)."""
    import re

    from sklearn.datasets import load_diabetes

    from sklearn_gd import DivergenceError

    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(DivergenceError, match="went from") as info:
        GDLinearRegressor(batch_size=8, learning_rate=1e3, random_state=0).fit(X, y)
    start, end = map(float, re.search(r"went from (\S+) to (\S+) ", str(info.value)).groups())
    assert end > start
