"""Shared test setup: scipy's array API support for scikit-learn's array API
checks, hypothesis's profiles, and matplotlib, where installed, draws off
screen."""

import os

# scipy reads it once, when first imported; the tests' modules import it after this.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# CI explores the same examples on every run: a property test that fails
# there fails every time, on every machine. HYPOTHESIS_PROFILE=explore draws
# new ones (and keeps the failures found in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The tests compare the compiled pass with the numpy ones on small data, which
# a fit leaves to numpy (its whole run is shorter than loading numba): let the
# compiled pass take data of any size here. test_cold_start.py checks the
# threshold itself, in fresh processes.
from sklearn_gd._backends import host  # noqa: E402

host.FUSED_MIN_SIZE = 0

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
