"""Every gallery example runs to the end.

The examples in ``examples/`` are what the documentation's gallery shows;
sphinx-gallery runs them when the docs are built, and this test runs them
with the rest of the tests, so that a change to the library that breaks one
fails here first. Each runs under the Agg backend in a temporary working
directory, so files it writes (a GIF) land there, and with the warning
filters of pyproject.toml: an example must silence the warnings it expects.
"""

import runpy
from pathlib import Path

import pytest

matplotlib = pytest.importorskip("matplotlib")

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("plot_*.py"))


def test_examples_found():
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(path, tmp_path, monkeypatch):
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    try:
        runpy.run_path(str(path), run_name="__main__")
    finally:
        plt.close("all")
