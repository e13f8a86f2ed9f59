"""The floor of a compiled CSR gradient pass on one thread, against scipy's ``X @ w``.

A gradient pass over a CSR ``X`` takes, for each row, the dot product of its
entries with ``w`` (a gather), then, once the row's loss derivative is known,
adds its entries times that derivative into the gradient (a scatter). This
script times, in nanoseconds per stored entry and on one thread, the pieces a
pass cannot do without:

- scipy's ``X @ w``, the peer;
- the compiled row-by-row dot products alone, and the row-by-row scatter
  alone (the package's own loops, :func:`_rows_products` and :func:`_csr_scatter`);
- one loop over the entries that gathers ``w`` and updates the gradient,
  ``g[j] += x * w[j]``: each entry read once, no rows and no wait for a
  row's sum, so less than any pass does;
- the package's pass (log loss, one thread),

on the text-like matrix of ``raw_features.py`` (streamed from memory) and on
its first rows, which stay in the cache (the instructions alone). The dot
and the scatter each cost about what ``X @ w`` does, so a pass that does
both, row by row, costs about twice one ``X @ w``, whatever its memory; the
single loop does both halves' work on each entry in about the time of one
half row by row, so the second half costs its rows (a loop's exit each row,
the wait for each row's sum), not its entries::

    python benchmarks/csr_floor.py
"""

import argparse
import time

import numpy as np

from sklearn_gd._backends import host


def _loops(kernels):
    """The compiled loops: the row-by-row dots, the row-by-row scatter, and
    the single loop over the entries."""
    import numba

    def dots(data, indices, indptr, w, z):
        kernels._rows_products(data, indices, indptr, w, 0, indptr.shape[0] - 1, z)

    @numba.njit(error_model="numpy", nogil=True)
    def scatter(data, indices, indptr, d, g):
        for i in range(indptr.shape[0] - 1):
            kernels._csr_scatter(data, indices, np.int64(indptr[i]),
                                 np.int64(indptr[i + 1]), d[i], g)

    @numba.njit(error_model="numpy", nogil=True)
    def gather_update(data, indices, w, g):
        for q in range(data.shape[0]):
            g[indices[q]] += data[q] * w[indices[q]]

    return dots, scatter, gather_update


def nanoseconds(X, y, repeats):
    """Median nanoseconds per stored entry of each piece on ``X``, calls
    interleaved, each timed over enough calls to take a millisecond or more."""
    kernels = host._kernels()
    dots, scatter, gather_update = _loops(kernels)
    data, indices, indptr = X.data, kernels._unsigned(X.indices), kernels._unsigned(X.indptr)
    rng = np.random.default_rng(0)
    w, d = rng.standard_normal(X.shape[1]) * 0.01, rng.standard_normal(X.shape[0])
    g, z = np.zeros(X.shape[1]), np.empty(X.shape[0])
    sw, labels = np.full(X.shape[0], 1 / X.shape[0]), y.astype(np.float64)
    calls = {
        "scipy X @ w": lambda: X @ w,
        "dots, row by row": lambda: dots(data, indices, indptr, w, z),
        "scatter, row by row": lambda: scatter(data, indices, indptr, d, g),
        "one loop: gather and update": lambda: gather_update(data, indices, w, g),
        "the pass, one thread": lambda: kernels.csr_pass(X, labels, sw, w, 0.0,
                                                         kernels.LOGISTIC, 1),
    }
    calls_each = max(1, 2_000_000 // max(X.nnz, 1))
    times = {name: [] for name in calls}
    for call in calls.values():  # compiles, fills the caches
        call()
    for _ in range(repeats):
        for name, call in calls.items():
            start = time.perf_counter()
            for _ in range(calls_each):
                call()
            times[name].append((time.perf_counter() - start) / calls_each / X.nnz * 1e9)
    return {name: (float(np.median(t)), float(np.min(t)), float(np.max(t)))
            for name, t in times.items()}


def main(argv=None):
    from raw_features import text_like

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", default="100000x10000", help="n x d of the text-like matrix")
    parser.add_argument("--cached-rows", type=int, default=2000,
                        help="the rows of the slice that stays in the cache")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    if host._kernels() is None:
        print("numba is not installed (pip install '.[fast]'): no compiled pass to time")
        return None
    n, d = (int(v) for v in args.text.split("x"))
    X, y = text_like(n, d)
    # Every piece runs on one thread: scipy's product, the loops and the pass
    # (asked for one) alike.
    results = {label: nanoseconds(X[:rows], y[:rows], args.repeats)
               for label, rows in (("streamed", n), ("in the cache", min(args.cached_rows, n)))}
    for label, pieces in results.items():
        base = pieces["scipy X @ w"][0]
        print(f"{label} ({args.text}, ns per entry: median [min, max], over scipy's X @ w)")
        for name, (median, low, high) in pieces.items():
            print(f"  {name:30s} {median:6.3f} [{low:.3f}, {high:.3f}]  {median / base:5.2f}x")
    return results


if __name__ == "__main__":
    main()
