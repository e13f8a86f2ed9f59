"""One entry to the loops: full batch or mini-batches, as the options say."""

from .descent import descend
from .minibatch import descend_minibatch


def run(problem, x0, *, rule, step, options, state=None):
    """:func:`~sklearn_gd._optim.descent.descend` for full batches
    (``options.batch_size`` None), else
    :func:`~sklearn_gd._optim.minibatch.descend_minibatch`."""
    loop = descend if options.batch_size is None else descend_minibatch
    return loop(problem, x0, rule=rule, step=step, options=options, state=state)
