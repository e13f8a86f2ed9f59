"""Shared test setup: scipy's array API support for scikit-learn's array API
checks, and matplotlib, where installed, draws off screen."""

import os

# scipy reads it once, when first imported; the tests' modules import it after this.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import pytest  # noqa: E402

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
