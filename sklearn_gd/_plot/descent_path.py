"""DescentPathDisplay: the iterates of a descent drawn over its objective.

Two coordinates: the filled contour of the objective over them, the path on
it. One variable: the curve ``f(x)`` with the iterates as points on it (the
seeds' bowl).
"""

from numbers import Integral

import numpy as np

from .._linear.params import coef_from_flat, flat_from_coef, flat_name, theta_from_coef
from ._matplotlib import check_matplotlib_support, figure_and_axes
from ._unwrap import adapt_data, find_model
from ._view import evaluate, finite_prefix, framed_count, path_grid

PATH_STYLE = {"color": "tab:red", "marker": "o", "markersize": 4, "linewidth": 1.5,
              "label": "path"}
START_STYLE = {"marker": "o", "markersize": 10, "color": "white",
               "markeredgecolor": "black", "linestyle": "none", "label": "start"}
END_STYLE = {"marker": "*", "markersize": 16, "color": "gold",
             "markeredgecolor": "black", "linestyle": "none", "label": "end"}
# The grid of plot() when no from_* method chose one.
DEFAULT_GRID_SIZE = {1: 200, 2: 60}


class DescentPathDisplay:
    """The path of a descent's iterates over the contour (or curve) of its objective.

    Build it with :meth:`from_result` (a :func:`~sklearn_gd.minimize` run
    with ``record_path=True``) or :meth:`from_estimator` (an estimator fitted
    with ``record_path=True``, or a pipeline, search or meta-estimator
    around one), which also draw it. :meth:`animate` reveals the path step
    by step.

    Parameters
    ----------
    path : array-like of shape (n_iterates,), (n_iterates, 1) or (n_iterates, 2)
        The iterates, the start first: values of one variable (drawn on the
        curve of ``fun``), or points of two coordinates (drawn on the
        contour of ``fun``). Only the part before the first non-finite
        iterate is drawn.
    fun : callable, default=None
        The objective over the drawn coordinates: ``fun(x)`` of a float
        ``x`` for one variable, ``fun(p)`` of a point ``p = [a, b]`` for
        two. It gives ``values`` and, for one variable, the heights of the
        iterates when those are not passed. None draws the path alone.
    grid : ndarray of shape (n,), or a pair (xs, ys) of 1-D arrays, default=None
        Where the objective is drawn; None: over the extent of the framed
        iterates padded by 25% on each side (at least ``1e-3 * max(1,
        |coordinate|)``).
    values : ndarray of shape (n,) or (len(ys), len(xs)), default=None
        The objective over ``grid``; None evaluates ``fun`` there.
    loss_curve : array-like of shape (n_iterates,), default=None
        The objective at each iterate: the heights of a one-variable path
        (else ``fun`` at the iterates), and what frames the default grid. A
        diverging descent leaves the picture: the grid frames the iterates
        up to the first one whose objective exceeds the start's by 1000
        times the objective's scale (the larger of its starting size and
        how far it came down).
    status : str, default=None
        The descent's ``status``; ``"diverged"`` labels the end ``"end
        (diverged)"``, as does a non-finite iterate.
    axis_labels : pair of str, default=None
        The labels of the horizontal and the vertical axis; None:
        ``("x", "f(x)")`` for one variable, ``("x[0]", "x[1]")`` for two.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        Its figure.
    contour_ : matplotlib QuadContourSet or None
        The filled contour of the objective (two coordinates); None for one
        variable or without ``fun``.
    curve_ : matplotlib Line2D or None
        The curve of the objective (one variable); None otherwise.
    path_line_ : matplotlib Line2D
        The path, a point per iterate joined by lines.
    start_, end_ : matplotlib Line2D
        The markers of the first and the last drawn iterate: a circle and a star.
    path_ : ndarray of shape (n_drawn, 2)
        The drawn points: the two coordinates of each iterate, or ``x`` and
        ``f(x)`` for one variable; the finite iterates, so they equal the
        recorded ones.

    See Also
    --------
    LossCurveDisplay : The objective against iteration.

    Examples
    --------
    The seeds' bowl :math:`f(w) = w^2` from :math:`w = 4`, and the same step
    on a two-variable bowl:

    >>> import numpy as np
    >>> from sklearn_gd import DescentPathDisplay, minimize
    >>> res = minimize(lambda w: w**2, 4.0, jac=lambda w: 2 * w,
    ...                learning_rate=0.35, record_path=True)
    >>> disp = DescentPathDisplay.from_result(res, fun=lambda w: w**2)
    >>> disp.path_[:3, 0].round(3)
    array([4.  , 1.2 , 0.36])
    >>> disp.contour_ is None
    True
    >>> bowl = lambda x: x[0] ** 2 + 4 * x[1] ** 2
    >>> res = minimize(bowl, [4.0, 1.0], jac=lambda x: np.array([2, 8]) * x,
    ...                learning_rate=0.2, record_path=True)
    >>> disp = DescentPathDisplay.from_result(res, fun=bowl)
    >>> disp.contour_ is not None, len(disp.path_) == res.nit + 1
    (True, True)
    """

    def __init__(self, path, *, fun=None, grid=None, values=None, loss_curve=None,
                 status=None, axis_labels=None):
        self.path = path
        self.fun = fun
        self.grid = grid
        self.values = values
        self.loss_curve = loss_curve
        self.status = status
        self.axis_labels = axis_labels

    def plot(self, ax=None, *, levels=30, contour_kwargs=None, path_kwargs=None):
        """Draw the objective and the path on it.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None draws on a new figure.
        levels : int >= 2 or array-like, default=30
            The contour's levels (two coordinates). An int: that many levels
            at quantiles of the objective over the grid, each band its own
            color, so that every band covers about the same area and a
            narrow valley shows however deep it is. An array: the levels
            themselves, for :meth:`matplotlib.axes.Axes.contourf`.
        contour_kwargs : dict, default=None
            Passed to :meth:`~matplotlib.axes.Axes.contourf` (two
            coordinates) or :meth:`~matplotlib.axes.Axes.plot` for the curve
            (one variable).
        path_kwargs : dict, default=None
            Passed to :meth:`~matplotlib.axes.Axes.plot` for the path, over
            its defaults (red dots joined by lines, labelled ``"path"``).

        Returns
        -------
        self : DescentPathDisplay
            With ``ax_``, ``figure_``, ``contour_``, ``curve_``,
            ``path_line_``, ``start_``, ``end_`` and ``path_`` set.
        """
        plt = check_matplotlib_support("DescentPathDisplay.plot")
        path = np.asarray(self.path, dtype=float)
        one_variable = path.ndim == 1 or path.shape[1:] == (1,)
        if not (one_variable or path.shape[1:] == (2,)):
            raise ValueError("path must have shape (n,), (n, 1) or (n, 2), got "
                             f"{path.shape}.")
        fig, ax = figure_and_axes(plt, ax)
        if one_variable:
            self.path_ = self._points_on_curve(path.reshape(-1))
            self.contour_, self.curve_ = None, self._draw_curve(ax, contour_kwargs)
        else:
            self.path_ = finite_prefix(path)
            self.curve_, self.contour_ = None, self._draw_contour(ax, levels,
                                                                  contour_kwargs)
        if len(self.path_) == 0:
            raise ValueError("The path has no finite iterate to draw.")
        self._draw_path(ax, path_kwargs, diverged=len(self.path_) < len(path))
        xlabel, ylabel = self.axis_labels or (("x", "f(x)") if one_variable
                                              else ("x[0]", "x[1]"))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend()
        self.ax_, self.figure_ = ax, fig
        return self

    def _points_on_curve(self, x):
        """``(x, f(x))`` of the finite iterates of a one-variable path."""
        if self.loss_curve is not None:
            heights = np.asarray(self.loss_curve, dtype=float)
        elif self.fun is not None:
            with np.errstate(all="ignore"):
                heights = np.array([float(self.fun(v)) for v in x])
        else:
            raise ValueError("A one-variable path needs fun or loss_curve for its heights.")
        return finite_prefix(np.column_stack([x, heights]))

    def _background(self, points):
        """The grid and the objective over it, or None without ``fun`` or values."""
        if self.values is not None:
            return self.grid, np.ma.masked_invalid(np.asarray(self.values, dtype=float))
        if self.fun is None:
            return None, None
        grid = self.grid
        if grid is None:
            heights = None if self.loss_curve is None else self.loss_curve[:len(points)]
            grid = path_grid(points, heights, None, DEFAULT_GRID_SIZE[np.ndim(points)])
        return grid, np.ma.masked_invalid(evaluate(self.fun, grid))

    def _draw_curve(self, ax, curve_kwargs):
        grid, values = self._background(self.path_[:, 0])
        if grid is None:
            return None
        (curve,) = ax.plot(grid, values, **{"color": "0.35", **(curve_kwargs or {})})
        ax.set_xlim(grid[0], grid[-1])
        low, high = np.nanmin(values), np.nanmax(values)
        margin = 0.05 * (high - low) or 1.0
        ax.set_ylim(low - margin, high + margin)
        return curve

    def _draw_contour(self, ax, levels, contour_kwargs):
        grid, values = self._background(self.path_)
        if grid is None:
            return None
        xs, ys = grid
        style = {"cmap": "viridis"}
        if isinstance(levels, Integral):
            levels, style["norm"] = _quantile_levels(values, levels)
        contour = ax.contourf(xs, ys, values, levels=levels,
                              **{**style, **(contour_kwargs or {})})
        # Thin lines between the bands show the shape where colors are close.
        ax.contour(xs, ys, values, levels=contour.levels, colors="white",
                   linewidths=0.3, alpha=0.5)
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(ys[0], ys[-1])
        return contour

    def _draw_path(self, ax, path_kwargs, diverged):
        # Drawn after the objective fixed the limits (set_xlim stops
        # autoscaling): a path leaving the grid is clipped, not zoomed out to.
        points = self.path_
        (self.path_line_,) = ax.plot(points[:, 0], points[:, 1],
                                     **{**PATH_STYLE, **(path_kwargs or {})})
        (self.start_,) = ax.plot(points[:1, 0], points[:1, 1], **START_STYLE)
        end_label = "end (diverged)" if diverged or self.status == "diverged" else "end"
        (self.end_,) = ax.plot(points[-1:, 0], points[-1:, 1],
                               **{**END_STYLE, "label": end_label})

    def animate(self, *, interval=200, frames=None, repeat=False):
        """An animation that draws the path one iterate at a time.

        Draws the display first if :meth:`plot` has not. Save it as a GIF
        with ``anim.save("path.gif", writer="pillow")``; keep a reference to
        it while it plays.

        Parameters
        ----------
        interval : int > 0, default=200
            Milliseconds between frames.
        frames : int >= 1 or None, default=None
            The number of frames; None: one per drawn iterate. Fewer frames
            than iterates reveal several iterates per frame.
        repeat : bool, default=False
            Whether the animation starts over when it ends.

        Returns
        -------
        animation : matplotlib.animation.FuncAnimation
            Its last frame shows the whole path.
        """
        from .animation import animate_path

        if not hasattr(self, "ax_"):
            self.plot()
        return animate_path(self, interval=interval, frames=frames, repeat=repeat)

    @classmethod
    def from_result(cls, result, *, fun, coords=(0, 1), ranges=None, grid_size=100,
                    ax=None, levels=30, contour_kwargs=None, path_kwargs=None):
        """Draw the path of a :func:`~sklearn_gd.minimize` result over ``fun``.

        Parameters
        ----------
        result : DescentResult
            A result of :func:`~sklearn_gd.minimize` with ``record_path=True``.
        fun : callable
            The objective, ``fun(x)`` with ``x`` of the shape of ``x0``.
        coords : pair of int, default=(0, 1)
            The two coordinates of the flattened ``x`` to draw the contour
            over (negative ones count from the end), the others fixed at the
            last framed iterate (the last iterate, unless it diverged).
            Ignored when ``x`` has one element: then ``f(x)`` is drawn as a
            curve with the iterates on it.
        ranges : pair of float, pair of pairs, or None, default=None
            ``(low, high)`` of ``x`` for one variable, or ``((low, high),
            (low, high))`` of the two coordinates (either may be None); None
            frames the iterates as described for ``loss_curve`` in the class
            parameters, padded by 25%.
        grid_size : int >= 2, default=100
            Points along each axis of the grid (``grid_size**2`` evaluations
            of ``fun`` for a contour).
        ax : matplotlib Axes, default=None
            Where to draw; None draws on a new figure.
        levels, contour_kwargs, path_kwargs
            See :meth:`plot`.

        Returns
        -------
        display : DescentPathDisplay
            The drawn display.
        """
        if result.path is None:
            raise ValueError("The result has no path: run minimize with record_path=True.")
        shape = result.path.shape[1:]
        flat = result.path.reshape(len(result.path), -1)
        if flat.shape[1] == 1:
            def reduced(v):
                return fun(np.full(shape, v, dtype=flat.dtype))
            with np.errstate(all="ignore"):
                heights = np.array([float(reduced(v)) for v in flat[:, 0]])
            points, labels = flat[:, 0], ("x", "f(x)")
        else:
            coords = _check_coords(coords, flat.shape[1])
            heights = result.loss_curve
            anchor = finite_prefix(flat)[: framed_count(heights)][-1].copy()

            def reduced(point):
                x = anchor.copy()
                x[list(coords)] = point
                return fun(x.reshape(shape))
            points = flat[:, coords]
            labels = tuple(_index_name("x", k, shape) for k in coords)
        finite = finite_prefix(points)
        grid = path_grid(finite, heights[: len(finite)], ranges, _check_grid_size(grid_size))
        display = cls(points, fun=reduced, grid=grid, loss_curve=heights,
                      status=result.status, axis_labels=labels)
        return display.plot(ax, levels=levels, contour_kwargs=contour_kwargs,
                            path_kwargs=path_kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, coords=(0, -1), ranges=None, grid_size=60,
                       sample_weight=None, ax=None, levels=30, contour_kwargs=None,
                       path_kwargs=None):
        """Draw the coefficient path of a fitted estimator over its objective.

        Parameters
        ----------
        estimator : estimator
            A :class:`~sklearn_gd.GDLinearRegressor` or
            :class:`~sklearn_gd.GDLogisticRegressor` fitted with
            ``record_path=True``, or what wraps one:

            - a :class:`~sklearn.pipeline.Pipeline` whose last step is one:
              ``X`` goes through the earlier steps' ``transform`` first;
            - a search fitted with ``refit=True`` over one
              (:class:`~sklearn.model_selection.GridSearchCV`,
              :class:`~sklearn.model_selection.RandomizedSearchCV`,
              :class:`~sklearn.model_selection.HalvingGridSearchCV`, ...): the
              path of its ``best_estimator_``;
            - a fitted meta-estimator holding one fitted model as
              ``best_estimator_``, ``estimator_`` or ``regressor_``.
              :class:`~sklearn.compose.TransformedTargetRegressor`: ``y``
              goes through its ``transformer_`` first;
              :class:`~sklearn.feature_selection.RFE` and
              :class:`~sklearn.feature_selection.RFECV`: ``X`` is reduced to
              the selected features first;
              :class:`~sklearn.feature_selection.SelectFromModel`: ``X`` as
              it is (its model was fitted on all the features);

            wrapped in one another to any depth, the data changed by each
            wrapper in turn, outermost first.
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The data the objective is evaluated on, usually the training
            data, as given to ``estimator``'s ``fit``.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Its targets, as given to ``estimator``'s ``fit``.
        coords : pair of int, default=(0, -1)
            Two coordinates of the flat parameter vector
            ``np.r_[coef_.ravel(), np.ravel(intercept_)]`` (negative ones count
            from the end), so ``(0, -1)`` is the slope and the intercept of a
            one-feature regression; the other coordinates are fixed at the
            fitted ``coef_`` and ``intercept_``.
        ranges : pair of pairs or None, default=None
            ``((low, high), (low, high))`` of the two coordinates (either may
            be None); None: the path's extent padded by 25%.
        grid_size : int >= 2, default=60
            Points along each axis: ``grid_size**2`` evaluations of the
            objective on ``X``.
        sample_weight : array-like of shape (n_samples,), default=None
            The sample weights of the objective.
        ax : matplotlib Axes, default=None
            Where to draw; None draws on a new figure.
        levels, contour_kwargs, path_kwargs
            See :meth:`plot`.

        Returns
        -------
        display : DescentPathDisplay
            The drawn display.

        Raises
        ------
        NotFittedError
            When the model, or a wrapper on the way to it, is not fitted.
        TypeError
            When ``estimator`` holds no model of sklearn-gd.
        ValueError
            When the model recorded no path, or ``coords`` are not two
            coordinates of it.
        """
        model, adapters = find_model(estimator, "DescentPathDisplay.from_estimator")
        if getattr(model, "coef_path_", None) is None:
            raise ValueError(f"{type(model).__name__} has no coefficient path: fit it "
                             "with record_path=True (partial_fit records none).")
        coef_shape, intercept_shape = np.shape(model.coef_), np.shape(model.intercept_)
        flat = flat_from_coef(model.coef_path_, model.intercept_path_, n_lead=1)
        coords = _check_coords(coords, flat.shape[1])
        if not model.fit_intercept and max(coords) >= np.prod(coef_shape):
            raise ValueError("coords name an intercept, which is not fitted "
                             "(fit_intercept=False); choose coordinates of coef_.")
        # After the checks of the path: they need no pass over X.
        X, y = adapt_data(adapters, X, y)
        objective = model._objective_for(X, y, sample_weight)
        anchor = flat_from_coef(model.coef_, model.intercept_)

        def reduced(point):
            params = anchor.copy()
            params[list(coords)] = point
            theta = theta_from_coef(*coef_from_flat(params, coef_shape, intercept_shape),
                                    model.fit_intercept)
            return objective.value_and_grad(theta.astype(model.coef_.dtype))[0]
        points = flat[:, coords]
        grid = path_grid(points, None, ranges, _check_grid_size(grid_size))
        labels = tuple(flat_name(k, coef_shape, intercept_shape) for k in coords)
        display = cls(points, fun=reduced, grid=grid, axis_labels=labels)
        return display.plot(ax, levels=levels, contour_kwargs=contour_kwargs,
                            path_kwargs=path_kwargs)


def _quantile_levels(values, n_levels):
    """``n_levels`` levels at quantiles of ``values``, and a norm that gives
    each band its own color: every band covers about the same area, so a
    narrow valley shows however deep it lies below the rest of the grid."""
    from matplotlib.colors import BoundaryNorm

    finite = np.ma.compressed(values)
    levels = np.unique(np.quantile(finite, np.linspace(0, 1, n_levels))) if finite.size \
        else np.empty(0)
    if len(levels) < 2:  # a flat objective: matplotlib's own levels
        return n_levels, None
    return levels, BoundaryNorm(levels, 256)


def _check_coords(coords, size):
    """Two distinct coordinates among ``size``, made non-negative."""
    try:
        first, second = (range(size)[int(k)] for k in coords)
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"coords must be two indices of the {size} coordinates, got "
                         f"{coords!r}.") from None
    if first == second:
        raise ValueError(f"coords must name two different coordinates, got {coords!r}.")
    return first, second


def _check_grid_size(grid_size):
    if int(grid_size) != grid_size or grid_size < 2:
        raise ValueError(f"grid_size must be an integer >= 2, got {grid_size!r}.")
    return int(grid_size)


def _index_name(name, flat_index, shape):
    """``x[i]`` or ``x[i, j]`` of a flat index into an array of ``shape``."""
    where = np.unravel_index(flat_index, shape)
    return f"{name}[{', '.join(str(int(i)) for i in where)}]"
