"""Shared test setup: matplotlib, where installed, draws off screen."""

import pytest

try:
    import matplotlib
except ImportError:  # the displays' tests skip themselves
    pass
else:
    matplotlib.use("Agg")


@pytest.fixture
def pyplot():
    """matplotlib.pyplot, with every figure closed after the test."""
    plt = pytest.importorskip("matplotlib.pyplot")
    yield plt
    plt.close("all")
