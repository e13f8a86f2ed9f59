"""Full-batch iterations on a GPU: time per iteration against the memory bandwidth.

Both estimators (``GDLinearRegressor``, binary ``GDLogisticRegressor``) are
fitted on PyTorch tensors on ``--device`` (and on CuPy arrays sharing the same
memory, where CuPy is importable and the device is a GPU) under
``sklearn.config_context(array_api_dispatch=True)``, with
``learning_rate="lipschitz", tol=0, max_iter=--iterations``. What is measured,
per estimator and library:

- ``iter_ms``: the median of ``np.diff(times_)`` over every iteration of
  ``--repeats`` fits. Each iteration brings its loss to the host, so an
  iterate's time includes the wait for the device.
- ``gbps``: ``X.nbytes`` (the bytes a pass that reads ``X`` once must read) over
  ``iter_ms``, and ``fraction_of_peak``: that over ``--peak-bandwidth`` (GB/s,
  looked up from the device's name when not given; None when unknown). The
  target is at least 0.5 on an NVIDIA H200.
- ``matvec_ms``, ``matvec_gbps``: the median time of one ``X @ w`` on the device
  (synchronized before and after), for reference: a pass reads ``X`` at least
  once, and a pass of ``X @ W`` then ``X.T @ dZ`` reads it twice.
- ``fit_s``: the median wall time of the whole fit (validation, the Lipschitz
  constant's power iteration, the iterations).
- ``cpu_iter_ms``, ``speedup``: the same fit on a NumPy copy of the data
  without dispatch (``--cpu``, the default), and ``cpu_iter_ms / iter_ms``.

The data are generated on the device (``torch.randn``, fixed seed): standard
normal features, targets from a random linear model plus noise (the labels:
its sign). 1e7 x 256 float32 (the default) is 10.24 GB on the device, and the
NumPy copy for the CPU fit needs as much host memory again (``--no-cpu`` skips
it).

Run from the repository root, on a GPU machine::

    python benchmarks/gpu.py --out gpu.csv

and, for a quick look without a GPU::

    python benchmarks/gpu.py --n-samples 100000 --device cpu
"""

import os

# scipy reads it once, when first imported: before sklearn (and _common) import it.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from _common import cell, thread_header, write_csv  # noqa: E402
from sklearn import config_context  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from sklearn_gd import GDLinearRegressor, GDLogisticRegressor  # noqa: E402

ESTIMATORS = {"GDLinearRegressor": GDLinearRegressor,
              "GDLogisticRegressor": GDLogisticRegressor}

# Peak memory bandwidth in GB/s, from the vendors' data sheets, matched on the
# device's name in order (the first match wins: "H100 PCIe" before "H100").
PEAK_BANDWIDTH = [
    (r"\bH200\b", 4800),
    (r"\bH100\b.*\bPCIe\b", 2000),
    (r"\bH100\b", 3350),  # SXM ("NVIDIA H100 80GB HBM3")
    (r"\bA100\b.*\b80GB\b", 2039),
    (r"\bA100\b", 1555),
    (r"\bL40S\b", 864),
    (r"\bA10G?\b", 600),
    (r"\bT4\b", 320),
]


def peak_bandwidth(device_name):
    """The device's peak memory bandwidth in GB/s, or None when not in the table."""
    for pattern, gbps in PEAK_BANDWIDTH:
        if re.search(pattern, device_name, flags=re.IGNORECASE):
            return float(gbps)
    return None


def device_name(device):
    import torch

    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"{device.type} ({os.cpu_count()} cores)"


def libraries(requested, device):
    """The libraries to time, of ``requested``: CuPy only on a GPU and where importable."""
    chosen = []
    for name in requested:
        if name == "cupy" and (device.type != "cuda"
                               or importlib.util.find_spec("cupy") is None):
            print("cupy: skipped (needs a CUDA device and cupy installed)")
        elif name not in ("torch", "cupy"):
            raise ValueError(f"unknown library {name!r}: torch or cupy")
        else:
            chosen.append(name)
    return chosen


def make_data(n_samples, n_features, dtype, device, seed=0):
    """``X``, regression targets and 0/1 labels, generated on ``device`` (torch)."""
    import torch

    generator = torch.Generator(device=device).manual_seed(seed)

    def randn(*shape):
        return torch.randn(*shape, generator=generator, device=device, dtype=dtype)

    X = randn(n_samples, n_features)
    scores = X @ (randn(n_features) / n_features**0.5)
    noise = randn(n_samples)
    return X, scores + 0.1 * noise, (scores + noise > 0).to(dtype)


def converter(library, device):
    """``(convert, sync)``: a torch tensor into ``library``'s array (sharing its
    memory) and a function waiting for the device's queued work."""
    import torch

    if library == "cupy":
        import cupy

        # CuPy launches on its current device: make it the tensors' device.
        cupy.cuda.Device(device.index if device.index is not None
                         else torch.cuda.current_device()).use()
        return cupy.from_dlpack, lambda: cupy.cuda.Device().synchronize()
    if device.type == "cuda":
        return (lambda t: t), lambda: torch.cuda.synchronize(device)
    return (lambda t: t), lambda: None


def to_numpy(a):
    """A fitted attribute (in ``X``'s namespace after fit) as a NumPy array."""
    if hasattr(a, "cpu"):  # torch
        a = a.cpu()
    elif hasattr(a, "get"):  # cupy
        a = a.get()
    return np.asarray(a)


def matvec_seconds(X, w, sync, repeats):
    """The median time of one ``X @ w``, synchronized around it, after a warm-up."""
    X @ w
    sync()
    times = []
    for _ in range(max(repeats, 10)):
        sync()
        start = time.perf_counter()
        X @ w
        sync()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def fit_times(Estimator, X, y, iterations, repeats, dispatch):
    """``(seconds per iteration, seconds per fit)``: the median of every fit's
    ``np.diff(times_)``, pooled over ``repeats`` fits, and of the fits' times."""
    steps, fits = [], []
    # tol=0 runs exactly max_iter iterations, which warns that it did not converge.
    with warnings.catch_warnings(), config_context(array_api_dispatch=dispatch):
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(repeats):
            start = time.perf_counter()
            est = Estimator(learning_rate="lipschitz", tol=0.0, max_iter=iterations).fit(X, y)
            fits.append(time.perf_counter() - start)
            if est.n_iter_ != iterations:
                raise RuntimeError(f"{est.n_iter_} iterations, expected {iterations}")
            steps.extend(np.diff(to_numpy(est.times_)))
    return float(np.median(steps)), float(np.median(fits))


def measure_library(library, data, args, peak):
    """One row per estimator for ``library``: its fits on the device and ``X @ w``."""
    import torch

    X, y_reg, y_cla = data
    convert, sync = converter(library, X.device)
    Xl = convert(X)
    w = convert(torch.ones(X.shape[1], 1, device=X.device, dtype=X.dtype))
    nbytes = X.element_size() * X.nelement()
    matvec = matvec_seconds(Xl, w, sync, args.repeats)
    rows = []
    for name, y in (("GDLinearRegressor", y_reg), ("GDLogisticRegressor", y_cla)):
        step, fit = fit_times(ESTIMATORS[name], Xl, convert(y), args.iterations,
                              args.repeats, dispatch=True)
        gbps = nbytes / step / 1e9
        rows.append({
            "library": library, "device": str(X.device), "device_name": device_name(X.device),
            "estimator": name, "n_samples": X.shape[0], "n_features": X.shape[1],
            "dtype": args.dtype, "iterations": args.iterations, "x_gb": nbytes / 1e9,
            "iter_ms": 1e3 * step, "gbps": gbps, "peak_gbps": peak,
            "fraction_of_peak": None if peak is None else gbps / peak,
            "matvec_ms": 1e3 * matvec, "matvec_gbps": nbytes / matvec / 1e9, "fit_s": fit})
    return rows


def cpu_times(data, args):
    """``{estimator: seconds per iteration}`` of the NumPy fits, without dispatch."""
    X, y_reg, y_cla = data
    # On a GPU this copies X to the host (10.24 GB at the default size); on the
    # CPU .numpy() shares the tensor's memory.
    X_np = X.cpu().numpy()
    out = {}
    for name, y in (("GDLinearRegressor", y_reg), ("GDLogisticRegressor", y_cla)):
        out[name], _ = fit_times(ESTIMATORS[name], X_np, y.cpu().numpy(), args.iterations,
                                 args.cpu_repeats, dispatch=False)
    return out


def add_speedups(rows, cpu):
    for row in rows:
        seconds = cpu.get(row["estimator"])
        row["cpu_iter_ms"] = None if seconds is None else 1e3 * seconds
        row["speedup"] = None if seconds is None else seconds / (row["iter_ms"] / 1e3)


def print_table(rows):
    print("| library | estimator | iter ms | GB/s | of peak | `X @ w` ms | `X @ w` GB/s "
          "| fit s | CPU iter ms | speed-up |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['library']} | {r['estimator']} | {r['iter_ms']:.3f} | {r['gbps']:.0f} "
              f"| {cell(r['fraction_of_peak'], '.2f')} | {r['matvec_ms']:.3f} "
              f"| {r['matvec_gbps']:.0f} | {r['fit_s']:.2f} "
              f"| {cell(r['cpu_iter_ms'], '.3f')} | {cell(r['speedup'], '.1f')} |")


def parse_args(argv):
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=10_000_000)
    parser.add_argument("--n-features", type=int, default=256)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu",
                        help="a torch device: cuda, cuda:1, cpu")
    parser.add_argument("--iterations", type=int, default=30, help="max_iter of each fit")
    parser.add_argument("--repeats", type=int, default=3, help="fits per estimator")
    parser.add_argument("--peak-bandwidth", type=float,
                        help="the device's peak memory bandwidth in GB/s "
                             "(default: looked up from its name)")
    parser.add_argument("--cpu", action=argparse.BooleanOptionalAction, default=True,
                        help="also time the NumPy fit on the host, for the speed-up")
    parser.add_argument("--cpu-repeats", type=int, default=1, help="NumPy fits per estimator")
    parser.add_argument("--libraries", default="torch,cupy")
    parser.add_argument("--out", help="CSV file to write")
    return parser.parse_args(argv)


def main(argv=None):
    import torch

    args = parse_args(argv)
    device = torch.device(args.device)
    name = device_name(device)
    peak = args.peak_bandwidth or peak_bandwidth(name)
    print(thread_header())
    print(f"torch {torch.__version__}, device {device}: {name}, peak bandwidth "
          f"{cell(peak, '.0f')} GB/s; X {args.n_samples} x {args.n_features} {args.dtype}, "
          f"{args.iterations} iterations a fit, medians of {args.repeats} fits")
    data = make_data(args.n_samples, args.n_features, getattr(torch, args.dtype), device)
    rows = []
    for library in libraries(args.libraries.split(","), device):
        try:
            rows += measure_library(library, data, args, peak)
        except Exception:  # one library's failure should not lose the others' rows
            if library == "torch":
                raise
            print(f"{library}: failed\n{traceback.format_exc()}")
    add_speedups(rows, cpu_times(data, args) if args.cpu else {})
    print_table(rows)
    if args.out:
        write_csv(rows, args.out)
    return rows


if __name__ == "__main__":
    sys.exit(main() and 0)
