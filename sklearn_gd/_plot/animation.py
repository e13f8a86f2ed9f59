"""The animation of a drawn path: one more iterate per frame, as in the seeds'
GIFs."""

import numpy as np


def animate_path(display, *, interval, frames, repeat):
    """A :class:`matplotlib.animation.FuncAnimation` of ``display``'s path.

    Frame ``k`` shows the first ``counts[k]`` drawn iterates, the star on the
    last of them and its iteration number in a corner; ``counts`` runs from
    the start alone to the whole path, one iterate per frame unless
    ``frames`` asks for fewer (or more, holding some).
    """
    from matplotlib.animation import FuncAnimation

    points = display.path_
    counts = _counts(len(points), frames)
    label = display.ax_.text(0.02, 0.97, "", transform=display.ax_.transAxes,
                             va="top", bbox={"facecolor": "white", "alpha": 0.7})

    def show(count):
        display.path_line_.set_data(points[:count, 0], points[:count, 1])
        display.end_.set_data(points[count - 1: count, 0], points[count - 1: count, 1])
        label.set_text(f"iteration {count - 1}")
        return display.path_line_, display.end_, label

    return FuncAnimation(display.figure_, show, frames=counts, interval=interval,
                         repeat=repeat, blit=False)


def _counts(n_points, frames):
    """How many iterates each frame shows: 1, ..., ``n_points``."""
    if frames is None:
        return list(range(1, n_points + 1))
    if int(frames) != frames or frames < 1:
        raise ValueError(f"frames must be an integer >= 1 or None, got {frames!r}.")
    return [int(c) for c in np.linspace(1, n_points, int(frames)).round()]
