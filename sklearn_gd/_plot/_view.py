"""Where a path display looks: the iterates that frame it, its grid, and the
objective over that grid."""

import numpy as np

# A diverging descent leaves the picture; the view frames the iterates up to
# the first whose objective rose above the start by this many times the
# objective's scale, so that one huge last step does not shrink the rest to a dot.
FRAME_FACTOR = 1e3
# The ranges extend the framed iterates' extent by this share on each side.
PADDING = 0.25


def finite_prefix(points):
    """The rows of ``points`` before the first one with a non-finite value."""
    points = np.asarray(points, dtype=float)
    finite = np.all(np.isfinite(points.reshape(len(points), -1)), axis=1)
    stop = len(points) if finite.all() else int(np.argmin(finite))
    return points[:stop]


def framed_count(heights):
    """How many leading iterates frame the view, given the objective at each.

    The frame stops before the first non-finite height, or the first above
    ``heights[0] + FRAME_FACTOR * scale``, where the scale is the larger of
    ``|heights[0]|`` and how far the objective came down before (1 when both
    are zero). The start is always framed.
    """
    heights = np.asarray(heights, dtype=float)
    stop = len(finite_prefix(heights))
    if stop == 0:
        return 1
    start = heights[0]
    scale = max(abs(start), start - heights[:stop].min()) or 1.0
    too_high = np.flatnonzero(heights[:stop] > start + FRAME_FACTOR * scale)
    return int(too_high[0]) if too_high.size else stop


def default_range(values):
    """``(low, high)`` around ``values``: their extent padded by ``PADDING`` of
    its width on each side, and by at least ``1e-3 * max(1, max |value|)``,
    so that a coordinate that never moved still gets a window."""
    values = np.asarray(values, dtype=float)
    low, high = float(values.min()), float(values.max())
    pad = max(PADDING * (high - low), 1e-3 * max(1.0, abs(low), abs(high)))
    return low - pad, high + pad


def path_grid(points, heights, ranges, grid_size):
    """The grid a path display evaluates its objective on.

    ``points`` are the finite iterates, of shape ``(n,)`` (1-D) or ``(n, 2)``;
    ``heights`` the objective at each iterate, or None (frame them all).
    ``ranges`` is None, a pair ``(low, high)`` (1-D) or a pair of pairs (2-D).
    Returns an array of ``grid_size`` abscissae (1-D) or a pair ``(xs, ys)``.
    """
    points = np.asarray(points, dtype=float)
    framed = points[: framed_count(heights)] if heights is not None else points
    if points.ndim == 1:
        bounds = [default_range(framed) if ranges is None
                  else _check_range(_one_range(ranges), "ranges")]
    else:
        ranges = [None, None] if ranges is None else list(ranges)
        if len(ranges) != 2:
            raise ValueError(f"ranges must be a pair of (low, high) pairs, got {ranges!r}.")
        bounds = [default_range(framed[:, k]) if r is None
                  else _check_range(r, f"ranges[{k}]") for k, r in enumerate(ranges)]
    axes = [np.linspace(low, high, grid_size) for low, high in bounds]
    return axes[0] if points.ndim == 1 else tuple(axes)


def _one_range(ranges):
    # A 1-D range may come wrapped, as [(low, high)], like a 2-D one.
    return ranges[0] if len(ranges) == 1 else ranges


def _check_range(bounds, name):
    try:
        low, high = (float(v) for v in bounds)
    except (TypeError, ValueError):
        low = high = np.nan
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{name} must be a pair (low, high) of finite numbers with "
                         f"low < high, got {bounds!r}.")
    return low, high


def evaluate(fun, grid):
    """``fun`` over ``grid`` (see :func:`path_grid`): at each abscissa in 1-D,
    at each point ``[x, y]`` in 2-D, with values of shape ``(len(ys),
    len(xs))``. Non-finite values come back as NaN."""
    with np.errstate(all="ignore"):
        if isinstance(grid, tuple):
            xx, yy = np.meshgrid(*grid)
            values = np.array([float(fun(np.array(p))) for p in zip(xx.ravel(), yy.ravel())])
            values = values.reshape(xx.shape)
        else:
            values = np.array([float(fun(v)) for v in grid])
    values[~np.isfinite(values)] = np.nan
    return values
