"""A tiny configuration of each benchmark script, so that the scripts cannot rot."""

import csv
import importlib.util
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
# The scripts import their shared modules (problems, _common) as run from there.
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))


def load(name):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_solvers_benchmark_reaches_the_reference_objective(tmp_path):
    solvers = load("solvers")
    out = tmp_path / "solvers.csv"
    rows = solvers.main(["--rtol", "1e-3", "--max-iter", "3000", "--repeats", "1",
                         "--out", str(out)])
    assert {row["problem"] for row in rows} == {"diabetes", "diabetes-lasso", "breast_cancer"}
    assert not any(r["problem"] == "diabetes-lasso" and r["solver"] == "adam" for r in rows)
    reached = {(r["problem"], r["solver"], r["learning_rate"]): r["iterations"] for r in rows}
    # The fast configurations get there within this small budget.
    assert reached["diabetes", "nesterov", "auto"] is not None
    assert reached["breast_cancer", "gd", "bb"] is not None
    assert reached["diabetes-lasso", "nesterov", "auto"] is not None
    assert all(r["peer_seconds"] > 0 for r in rows)
    assert out.read_text().startswith("problem,solver,learning_rate,iterations")
