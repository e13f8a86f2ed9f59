"""The one shared list of benchmark problems.

Every problem is generated deterministically (a fixed seed), and only when
asked for: the largest dense ones take gigabytes. Synthetic dense problems
have equicorrelated standard-normal features (correlation ``RHO``), so the
covariance's condition number, ``1 + p RHO / (1 - RHO)``, grows with the
number of features as real data's does, instead of the near-identity
covariance of independent features that any solver finds easy. Bundled
datasets are standardized.

Sizes are nested: ``tiny`` (the bundled datasets and 1e4 x 20, for the
tests), ``small`` (adds 1e5 x 100 and the sparse problem), ``large`` (adds
1e6 x 50 and 2e5 x 1000).

List them from the repository root::

    python benchmarks/problems.py --size small
"""

import argparse
from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.preprocessing import StandardScaler

SIZES = ("tiny", "small", "large")
SEED = 0
RHO = 0.5
DENSE_SHAPES = {"tiny": [(10_000, 20)], "small": [(100_000, 100)],
                "large": [(1_000_000, 50), (200_000, 1000)]}
SPARSE_SHAPE, SPARSE_DENSITY = (100_000, 10_000), 1e-3


@dataclass
class Problem:
    """A benchmark problem, its data made on demand by ``load()``."""

    name: str
    kind: str  # "regression" or "classification"
    size: str
    sparse: bool
    make: Callable

    def load(self):
        """``(X, y)``, freshly generated."""
        return self.make()


def _dense(n, p, kind, dtype):
    # float32 problems are their float64 twins rounded, so the two compare.
    rng = np.random.default_rng([SEED, n, p])
    # One shared factor per row gives every pair of features correlation RHO.
    X = rng.standard_normal((n, p))
    X *= np.sqrt(1 - RHO)
    X += np.sqrt(RHO) * rng.standard_normal((n, 1))
    z = X @ (rng.standard_normal(p) / np.sqrt(p))
    X = X.astype(dtype, copy=False)
    if kind == "regression":
        return X, (z + rng.standard_normal(n)).astype(dtype)
    # Logistic noise: labels drawn from the model itself, so classes overlap.
    return X, (z + rng.logistic(size=n) > 0).astype(np.int64)


def _sparse(kind):
    n, p = SPARSE_SHAPE
    rng = np.random.default_rng([SEED, n, p, 1])
    X = sp.random(n, p, density=SPARSE_DENSITY, format="csr", random_state=rng,
                  data_rvs=rng.standard_normal)
    z = X @ rng.standard_normal(p)
    if kind == "regression":
        return X, z + rng.standard_normal(n)
    return X, (z + rng.logistic(size=n) > 0).astype(np.int64)


def _bundled(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def all_problems():
    """Every problem, smallest first.

    Returns
    -------
    problems : list of Problem
    """
    problems = [
        Problem("diabetes", "regression", "tiny", False, lambda: _bundled(load_diabetes)),
        Problem("breast_cancer", "classification", "tiny", False,
                lambda: _bundled(load_breast_cancer)),
        Problem("digits", "classification", "tiny", False, lambda: _bundled(load_digits)),
    ]
    for size in SIZES:
        for n, p in DENSE_SHAPES[size]:
            for kind in ("regression", "classification"):
                for dtype in (np.float64, np.float32):
                    name = f"{kind[:3]}-{n:.0e}x{p}-{np.dtype(dtype).name}".replace("+0", "")
                    problems.append(Problem(name, kind, size, False,
                                            lambda n=n, p=p, k=kind, d=dtype: _dense(n, p, k, d)))
        if size == "small":
            for kind in ("regression", "classification"):
                name = f"{kind[:3]}-sparse-{SPARSE_SHAPE[0]:.0e}x{SPARSE_SHAPE[1]:.0e}"
                problems.append(Problem(name.replace("+0", ""), kind, size, True,
                                        lambda k=kind: _sparse(k)))
    return problems


def select(size="tiny", match=None, kind=None):
    """The problems up to ``size``, optionally filtered.

    Parameters
    ----------
    size : {"tiny", "small", "large"}, default="tiny"
        The largest size to include (sizes are nested).
    match : str or None, default=None
        Keep only problems whose name contains one of these comma-separated
        substrings.
    kind : {"regression", "classification"} or None, default=None
        Keep only problems of this kind.

    Returns
    -------
    problems : list of Problem
    """
    allowed = SIZES[: SIZES.index(size) + 1]
    chosen = [p for p in all_problems() if p.size in allowed]
    if match:
        parts = match.split(",")
        chosen = [p for p in chosen if any(part in p.name for part in parts)]
    if kind:
        chosen = [p for p in chosen if p.kind == kind]
    return chosen


def add_arguments(parser):
    """The problem-selection options every script shares."""
    parser.add_argument("--size", choices=SIZES, default="small",
                        help="largest problem size to run (sizes are nested)")
    parser.add_argument("--match", help="only problems whose name contains one of these "
                        "comma-separated substrings")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    for problem in select(args.size, args.match):
        print(f"{problem.name:32s} {problem.kind:14s} {problem.size:6s}"
              f"{' sparse' if problem.sparse else ''}")


if __name__ == "__main__":
    main()
