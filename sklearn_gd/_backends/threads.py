"""How many threads a fit uses, chosen once per fit from the size of ``X``.

Small problems lose to threads: on 2 cores, numpy's OpenBLAS, scipy's
OpenBLAS and scikit-learn's OpenMP are three pools whose threads wake, spin
and wait on every call, and on data that fits in a cache that costs more than
it saves. So a fit on fewer than ``SMALL_SIZE`` entries of ``X``, called from
the main thread, runs its BLAS pools at one thread; a larger one keeps the
pools as they are, and the fused gradient pass
(:mod:`sklearn_gd._backends.kernels`) uses as many threads as numpy's BLAS
pool has, so that a user's ``threadpoolctl.threadpool_limits`` holds for it
too. Threads change the speed of a fit, never its result: every reduction
has a fixed order (:mod:`sklearn_gd._reductions`, the kernels' chunks).

The BLAS limit is the process's, so a fit in a worker thread (a grid search
with the threading backend) never sets it: another thread's fit would run
under it, and OpenBLAS does not always take a limit restored from a thread
other than the main one, which would leave the process at one thread for
good.

A ``ThreadpoolController`` takes about a millisecond to build (it scans the
loaded libraries) and ~20 us to limit once built: it is built once and reused,
and the limit is set per fit, never per iteration.
"""

import threading
from contextlib import contextmanager, nullcontext
from functools import cache

import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

from .namespace import is_host

# Entries of X (stored entries, if sparse) below which a fit runs one thread:
# a pass over 2**16 float64 entries (0.5 MiB) takes ~20 us, less than waking a
# second thread does.
SMALL_SIZE = 1 << 16


@cache
def _controller():
    return ThreadpoolController()


def blas_threads():
    """The number of threads numpy's BLAS pool is allowed now (at least 1)."""
    return max(
        (lib.num_threads for lib in _controller().lib_controllers if lib.user_api == "blas"),
        default=1,
    )


@contextmanager
def threads_for(X):
    """Hold the thread pools at what a fit on ``X`` should use; yield the
    number of threads the gradient passes may use. Arrays of other libraries
    (:mod:`sklearn_gd._backends.namespace`) run on their own library's threads."""
    if not is_host(X):
        yield 1
        return
    size = X.nnz if sp.issparse(X) else X.size
    small = size < SMALL_SIZE
    main = threading.current_thread() is threading.main_thread()
    with _one_blas_thread() if small and main else nullcontext():
        yield 1 if small else blas_threads()


_lock = threading.Lock()
_holders = 0
_limiter = None


@contextmanager
def _one_blas_thread():
    """Hold the BLAS pools at one thread while any small fit runs.

    Fits can overlap (one begun from another's callback, ending in any
    order): each restoring what it saw on entry, the last to finish would put
    back another's limit of one for good. So they share one limit, set by the
    first to begin and lifted by the last to end.
    """
    global _holders, _limiter
    with _lock:
        if _holders == 0:
            _limiter = _controller().limit(limits=1, user_api="blas")
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                _limiter.restore_original_limits()
                _limiter = None
