r"""Polyak-Ruppert averaging of the mini-batch iterates.

Stochastic steps keep jittering around the optimum, by about the step size
times the spread of the batch gradients; their running mean does not. Once
``start`` samples have been seen (counting every sample of every batch, from
the first batch of the first epoch), each update's iterate joins the mean

.. math::

    \bar x_m = \bar x_{m-1} + \frac{x_{k} - \bar x_{m-1}}{m},
    \qquad \bar x_1 = x_{k_0},

the plain mean of the :math:`m` iterates since the update :math:`k_0` that
crossed ``start``. With a constant or slowly decaying step it converges at
the best rate a stochastic method can (Polyak and Juditsky, 1992), with no
schedule to tune, which the raw iterates only do with a step that shrinks
just right. ``start=1`` averages from the first update (scikit-learn's
``average=True``), a larger one leaves out the first, far-off iterates.

The state is a value, like the rules' (``init() -> state``,
``update(x, n, state) -> state``), so that a stream of ``partial_fit`` calls
averages across them; it keeps the last iterate too (``state["last"]``), from
which the stream's next call goes on, since the mean is what it reports.
"""


class Averaging:
    """The running mean of the iterates after ``start`` samples.

    Parameters
    ----------
    start : int >= 1
        The number of samples seen at which averaging begins.
    """

    def __init__(self, start):
        self.start = int(start)

    @staticmethod
    def init():
        return {"seen": 0, "count": 0, "mean": None, "last": None}

    def update(self, x, n_batch, state):
        """The state after an update to ``x`` on a batch of ``n_batch`` samples."""
        seen = state["seen"] + n_batch
        if seen < self.start:
            return {**state, "seen": seen, "last": x}
        count = state["count"] + 1
        mean = x.copy() if count == 1 else state["mean"] + (x - state["mean"]) / count
        return {"seen": seen, "count": count, "mean": mean, "last": x}

    @staticmethod
    def value(x, state):
        """The averaged iterate, or ``x`` while averaging has not begun."""
        return x if state["mean"] is None else state["mean"]
