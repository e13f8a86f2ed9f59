"""One gradient pass of the multinomial (softmax) loss, compiled and numpy's.

For each shape (rows x features x classes), the median time of one pass
(``value``, ``grad_W`` and ``grad_b`` over all rows) by the compiled kernel
(the ``fast`` extra) and by the numpy form (``X @ W``, the softmax, then
``X.T @ R``), each over one ``X @ W`` on the same data (the peer: the least
any pass must do). One thread for everything, as a small fit runs. It uses
the package's pass directly, so the same script measures both sides of a
change, the older one through ``PYTHONPATH``::

    PYTHONPATH=../old-checkout python benchmarks/softmax_pass.py
    python benchmarks/softmax_pass.py --out softmax_pass.csv
"""

import argparse

import numpy as np
from _common import thread_header, write_csv
from iteration_cost import per_call_seconds
from threadpoolctl import threadpool_limits

from sklearn_gd._backends import host
from sklearn_gd._linear.losses import MultinomialLogLoss

SHAPES = ((150, 4, 3), (178, 13, 3), (2000, 18, 7), (1797, 64, 10), (20_000, 18, 7),
          (100_000, 50, 5), (5000, 300, 3), (3000, 20, 40))


def _problem(n, p, n_classes, seed=0):
    rng = np.random.default_rng([seed, n, p, n_classes])
    X = rng.standard_normal((n, p))
    labels = rng.integers(0, n_classes, n)
    W = rng.standard_normal((p, n_classes)) * 0.3
    b = rng.standard_normal(n_classes) * 0.1
    return X, labels[:, None], np.full(n, 1 / n), W, b


def measure(shape, repeats, min_batch_seconds):
    """One row: the passes' times and their ratios to ``X @ W``."""
    X, Y, weights, W, b = _problem(*shape)
    loss = MultinomialLogLoss()
    row = {"shape": "x".join(map(str, shape))}
    calls = {"matmul": lambda: X @ W,
             "numpy": lambda: host.host_pass(X, Y, weights, loss, W, b, fused=False)}
    if host.fused_available():
        calls["compiled"] = lambda: host.host_pass(X, Y, weights, loss, W, b)
    with threadpool_limits(1):
        for name, call in calls.items():
            row[f"{name}_us"] = 1e6 * per_call_seconds(call, repeats, min_batch_seconds)
    for name in ("numpy", "compiled"):
        if f"{name}_us" in row:
            row[f"{name}_ratio"] = row[f"{name}_us"] / row["matmul_us"]
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--min-batch-seconds", type=float, default=0.05)
    parser.add_argument("--shapes", help="comma-separated NxPxK, instead of the default list")
    parser.add_argument("--out", help="CSV of the table")
    args = parser.parse_args(argv)
    shapes = SHAPES if args.shapes is None else [
        tuple(int(v) for v in shape.split("x")) for shape in args.shapes.split(",")]
    print(thread_header())
    print(f"{'shape':16s} {'X @ W us':>9s} {'numpy us':>9s} {'ratio':>6s} "
          f"{'compiled us':>11s} {'ratio':>6s}")
    rows = []
    for shape in shapes:
        row = measure(shape, args.repeats, args.min_batch_seconds)
        rows.append(row)
        compiled = (f"{row['compiled_us']:11.1f} {row['compiled_ratio']:6.2f}"
                    if "compiled_us" in row else f"{'-':>11s} {'-':>6s}")
        print(f"{row['shape']:16s} {row['matmul_us']:9.1f} {row['numpy_us']:9.1f} "
              f"{row['numpy_ratio']:6.2f} {compiled}")
    if args.out:
        write_csv(rows, args.out)
    return rows


if __name__ == "__main__":
    main()
