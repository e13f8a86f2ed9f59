"""LossCurveDisplay: the objective against iteration or time, curves side by side."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._matplotlib import check_matplotlib_support, figure_and_axes
from ._unwrap import find_model

# "auto" draws the objective on a log axis when it spans more than this many
# decades: a descent's interesting part is then its tail, flat on a linear axis.
LOG_SCALE_DECADES = 2


class LossCurveDisplay:
    """The objective against iteration (or time) of one or several descents.

    Build it with :meth:`from_estimator` (fitted estimators, or pipelines,
    searches and meta-estimators around them) or :meth:`from_result`, which
    also draw it; constructing it directly and calling :meth:`plot` draws curves
    of one's own. Lay several learning rates or solvers side by side by
    passing a list.

    Parameters
    ----------
    loss_curves : array-like of shape (n_points,), or list of them
        The objective at every iterate of each descent (``loss_curve_`` or
        ``result.loss_curve``); one curve or a list of curves of any lengths.
    labels : str or list of (str or None), default=None
        The legend's label of each curve; None draws no legend (but a
        diverged curve is still labelled ``"diverged"``).
    times : array-like or list of array-like, default=None
        The seconds since the start at every iterate of each curve
        (``times_`` or ``result.times``), needed for ``x="time"``.
    statuses : str or list of (str or None), default=None
        The ``status`` of each descent (``result.status``); ``"diverged"``
        marks a curve as diverged, as does a non-finite value.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        Its figure.
    lines_ : list of matplotlib Line2D
        One line per curve, in the order given. A diverged curve ends at its
        last finite value (before the first non-finite one) with an ``"x"``
        marker there, and its label says ``"diverged"``.

    See Also
    --------
    DescentPathDisplay : The path of the iterates over the objective.

    Examples
    --------
    The seeds' bowl :math:`f(w) = w^2` from :math:`w = 4` at three learning
    rates:

    >>> from sklearn_gd import LossCurveDisplay, minimize
    >>> results = [minimize(lambda w: w**2, 4.0, jac=lambda w: 2 * w,
    ...                     learning_rate=eta, max_iter=200) for eta in (0.05, 0.35, 0.9)]
    >>> disp = LossCurveDisplay.from_result(results)
    >>> [line.get_label() for line in disp.lines_]
    ['learning_rate=0.05', 'learning_rate=0.35', 'learning_rate=0.9']
    >>> disp.ax_.get_yscale()
    'log'
    """

    def __init__(self, loss_curves, *, labels=None, times=None, statuses=None):
        self.loss_curves = loss_curves
        self.labels = labels
        self.times = times
        self.statuses = statuses

    def plot(self, ax=None, *, x="iteration", log_scale="auto", **line_kwargs):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None draws on a new figure.
        x : {"iteration", "time"}, default="iteration"
            The horizontal axis: the iteration (the epoch, for mini-batches),
            or the seconds since the start (``times`` must be given).
        log_scale : "auto" or bool, default="auto"
            Whether the objective's axis is logarithmic. ``"auto"``: when
            every drawn value is positive and they span more than two decades.
        **line_kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot` for every curve.

        Returns
        -------
        self : LossCurveDisplay
            With ``ax_``, ``figure_`` and ``lines_`` set.
        """
        plt = check_matplotlib_support("LossCurveDisplay.plot")
        if x not in ("iteration", "time"):
            raise ValueError(f'x must be "iteration" or "time", got {x!r}.')
        if log_scale not in ("auto", True, False):
            raise ValueError(f'log_scale must be "auto", True or False, got {log_scale!r}.')
        curves = _as_list_of_curves(self.loss_curves)
        labels = _per_curve(self.labels, len(curves), "labels")
        statuses = _per_curve(self.statuses, len(curves), "statuses")
        xs = _abscissae(curves, self.times, x)
        fig, ax = figure_and_axes(plt, ax)
        self.lines_, drawn = [], []
        for curve, xs_k, label, status in zip(curves, xs, labels, statuses):
            line, values = _draw_curve(ax, xs_k, curve, label, status, line_kwargs)
            self.lines_.append(line)
            drawn.append(values)
        if log_scale is True or (log_scale == "auto" and _spans_decades(drawn)):
            ax.set_yscale("log")
        ax.set_xlabel("iteration" if x == "iteration" else "time (s)")
        ax.set_ylabel("objective")
        if any(line.get_label() and not line.get_label().startswith("_")
               for line in self.lines_):
            ax.legend()
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_estimator(cls, estimators, *, labels=None, ax=None, x="iteration",
                       log_scale="auto", **line_kwargs):
        """Draw the ``loss_curve_`` of fitted estimators.

        Parameters
        ----------
        estimators : estimator or list of estimators
            Each one of:

            - a fitted :class:`~sklearn_gd.GDLinearRegressor` or
              :class:`~sklearn_gd.GDLogisticRegressor`;
            - a :class:`~sklearn.pipeline.Pipeline` whose last step is one;
            - a search fitted with ``refit=True`` over one
              (:class:`~sklearn.model_selection.GridSearchCV`,
              :class:`~sklearn.model_selection.RandomizedSearchCV`,
              :class:`~sklearn.model_selection.HalvingGridSearchCV`, ...): the
              curve of its ``best_estimator_``;
            - a fitted meta-estimator holding one fitted model as
              ``best_estimator_``, ``estimator_`` or ``regressor_``, such as
              :class:`~sklearn.compose.TransformedTargetRegressor` or
              :class:`~sklearn.feature_selection.SelectFromModel`;

            wrapped in one another to any depth (a search over a pipeline).
            Meta-estimators holding several fitted models (``estimators_``)
            are refused: pass the one to draw.
        labels : str or list of str, default=None
            The legend's labels; None labels each curve by its class, solver
            and learning rate, as ``"GDLinearRegressor(solver='gd',
            learning_rate='auto')"``.
        ax : matplotlib Axes, default=None
            Where to draw; None draws on a new figure.
        x : {"iteration", "time"}, default="iteration"
            Against iterations (epochs for mini-batches), or against the
            seconds of each fit (``times_``).
        log_scale : "auto" or bool, default="auto"
            See :meth:`plot`.
        **line_kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot` for every curve.

        Returns
        -------
        display : LossCurveDisplay
            The drawn display.

        Raises
        ------
        NotFittedError
            When a model, or a wrapper on the way to it, is not fitted.
        TypeError
            When an estimator holds no model of sklearn-gd.
        """
        caller = "LossCurveDisplay.from_estimator"
        models = [find_model(est, caller)[0] for est in _as_list(estimators)]
        for model in models:
            check_is_fitted(model, "loss_curve_")
        if labels is None:
            labels = [_estimator_label(model) for model in models]
        display = cls([model.loss_curve_ for model in models], labels=labels,
                      times=[model.times_ for model in models])
        return display.plot(ax, x=x, log_scale=log_scale, **line_kwargs)

    @classmethod
    def from_result(cls, results, *, labels=None, ax=None, x="iteration",
                    log_scale="auto", **line_kwargs):
        """Draw the ``loss_curve`` of :func:`~sklearn_gd.minimize` results.

        Parameters
        ----------
        results : DescentResult or list of DescentResult
            What :func:`~sklearn_gd.minimize` returned.
        labels : str or list of str, default=None
            The legend's labels; None labels each curve by its last step
            size, as ``"learning_rate=0.35"``.
        ax : matplotlib Axes, default=None
            Where to draw; None draws on a new figure.
        x : {"iteration", "time"}, default="iteration"
            Against iterations, or against seconds (``result.times``).
        log_scale : "auto" or bool, default="auto"
            See :meth:`plot`.
        **line_kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot` for every curve.

        Returns
        -------
        display : LossCurveDisplay
            The drawn display; a diverged result is drawn up to its last
            finite value and labelled ``"diverged"``.
        """
        results = _as_list(results)
        if labels is None:
            labels = [f"learning_rate={result.learning_rate:.3g}" for result in results]
        display = cls([result.loss_curve for result in results], labels=labels,
                      times=[result.times for result in results],
                      statuses=[result.status for result in results])
        return display.plot(ax, x=x, log_scale=log_scale, **line_kwargs)


def _draw_curve(ax, xs, curve, label, status, line_kwargs):
    """Draw one curve up to its first non-finite value; return the line and
    the values drawn. A diverged curve ends with an "x" and says so."""
    finite = np.isfinite(curve)
    stop = len(curve) if finite.all() else int(np.argmin(finite))
    diverged = status == "diverged" or stop < len(curve)
    kwargs = dict(line_kwargs)
    if diverged:
        kwargs["label"] = "diverged" if label is None else f"{label} (diverged)"
        if stop:
            kwargs.update(marker="x", markevery=[stop - 1], markersize=10,
                          markeredgewidth=2)
    elif label is not None:
        kwargs["label"] = label
    (line,) = ax.plot(xs[:stop], curve[:stop], **kwargs)
    return line, curve[:stop]


def _spans_decades(drawn):
    values = np.concatenate(drawn) if drawn else np.empty(0)
    if values.size == 0 or np.any(values <= 0):
        return False
    return values.max() / values.min() > 10.0**LOG_SCALE_DECADES


def _abscissae(curves, times, x):
    if x == "iteration":
        return [np.arange(len(curve)) for curve in curves]
    if times is None:
        raise ValueError('x="time" needs the times of each curve; pass times=...')
    times = _as_list_of_curves(times)
    if len(times) != len(curves) or any(
        len(t) != len(c) for t, c in zip(times, curves)
    ):
        raise ValueError("times must hold one time per value of each loss curve.")
    return times


def _as_list(obj):
    return list(obj) if isinstance(obj, (list, tuple)) else [obj]


def _as_list_of_curves(curves):
    """One 1-D float array per curve, from a single curve or a list of them."""
    if len(curves) and np.ndim(curves[0]) == 0:
        curves = [curves]
    curves = [np.asarray(curve, dtype=float) for curve in curves]
    if not curves or any(curve.ndim != 1 for curve in curves):
        raise ValueError("loss_curves must be one 1-D curve or a non-empty list of them.")
    return curves


def _per_curve(values, n, name):
    if values is None or isinstance(values, str):
        return [values] * n if values is None or n == 1 else _mismatch(name, 1, n)
    values = list(values)
    return values if len(values) == n else _mismatch(name, len(values), n)


def _mismatch(name, given, n):
    raise ValueError(f"{name} has {given} entries for {n} loss curves.")


def _estimator_label(model):
    rate = model.learning_rate
    rate = repr(rate) if isinstance(rate, str) else f"{rate:g}"
    return f"{type(model).__name__}(solver={model.solver!r}, learning_rate={rate})"
