"""pytest's setup for the package's doctests: matplotlib draws off screen and
the figures are closed; without matplotlib, the displays' doctests are skipped."""

import pytest

try:
    import matplotlib
except ImportError:
    collect_ignore_glob = ["_plot/*.py"]
else:
    matplotlib.use("Agg")

    @pytest.fixture(autouse=True)
    def _close_figures():
        yield
        import matplotlib.pyplot as plt

        plt.close("all")
