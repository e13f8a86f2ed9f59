"""The cost of a cold start: the first default fit in a fresh process against
the second.

Each repeat starts a fresh Python process that imports sklearn_gd, fits
``GDLogisticRegressor()`` on standardized breast cancer twice and reports
both times (and whether numba was loaded); the extra cost of the first fit
is their difference. Medians and ranges over the repeats.

Run from the repository root::

    python benchmarks/cold_start.py --repeats 7
"""

import argparse
import json
import subprocess
import sys

import numpy as np

CHILD = """
import json, sys, time
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)
start = time.perf_counter()
from sklearn_gd import GDLogisticRegressor
imported = time.perf_counter()
GDLogisticRegressor().fit(X, y)
first = time.perf_counter()
GDLogisticRegressor().fit(X, y)
second = time.perf_counter()
print(json.dumps({"import": imported - start, "first": first - imported,
                  "second": second - first, "numba": "numba" in sys.modules}))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    runs = [json.loads(subprocess.run([sys.executable, "-c", CHILD], check=True,
                                      capture_output=True, text=True).stdout)
            for _ in range(args.repeats)]
    extra = np.array([r["first"] - r["second"] for r in runs])
    for key in ("import", "first", "second"):
        values = 1e3 * np.array([r[key] for r in runs])
        print(f"{key:8s} median {np.median(values):8.1f} ms  "
              f"[{values.min():.1f}, {values.max():.1f}]")
    print(f"first - second: median {1e3 * np.median(extra):.1f} ms "
          f"[{1e3 * extra.min():.1f}, {1e3 * extra.max():.1f}]; numba loaded: "
          f"{sorted({r['numba'] for r in runs})}")
    return runs


if __name__ == "__main__":
    main()
