"""A tiny configuration of benchmarks/dask_ml.py, so that the script cannot rot."""

import csv
import importlib.util

import pytest

# Skipped where a package is not installed, and only there: a package that is
# installed but fails to import (a missing or broken dependency of its own)
# fails the test. dask_glm stands for dask_ml here, which the script's own
# name shadows wherever benchmarks/ is on sys.path; the script imports the
# real one itself (below).
for _package in ("distributed", "dask_glm"):
    if importlib.util.find_spec(_package) is None:
        pytest.skip(f"{_package} is not installed", allow_module_level=True)

from benchmark_scripts import load  # noqa: E402


@pytest.fixture(scope="module")
def script():
    module = load("dask_ml")
    try:
        module.import_dask_ml()
    except ModuleNotFoundError as exc:
        if exc.name != "dask_ml":  # dask-ml is there, something it needs is not
            raise
        pytest.skip("dask-ml is not installed")
    return module


def test_dask_ml_benchmark(script, tmp_path):
    out = tmp_path / "d.csv"
    # --peer-max-iter 3: the peers' ladders stop after one fit each.
    rows = script.main(["--n-samples", "4000", "--n-features", "5", "--chunks", "4",
                        "--workers", "2", "--repeats", "1", "--peer-max-iter", "3",
                        "--out", str(out)])
    found = {(r["problem"], r["alpha"], r["contender"]): r for r in rows}
    ours = ["GDLinearRegressor", "GDLinearRegressor, default fit",
            "GDLinearRegressor, first fit (fresh workers)"]
    lbfgs, gd = "dask-ml LinearRegression(lbfgs)", "dask-ml LinearRegression(gradient_descent)"
    assert {c for p, _, c in found if p == "reg-4e3x5"} == {*ours, lbfgs, gd}
    ours = [c.replace("Linear", "Logistic") for c in ours]
    lbfgs, gd = (c.replace("LinearRegression", "LogisticRegression") for c in (lbfgs, gd))
    assert {c for p, a, c in found if p == "cla-4e3x5" and a > 0} == {*ours, lbfgs}
    assert {c for p, a, c in found if p == "cla-4e3x5" and a == 0} == {*ours[:2], lbfgs, gd}
    for r in rows:
        if r["contender"].startswith("GD"):
            # Ours reaches 1e-6 on this easy problem, and its time is a real time.
            assert r["seconds"] > 0 and r["iterations"] >= 1
            assert r["reached"] == (r["rel_gap"] <= 1e-6)
    assert found["cla-4e3x5", 1e-4, "GDLogisticRegressor"]["reached"]
    assert found["cla-4e3x5", 1e-4, lbfgs]["iterations"] <= 3
    # The intercept penalty of dask-ml's lbfgs costs next to nothing here.
    assert 0 <= found["cla-4e3x5", 1e-4, lbfgs]["floor_gap"] < 1e-8
    # What dask-ml does with 3 classes and with weights is reported, not assumed.
    multi = found["cla-3-classes-4e3x5", 1e-4, lbfgs]
    assert multi["note"].startswith("no error") and multi["rel_gap"] is None
    weighted = found["cla-weighted-4e3x5", 1e-4, lbfgs]
    assert "sample_weight" in weighted["note"] and weighted["seconds"] is None
    assert found["cla-weighted-4e3x5", 1e-4, "GDLogisticRegressor"]["reached"]
    with open(out, newline="") as handle:
        written = list(csv.DictReader(handle))
    assert len(written) == len(rows)
    assert list(written[0]) == script.COLUMNS
