"""A tiny run of the benchmark scripts that compare versions and small fits,
so that they cannot rot."""

import numpy as np
import pytest
from benchmark_scripts import load


def test_fingerprints_are_stable_and_a_change_shows(tmp_path, capsys, monkeypatch):
    fingerprint = load("fingerprint")
    monkeypatch.setattr(fingerprint, "CONFIGS", fingerprint.CONFIGS[:3])
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    rows = fingerprint.main(["--size", "tiny", "--match", "diabetes", "--out", str(first)])
    fingerprint.main(["--size", "tiny", "--match", "diabetes", "--out", str(second)])
    assert {"default", "partial_fit", "warm_start"} <= {r["case"] for r in rows}
    assert fingerprint.main(["--compare", str(first), str(second)]) == 0
    changed = second.read_text().replace(rows[0]["digest"], "0" * 16, 1)
    second.write_text(changed)
    assert fingerprint.main(["--compare", str(first), str(second)]) == 1
    assert "1 differ" in capsys.readouterr().out


def test_small_fits_table(tmp_path):
    out = tmp_path / "small.csv"
    rows = load("small_fits").main(["--repeats", "1", "--out", str(out)])
    assert [r["data"] for r in rows][-1] == "diabetes"
    assert all(np.isfinite(r["ratio"]) and r["ratio"] > 0 for r in rows)
    assert out.read_text().startswith("data,shape,ours_ms")


def test_softmax_pass_table(tmp_path):
    out = tmp_path / "softmax.csv"
    rows = load("softmax_pass").main(["--repeats", "1", "--min-batch-seconds", "0.001",
                                      "--shapes", "50x3x3,300x5x4", "--out", str(out)])
    assert [r["shape"] for r in rows] == ["50x3x3", "300x5x4"]
    assert all(np.isfinite(r["numpy_ratio"]) and r["numpy_ratio"] > 0 for r in rows)
    assert out.read_text().startswith("shape,matmul_us,numpy_us")


def test_generated_fits_table(tmp_path):
    out = tmp_path / "generated.csv"
    rows = load("generated_fits").main(["--seeds", "1", "--limit", "2", "--out", str(out)])
    assert [r["shape"] for r in rows] == ["1000x10x2", "3000x20x3"]
    assert all(r["gap"] < 1e-4 and not r["warned"] for r in rows)
    assert out.read_text().startswith("shape,separation,alpha")
    wide = load("generated_fits").main(["--wide", "--seeds", "1", "--limit", "1"])
    assert [r["shape"] for r in wide] == ["lognormal 2000x200x2 #0"]
    assert wide[0]["gap"] < 1e-4 and not wide[0]["warned"]
    name, X, _, _ = next(load("generated_fits").lognormal_problems(1, standardized=False))
    assert name == "unscaled exp 2000x200x2 #0" and X[:, ::2].max() > 1e10


def test_generated_fits_of_real_sets_shapes_stand_beside_their_standardized_copies():
    raw = load("raw_features")
    row = load("generated_fits").measure_shaped("letter-like", *raw.letter_like(600), 1e-2)
    assert row["gap"] < 1e-4 and not row["warned"]
    assert row["standardized"] > 0 and row["standardized, raw penalty"] > 0
    X, y = raw.arcene_like(20, 300)
    assert X.shape == (20, 300) and X.max() <= 1000 and set(y) == {0, 1}
    X, y = raw.mnist_like(50)
    assert X.shape == (50, 784) and X.max() <= 255 and (X.std(axis=0) == 0).any()


def test_csr_floor_times_every_piece():
    pytest.importorskip("numba")
    results = load("csr_floor").main(["--text", "2000x300", "--cached-rows", "200",
                                      "--repeats", "1"])
    assert set(results) == {"streamed", "in the cache"}
    assert all(len(pieces) == 5 and min(t[0] for t in pieces.values()) > 0
               for pieces in results.values())


def test_cold_start_reports_both_fits():
    runs = load("cold_start").main(["--repeats", "1"])
    assert runs[0]["first"] > 0 and runs[0]["second"] > 0
    assert runs[0]["numba"] is False  # a small fit loads no compiled kernel


def test_overhead_compares_two_runs(tmp_path, capsys, monkeypatch):
    overhead = load("overhead")
    cases = overhead.cases
    monkeypatch.setattr(overhead, "cases", lambda: cases()[:2])
    out = tmp_path / "o.csv"
    overhead.main(["--repeats", "1", "--out", str(out)])
    overhead.main(["--compare", str(out), str(out)])
    assert "1.000" in capsys.readouterr().out


def test_sgd_epoch_table(tmp_path, capsys):
    out = tmp_path / "sgd.csv"
    rows = load("sgd_epoch").main(["--size", "tiny", "--repeats", "1", "--out", str(out)])
    assert [r["batch_size"] for r in rows] == [1, 32, 256, 1, 1]
    assert all(np.isfinite(r["ratio"]) and r["ratio"] > 0 for r in rows)
    assert "final objective" in capsys.readouterr().out
    assert out.read_text().startswith("data,batch_size,ours_ms")
