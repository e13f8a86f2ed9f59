"""Sums over vectors in a fixed order, for every layer.

A BLAS dot product (``np.vdot``, ``a @ b`` on vectors, ``np.linalg.norm``)
splits long vectors among the BLAS pool's threads and adds their partial
sums, so its last bits follow the thread count, and a fit stopped by
``max_iter`` carries them. These reductions use NumPy's own pairwise sum
instead, whose order is set by the length of the vector alone. A leaf module:
it imports nothing of the package, and every layer may import it.
"""

import math

import numpy as np


def dot(a, b):
    """``<a, b>`` over all entries, as a float, summed in a fixed order."""
    return float(np.add.reduce(np.multiply(a, b).ravel()))


def norm(a):
    """The Euclidean norm of ``a`` (all entries), summed in a fixed order."""
    return math.sqrt(dot(a, a))
