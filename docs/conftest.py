"""pytest's setup for the documentation's doctests.

The pages (``*.rst``) are collected by ``--doctest-glob``: their ``>>>``
examples run as tests, each page in one namespace, in order. Sphinx's
configuration, the scripts and what the build writes (the gallery's pages
and scripts, the API pages) are not collected. matplotlib draws off screen
and the figures are closed after each page; the pages whose examples need an
optional package that is not installed (matplotlib, dask) are skipped.
"""

import pytest

collect_ignore = [
    "conf.py",
    "check_math.py",
    "sg_execution_times.rst",
    "_build",
    "_static",
    "_templates",
    "auto_examples",
    "generated",
]

try:
    import dask.array  # noqa: F401
except ImportError:
    collect_ignore.append("user_guide/beyond_one_machine.rst")

try:
    import matplotlib
except ImportError:
    collect_ignore += ["getting_started.rst", "user_guide/watching.rst"]
else:
    matplotlib.use("Agg")

    @pytest.fixture(autouse=True)
    def _close_figures():
        yield
        import matplotlib.pyplot as plt

        plt.close("all")
