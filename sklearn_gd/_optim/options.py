"""What a descent is asked to do, besides its rule and step size: one object
that both loops take."""

from dataclasses import dataclass
from typing import Any, Callable, Optional

from .averaging import Averaging
from .stopping import EarlyStopping, TimeLimit


@dataclass(frozen=True)
class DescentOptions:
    """The options of one descent.

    Parameters
    ----------
    max_iter : int
        The most steps (full batch) or epochs (mini-batches).
    tol : float
        The stopping tolerance: on the size of the (proximal) gradient for
        full batches, on the epochs' progress for mini-batches and early
        stopping (:mod:`sklearn_gd._optim.stopping`).
    callback : callable or None
        Called after each step or epoch with a :class:`DescentResult`;
        returning True or raising StopIteration stops the descent.
    record_path : bool
        Keep every iterate.
    early_stopping : EarlyStopping or None
        The test on a validation loss, asked after every step or epoch.
    time_limit : TimeLimit
        The wall-clock budget, asked after every step or mini-batch.
    warn : bool
        Hand back a ConvergenceWarning's text (``result.warning``) when the
        descent ends short of ``tol``; False also drops the mini-batch test
        on epochs (one epoch of a stream, ``partial_fit``).
    batch_size : int or None
        None for full batches, else the size of the mini-batches.
    shuffle : bool
        Shuffle the samples before each epoch.
    random_state : numpy.random.Generator, RandomState or None
        The source of the shuffles.
    patience : int
        Epochs without progress before the mini-batch step shrinks or the
        descent stops (``n_iter_no_change``).
    average : Averaging or None
        Average the mini-batch iterates (:mod:`sklearn_gd._optim.averaging`);
        the result is the mean. None for the last iterate.
    """

    max_iter: int
    tol: float
    callback: Optional[Callable] = None
    record_path: bool = False
    early_stopping: Optional[EarlyStopping] = None
    time_limit: TimeLimit = TimeLimit()
    warn: bool = True
    batch_size: Optional[int] = None
    shuffle: bool = True
    random_state: Any = None
    patience: int = 10
    average: Optional[Averaging] = None
