"""A tiny configuration of benchmarks/gpu.py on the CPU, so that the script cannot rot."""

import csv
import math

import pytest

pytest.importorskip("torch")

from benchmark_scripts import load  # noqa: E402


def test_gpu_benchmark_on_the_cpu(tmp_path):
    out = tmp_path / "gpu.csv"
    rows = load("gpu").main(["--n-samples", "2000", "--n-features", "8", "--device", "cpu",
                             "--iterations", "5", "--repeats", "1", "--libraries", "torch,cupy",
                             "--out", str(out)])
    # CuPy is skipped without a GPU: one torch row per estimator.
    assert [(r["library"], r["estimator"]) for r in rows] == [
        ("torch", "GDLinearRegressor"), ("torch", "GDLogisticRegressor")]
    for r in rows:
        assert r["iter_ms"] > 0 and r["matvec_ms"] > 0 and r["cpu_iter_ms"] > 0
        assert math.isclose(r["x_gb"], 2000 * 8 * 4 / 1e9)
        assert math.isclose(r["gbps"], r["x_gb"] / (r["iter_ms"] / 1e3))
        assert math.isclose(r["speedup"], r["cpu_iter_ms"] / r["iter_ms"])
        # No peak bandwidth is known for a CPU unless given.
        assert r["peak_gbps"] is None and r["fraction_of_peak"] is None
    with open(out, newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [r["estimator"] for r in written] == ["GDLinearRegressor", "GDLogisticRegressor"]
    assert list(written[0])[:4] == ["library", "device", "device_name", "estimator"]


def test_gpu_benchmark_peak_and_no_cpu(tmp_path):
    rows = load("gpu").main(["--n-samples", "500", "--n-features", "4", "--device", "cpu",
                             "--iterations", "2", "--repeats", "1", "--no-cpu",
                             "--peak-bandwidth", "100"])
    assert all(r["cpu_iter_ms"] is None and r["speedup"] is None for r in rows)
    assert all(math.isclose(r["fraction_of_peak"], r["gbps"] / 100) for r in rows)


@pytest.mark.parametrize("name, gbps", [
    ("NVIDIA H200", 4800), ("NVIDIA GH200 480GB", None), ("NVIDIA H100 80GB HBM3", 3350),
    ("NVIDIA H100 PCIe", 2000), ("NVIDIA A100-SXM4-80GB", 2039),
    ("NVIDIA A100-SXM4-40GB", 1555), ("NVIDIA L40S", 864), ("NVIDIA A10", 600),
    ("NVIDIA A10G", 600), ("Tesla T4", 320), ("cpu (2 cores)", None),
])
def test_peak_bandwidth_from_the_device_name(name, gbps):
    assert load("gpu").peak_bandwidth(name) == gbps
