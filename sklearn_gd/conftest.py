"""pytest's setup for the package's doctests: matplotlib draws off screen and
the figures are closed; without matplotlib, the displays' doctests are skipped,
and without skl2onnx, the ONNX module is not collected."""

import pytest

try:
    import skl2onnx  # noqa: F401
except ImportError:
    collect_ignore = ["onnx.py"]

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
