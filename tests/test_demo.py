"""The demo behind ``python -m sklearn_gd`` runs and says what it should."""

import re
import subprocess
import sys

import pytest

from sklearn_gd._demo import COLUMNS, DATASETS, SOLVERS, _format, _round_up, main


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
            assert len(row) == len(COLUMNS) + 1  # the columns, then a note
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


def test_demo_says_why_a_fit_did_not_converge(rows):
    # The note, last in the row, is empty exactly when the fit converged.
    assert [bool(row[-1]) for row in rows] == [row[6] == "no" for row in rows]
    stopped = [row for row in rows if row[6] == "no" and row[5] == 1000]
    assert stopped, "the demo's grid no longer picks a rate that stops at max_iter"
    for row in stopped:
        note = row[-1]
        # Why, in the estimator's words, then what to change.
        assert note.startswith("max_iter reached. ") and "max_iter=1000" in note
        assert f"learning_rate={row[2]}" in note
        assert "To converge: more max_iter" in note
        # A tol the last gradient meets, or in general words if the reason
        # no longer prints the gradient.
        assert re.search(r"tol >= \d|a larger tol", note)
        if row[2] != "'auto'":  # the alternative rate, refitted to see that it converges
            assert re.search(r"learning_rate='auto' \(converges here in \d+ iterations\)",
                             note)


@pytest.mark.parametrize("printed, true", [(0.21, 0.21049), (0.00106, 0.0010649),
                                           (1.0, 1.00499), (9.99, 9.9949)])
def test_suggested_tol_is_at_least_the_printed_gradient(printed, true):
    # The gradient is printed to 3 digits; the tol suggested covers what it was.
    assert _round_up(printed) >= max(printed, true)


def test_demo_table_marks_each_note():
    row = ["wine", "GDLogisticRegressor(solver='gd')", "0.01", 0, 1.0, 1000, "no", 5.0,
           "max_iter reached. " + "words " * 30]
    table = _format([row, ["wine", "LogisticRegression", "-", "-", 1.0, 17, "yes", 5.0, ""]])
    lines = table.splitlines()
    assert " no [1] " in lines[2] and "[" not in lines[3]
    assert lines[5] == "Why a fit did not converge:"
    assert lines[6].startswith("[1] wine, GDLogisticRegressor(solver='gd'): max_iter reached.")
    # Wrapped to 100 columns, the continuation lines indented under the number.
    assert len(lines) > 7 and all(line.startswith("    words") for line in lines[7:])
    assert all(len(line) <= 100 for line in lines[5:])


def test_python_dash_m_prints_the_table():
    done = subprocess.run(
        [sys.executable, "-m", "sklearn_gd"], capture_output=True, text=True, check=True
    )
    assert all(column in done.stdout for column in COLUMNS)
    assert "GDLogisticRegressor" in done.stdout
    assert "Why a fit did not converge:\n[1] " in done.stdout
    assert "Traceback" not in done.stderr
