"""Sphinx configuration for the sklearn-gd documentation.

Build from the repository root with::

    pip install ".[docs]" && python -m sphinx -W -b html docs docs/_build/html

The gallery (``examples/plot_*.py``) is run by sphinx-gallery during the build
and written to ``docs/auto_examples/`` (git-ignored).

Set ``SKLEARN_GD_INTERSPHINX=1`` to link to the Python, NumPy, SciPy and
scikit-learn documentation (needs network access); by default the mapping is
empty so that offline builds do not warn.
"""

import os
import re

import matplotlib

matplotlib.use("Agg")  # no display: the gallery draws into files

import sklearn_gd  # noqa: E402

# -- Project information -----------------------------------------------------

project = "sklearn-gd"
author = "the sklearn-gd developers"
copyright = "the sklearn-gd developers"
version = sklearn_gd.__version__
release = sklearn_gd.__version__

# -- General configuration ---------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
    # MathJax's files copied into the build (_static/mathjax), so that the
    # mathematics renders without a network: sets mathjax_path to them.
    "sphinx-mathjax-offline",
    "sphinx.ext.intersphinx",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip"]

# autosummary writes one page per public name into docs/generated/ (git-ignored).
autosummary_generate = True

# numpydoc: the class templates list the members; no second table from numpydoc.
numpydoc_show_class_members = False

# -- Gallery -----------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Run every plot_*.py; the others would only be shown.
    "filename_pattern": r"/plot_",
    # The files are numbered in the order of the story: the seeds first.
    "within_subsection_order": "FileNameSortKey",
    # matplotlib animations left in an example become playable HTML.
    "matplotlib_animations": True,
    "remove_config_comments": True,
    # Show what the examples print, not the repr of a cell's last expression.
    "capture_repr": (),
    "download_all_examples": False,
    "show_signature": False,
    # A failing example fails the build.
    "only_warn_on_example_error": False,
}

# -- Intersphinx -------------------------------------------------------------

if os.environ.get("SKLEARN_GD_INTERSPHINX") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable/", None),
        "scipy": ("https://docs.scipy.org/doc/scipy/", None),
        "sklearn": ("https://scikit-learn.org/stable/", None),
    }
else:
    intersphinx_mapping = {}

# -- HTML output -------------------------------------------------------------

try:
    import pydata_sphinx_theme  # noqa: F401
except ImportError:
    html_theme = "alabaster"
else:
    html_theme = "pydata_sphinx_theme"

html_title = f"sklearn-gd {release}"

# The left sidebar lists the pages under the current top-level page (the user
# guide's, the gallery's, the API's); a page with none under it gets no
# sidebar rather than an empty "Section Navigation".
html_sidebars = {
    "getting_started": [],
    "bad_input": [],
    "export": [],
    "architecture": [],
}


# -- Hooks -------------------------------------------------------------------

# scikit-learn generates ``set_fit_request``/``set_score_request`` on every
# estimator whose ``fit``/``score`` takes ``sample_weight``. Their docstrings
# are scikit-learn's and refer into scikit-learn's own documentation (its
# glossary and user guide labels), which cannot resolve here; they are
# documented by scikit-learn (metadata routing), so leave them out.
_METADATA_REQUEST = re.compile(r"^set_\w+_request$")


def _skip_metadata_requests(app, what, name, obj, skip, options):
    if _METADATA_REQUEST.match(name):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_requests)
