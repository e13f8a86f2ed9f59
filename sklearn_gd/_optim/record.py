"""What a descent records and reports as it goes: the objective, the wall
time and the iterates, the callback's say, and ``verbose``'s lines."""

import time

import numpy as np

from .result import DescentResult
from .stopping import grad_size


class Record:
    """The objective and the wall time at every iterate and, on request, the
    iterates; the gradient at ``x0``. Times are seconds since the record
    began (0 at ``x0``)."""

    def __init__(self, keep_path, x0, f0, g0):
        self._start = time.perf_counter()
        self.losses, self.times = [f0], [0.0]
        self.start_jac = g0
        self._path = [x0.copy()] if keep_path else None

    @property
    def f0(self):
        return self.losses[0]

    @property
    def keeps_path(self):
        return self._path is not None

    def add(self, x, f):
        self.losses.append(f)
        self.times.append(time.perf_counter() - self._start)
        if self._path is not None:
            self._path.append(x.copy())

    def path(self):
        return None if self._path is None else np.stack(self._path)


def callback_stops(callback, x, f, g, nit, eta, measure=None):
    """Whether the user's ``callback``, told of this step, asks to stop.

    ``measure`` is ``(name, value)`` of the stopping test at this step (None
    for epochs), which ``verbose`` prints.
    """
    info = DescentResult(x=x, fun=f, jac=g, nit=nit, learning_rate=eta, measure=measure)
    try:
        stop = callback(info)
        return isinstance(stop, (bool, np.bool_)) and bool(stop)
    except StopIteration:
        return True


def print_progress(info):
    """A callback that prints one line per iteration or epoch (``verbose``).

    A step reports what its stopping test measures; a mini-batch epoch has
    no full gradient to report (``info.jac`` is None).
    """
    measure = info.get("measure")
    if measure is None and info.jac is not None:
        measure = ("max |gradient|", grad_size(info.jac))
    gradient = "" if measure is None else f", {measure[0]} {measure[1]:.4g}"
    unit = "Iteration" if info.jac is not None else "Epoch"
    print(f"{unit} {info.nit}: objective {info.fun:.8g}, step {info.learning_rate:.4g}"
          f"{gradient}")
