"""The demo behind ``python -m sklearn_gd`` runs and says what it should."""

import subprocess
import sys

import pytest

from sklearn_gd._demo import COLUMNS, DATASETS, SOLVERS, main


@pytest.fixture(scope="module")
def rows():
    return main(repeats=1)


PER_DATASET = len(SOLVERS) + 1


def test_demo_table_compares_each_dataset_with_scikit_learn(rows):
    names = [name for name, _, _ in DATASETS for _ in range(PER_DATASET)]
    assert [row[0] for row in rows] == names
    for start in range(0, len(rows), PER_DATASET):
        *ours, peer = rows[start : start + PER_DATASET]
        assert not peer[1].startswith("GD")
        for row, solver in zip(ours, SOLVERS):
            assert row[1].startswith("GD") and f"solver={solver!r}" in row[1]
            assert len(row) == len(COLUMNS)
            # Same data, same model: the held-out scores differ by little.
            assert abs(row[4] - peer[4]) < 0.05


def test_demo_grid_survives_a_diverging_learning_rate(rows):
    # learning_rate=1.0 is over 2/L on standardized diabetes: it fails cleanly.
    assert rows[0][3] >= 1
    assert rows[0][2] != "1.0"


def test_demo_says_which_fits_converged(rows):
    ours = [row for row in rows if row[1].startswith("GD")]
    # The default max_iter is 1000: a fit converged exactly when it stopped sooner.
    assert [row[6] for row in ours] == ["yes" if row[5] < 1000 else "no" for row in ours]
    assert "yes" in [row[6] for row in ours]


def test_python_dash_m_prints_the_table():
    done = subprocess.run(
        [sys.executable, "-m", "sklearn_gd"], capture_output=True, text=True, check=True
    )
    assert all(column in done.stdout for column in COLUMNS)
    assert "GDLogisticRegressor" in done.stdout
    assert "Traceback" not in done.stderr
