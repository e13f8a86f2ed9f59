"""matplotlib, imported only when a display draws: it is an optional extra."""


def check_matplotlib_support(caller):
    """Import and return :mod:`matplotlib.pyplot`, or say how to install it.

    Parameters
    ----------
    caller : str
        What needs matplotlib, named in the error (``"LossCurveDisplay.plot"``).

    Returns
    -------
    pyplot : module
        :mod:`matplotlib.pyplot`.

    Raises
    ------
    ImportError
        When matplotlib cannot be imported.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib, which is not installed. Install it "
            'with the plotting extra: pip install "sklearn-gd[plot]"'
        ) from exc
    return plt


def figure_and_axes(plt, ax):
    """``ax`` and its figure, or a new figure with one axes when ``ax`` is None."""
    if ax is None:
        return plt.subplots()
    return ax.figure, ax
