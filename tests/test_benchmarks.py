"""A tiny configuration of each benchmark script, so that the scripts cannot rot."""

import csv
import importlib.util

import numpy as np
import pytest
from benchmark_scripts import load


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


def header(path):
    with open(path, newline="") as handle:
        return next(csv.reader(handle))


def test_problem_list_sizes_are_nested_and_tiny_is_small():
    problems = load("problems")
    tiny = {p.name for p in problems.select("tiny")}
    assert tiny == {"diabetes", "breast_cancer", "digits", "reg-1e4x20-float64",
                    "reg-1e4x20-float32", "cla-1e4x20-float64", "cla-1e4x20-float32"}
    assert tiny < {p.name for p in problems.select("small")} < {
        p.name for p in problems.select("large")}
    assert [p.name for p in problems.select("large", match="sparse", kind="regression")] == [
        "reg-sparse-1e5x1e4"]
    X, y = problems.select("tiny", match="cla-1e4x20-float32")[0].load()
    assert X.shape == (10_000, 20) and X.dtype == "float32" and set(y) == {0, 1}


def test_iteration_cost_benchmark(tmp_path):
    out = tmp_path / "iteration_cost.csv"
    rows = load("iteration_cost").main(
        ["--size", "tiny", "--match", "diabetes,1e4x20-float32", "--repeats", "1",
         "--min-batch-seconds", "0.001", "--out", str(out)])
    assert [r["problem"] for r in rows] == ["diabetes", "reg-1e4x20-float32",
                                            "cla-1e4x20-float32"]
    ratios = [r[f"{loss}_{path}ratio"] for r in rows for loss in ("squared", "log")
              for path in ("", "numpy_")]
    assert all(np.isfinite(ratio) and ratio > 0 for ratio in ratios)
    assert header(out) == [
        "problem", "n_samples", "n_features", "dtype", "sparse", "matvec_ms", "threads",
        "squared_ms", "squared_ratio", "squared_numpy_ms", "squared_numpy_ratio",
        "log_ms", "log_ratio", "log_numpy_ms", "log_numpy_ratio",
    ]


def test_time_to_solution_benchmark(tmp_path):
    out = tmp_path / "time_to_solution.csv"
    rows = load("time_to_solution").main(
        ["--size", "tiny", "--match", "reg-1e4x20-float64,breast_cancer", "--rtol", "1e-3",
         "--max-iter", "300", "--repeats", "1", "--out", str(out)])
    methods = {(r["problem"], r["method"]): r for r in rows}
    # Ours with 3 solvers and as fitted by default, then 5 and 4 peers.
    assert len(methods) == (4 + 5) + (4 + 4)
    assert methods["reg-1e4x20-float64", "GDLinearRegressor(gd/auto)"]["reached"]
    assert methods["reg-1e4x20-float64", "Ridge(auto)"]["reached"]
    assert methods["breast_cancer", "GDLogisticRegressor(gd/auto)"]["best_over_this"] == 1.0
    assert methods["breast_cancer", "LogisticRegression(lbfgs)"]["peak_over_X"] > 0
    assert header(out) == ["problem", "method", "seconds", "iterations", "reached", "rel_gap",
                           "peak_over_X", "default_over_this", "best_over_this"]


def test_threads_benchmark(tmp_path):
    out = tmp_path / "threads.csv"
    rows = load("threads").main(["--match", "breast_cancer", "--repeats", "1",
                                 "--out", str(out)])
    assert [r["estimator"] for r in rows] == ["LogisticRegression()",
                                              'GDLogisticRegressor(solver="nesterov")']
    assert all(r["one_thread_seconds"] > 0 for r in rows)
    assert header(out)[-1] == "default_over_one"


def test_iteration_cost_plot(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "iteration_cost.png"
    load("iteration_cost").main(["--size", "tiny", "--match", "diabetes", "--repeats", "1",
                                 "--min-batch-seconds", "0.001", "--plot", str(out)])
    assert out.stat().st_size > 0


def test_minibatch_benchmark(tmp_path):
    out, png = tmp_path / "minibatch.csv", tmp_path / "minibatch.png"
    rows = load("minibatch").main(
        ["--size", "tiny", "--match", "cla-1e4x20-float64", "--batch-sizes", "1024",
         "--solvers", "gd,adam", "--max-epochs", "2", "--repeats", "1", "--out", str(out),
         "--plot", str(png)])
    assert [(r["problem"], r["batch_size"], r["solver"]) for r in rows] == [
        ("cla-1e4x20-float64", 1024, "gd"), ("cla-1e4x20-float64", 1024, "adam")]
    assert all(r["peer_seconds"] > 0 and r["peer_objective"] > 0 for r in rows)
    for r in rows:
        # A row has a time and a ratio exactly when some epoch reached the peer's objective.
        assert r["reached"] == (r["epochs"] is not None) == (r["ratio"] is not None)
        assert (r["rel_gap"] <= 0) == r["reached"]
    assert header(out) == ["problem", "n_samples", "n_features", "dtype", "batch_size",
                           "solver", "learning_rate", "epochs", "steps_per_epoch", "seconds",
                           "objective", "rel_gap", "reached", "peer_seconds", "peer_epochs",
                           "peer_objective", "ratio"]
    if importlib.util.find_spec("matplotlib") is not None:
        assert png.stat().st_size > 0


def test_suite_runs_every_script_into_one_folder(tmp_path):
    suite = load("suite")
    names = [name for name, _, _ in suite.runs("tiny", None, 1, tmp_path)]
    assert names == ["iteration_cost", "iteration_cost_1t", "time_to_solution", "minibatch",
                     "threads"]
    done = suite.main(["--size", "tiny", "--match", "cla-1e4x20-float32", "--repeats", "1",
                       "--out-dir", str(tmp_path), "--only", "iteration_cost,iteration_cost_1t"])
    assert set(done) == {"iteration_cost", "iteration_cost_1t"}
    assert header(tmp_path / "iteration_cost_1t.csv")[0] == "problem"
    assert (tmp_path / "iteration_cost.png").exists()


def test_raw_features_benchmark(tmp_path):
    raw = load("raw_features")
    rows = raw.main(["--only", "wine", "--text", "2000x300", "--short-rows", "3000x100",
                     "--one-hot", "2000x3", "--repeats", "1", "--out", str(tmp_path / "raw.csv")])
    wine, text, short, one_hot = rows
    assert wine["ours_gap"] <= 1e-4 and not wine["ours_warned"]
    assert wine["standardized_iter"] > 0
    assert text["ours_to_rtol_iter"] is not None and text["peer_to_rtol_s"] > 0
    assert text["passes"]["X @ w"] > 0 and text["passes"]["numpy pass"] > 0
    assert 4 < short["nnz"] / 3000 < 6 and short["passes"]["numpy pass"] > 0
    assert one_hot["nnz"] == 3 * 2000 and one_hot["passes"]["numpy pass"] > 0
    assert (tmp_path / "raw.csv").exists()
    X, y = raw.cover_like(300)  # one-hot groups beside skewed columns
    assert X.shape == (300, 54) and len(np.unique(y)) > 2
    assert (X[:, 10:14].sum(axis=1) == 1).all() and (X[:, 14:].sum(axis=1) == 1).all()
