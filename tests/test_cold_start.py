"""A cold start users don't notice: a small fit in a fresh process never
imports numba; a large one loads the compiled kernels. (The time a first fit
costs is measured by benchmarks/cold_start.py, not here.)"""

import subprocess
import sys

import pytest

FIT = """
import sys
import numpy as np
from sklearn_gd import GDLogisticRegressor
rng = np.random.default_rng(0)
X = rng.standard_normal(({n}, 20))
y = (X[:, 0] > 0).astype(int)
GDLogisticRegressor().fit(X, y)
print("numba" in sys.modules)
"""


def _numba_loaded_after_a_fit(n_samples):
    out = subprocess.run([sys.executable, "-c", FIT.format(n=n_samples)], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip() == "True"


def test_a_small_fit_does_not_import_numba():
    assert not _numba_loaded_after_a_fit(1000)


def test_a_large_fit_takes_the_compiled_pass():
    pytest.importorskip("numba")
    assert _numba_loaded_after_a_fit(20_000)
