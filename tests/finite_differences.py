"""Central finite differences: the gradient tests' reference."""

import numpy as np


def central_differences(fun, x, h=1e-6):
    """The gradient of the scalar ``fun`` at ``x`` (any shape), coordinate by coordinate."""
    grad = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        grad[idx] = (fun(up) - fun(down)) / (2 * h)
    return grad
