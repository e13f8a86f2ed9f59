"""The demo behind ``python -m sklearn_gd`` runs and says what it should."""

import subprocess
import sys

import pytest

from sklearn_gd._demo import COLUMNS, DATASETS, main


@pytest.fixture(scope="module")
def rows():
    return main(repeats=1)


def test_demo_table_compares_each_dataset_with_scikit_learn(rows):
    assert [row[0] for row in rows] == [name for name, _, _ in DATASETS for _ in range(2)]
    for ours, peer in zip(rows[::2], rows[1::2]):
        assert ours[1].startswith("GD") and not peer[1].startswith("GD")
        assert len(ours) == len(peer) == len(COLUMNS)
        # Same data, same model: the held-out scores differ by little.
        assert abs(ours[4] - peer[4]) < 0.05


def test_demo_grid_survives_a_diverging_learning_rate(rows):
    # learning_rate=1.0 is over 2/L on standardized diabetes: it fails cleanly.
    assert rows[0][3] >= 1
    assert rows[0][2] != "1.0"


def test_python_dash_m_prints_the_table():
    done = subprocess.run(
        [sys.executable, "-m", "sklearn_gd"], capture_output=True, text=True, check=True
    )
    assert all(column in done.stdout for column in COLUMNS)
    assert "GDLogisticRegressor" in done.stdout
    assert "Traceback" not in done.stderr
