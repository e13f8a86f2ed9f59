r"""The objective in standardized coordinates, without a standardized copy of ``X``.

With the columns' weighted means :math:`\mu` and scales :math:`s`, the
descent runs on :math:`\theta' = (W', b')`, where

.. math::

    W = \mathrm{diag}(s)^{-1} W', \qquad b = b' - \mu^\top W,

so that :math:`X W + b = X_c W' + b'` with :math:`X_c = (X - \mu) / s`. The
pass still reads ``X`` itself, at the original :math:`(W, b)`:
:math:`X_c W' + b' = X (W'/s) - \mu \cdot (W'/s) + b'`, so sparse ``X`` stays
sparse, dask and array namespaces are read where they live, and nothing as
large as ``X`` is made. The objective is exactly the documented one,
:math:`J(W, b)`; only its coordinates change, and with them its gradient (the
chain rule),

.. math::

    \nabla_{W'} J = \mathrm{diag}(s)^{-1} (\nabla_W J - \mu\, \nabla_b J^\top),
    \qquad \nabla_{b'} J = \nabla_b J,

the penalty, which becomes a weighted one (:math:`\alpha \rho \sum_j
|W'_j| / s_j` and :math:`\tfrac{\alpha (1 - \rho)}{2} \sum_j \|W'_j\|^2 /
s_j^2`; the L1 prox a soft-threshold at :math:`\eta \alpha \rho / s_j`), and
the Lipschitz constant.

The scales make the diagonal of the Hessian even. At a point where the
samples' curvatures (the loss's second derivatives in :math:`z`, averaged
over the outputs) are :math:`d_i`, with :math:`v_i \propto w_i d_i` summing
to one and :math:`\bar d = \sum_i w_i d_i`, the Hessian's diagonal in
:math:`W_j`, once the intercept is eliminated, is :math:`\bar d\,
\mathrm{Var}_v(x_j) + \alpha (1 - \rho)`; so the mean is the :math:`v`-weighted
mean and

.. math:: s_j = \sqrt{\mathrm{Var}_v(x_j) + \alpha (1 - \rho) / \bar d},

which puts the curvature along every coordinate at about :math:`\bar d`, the
intercept's. At the zero start every :math:`d_i` is the same, and
:math:`\mu` and :math:`s` are the columns' weighted means and standard
deviations (the penalty's term aside: a column of tiny spread is not blown
up into a direction where the penalty alone is steep). As a fit of the log
loss separates the classes, the curvatures of the samples it classifies
well fall to zero and the diagonal drifts; :meth:`StandardizedObjective.rescaled`
measures it again where the descent has got to. In these coordinates a
feature's unit and offset no longer set the conditioning. Without an
intercept nothing can absorb a shift: the columns are then scaled by their
root mean square and not centered.
"""

import copy

import numpy as np

from .._backends.arrays import column_moments, predictions
from .._backends.namespace import host_dtype, to_host
from .._reductions import max_abs, rounded
from .lipschitz import gram_matvec, power_iteration
from .losses import diagonal_curvatures
from .objective import LinearModelObjective

# The relative stopping test measures the gradient against the objective's
# size, down to this fraction of the objective at zero coefficients: an
# objective that falls to zero (a least-squares fit through every point)
# would otherwise never be small enough for it.
_FLOOR = 1e-4
# The change of a scale, or of the mean curvature, that is worth a new metric.
_RESCALE = 2.0


def standardize(objective, theta=None, floor=None):
    """``objective`` in the standardized coordinates of its own ``X`` at the
    original parameters ``theta`` (zeros by default): the columns' means and
    spreads weighted by the samples' curvatures there, from a pass over
    ``X`` (and one for the predictions, away from zero)."""
    return _standardized(objective, *_curvature_weights(objective, theta), floor)


def _scores(objective, theta):
    """The raw predictions at ``theta`` (original coordinates; zeros by
    default), float64 NumPy, one row per sample; one row for all where every
    sample's curvature is the same (every prediction is the intercept), and
    then no array as long as ``X``. ``objective`` may be in other
    coordinates: ``theta`` is read as ``(W, b)`` whatever they are."""
    W, b = objective._split(objective.initial_params() if theta is None else theta)
    if objective.loss.constant_curvature or not W.any():
        return np.array(b, dtype=np.float64).reshape(1, objective.n_outputs)
    return predictions(objective.X, W, b if objective.fit_intercept else None)


def _curvature_weights(objective, theta, loss_factors=None):
    """The samples' weights times their curvatures at ``theta`` (original
    coordinates; zeros by default), and their sum, the mean curvature; from
    the loss's ``curvature_factors`` there (of the :func:`_scores`) where
    they are known."""
    if loss_factors is None:
        loss_factors = objective.loss.curvature_factors(_scores(objective, theta))
    curvatures = diagonal_curvatures(*loss_factors)
    weights = np.asarray(to_host(objective._weights), dtype=np.float64)
    if len(curvatures) < len(weights):
        return weights, float(curvatures[0]) * float(weights.sum())
    weights = weights * curvatures
    curvature = float(weights.sum())
    if not curvature > 0:  # every sample fitted to the last bit: nothing to weigh
        return np.full(len(weights), 1 / len(weights)), objective.loss.curvature
    return weights, curvature


def _standardized(objective, weights, curvature, floor):
    """:func:`standardize` from the curvature weights."""
    total = weights.sum()
    mean, spread = column_moments(objective.X, weights if total == 1 else weights / total,
                                  center=objective.fit_intercept,
                                  n_threads=objective.n_threads,
                                  compiled=objective._compiled)
    # A column constant up to rounding has no spread to measure: the sums
    # behind a mean of n equal values leave a spread of a few roundings of it.
    rounding = 1e3 * np.finfo(host_dtype(objective.X)).eps * np.abs(mean)
    spread = np.where(spread > rounding, spread, 0.0)
    scale = np.sqrt(spread**2 + objective.penalty.l2 / curvature)
    scale = np.where(scale > 0, scale, 1.0)
    if floor is None:
        floor = _FLOOR * objective.value(objective.initial_params())
    # Any means and scales make an exact change of coordinates. Rounded (the
    # scales to 8 bits, the means to a 256th of their column's spread), fits
    # that differ only in the order of the sums behind them (dense and
    # sparse, weights and repeated rows, NumPy and dask) descend the same.
    # The trace of [X_c, 1]'s Gram matrix weighted by the curvatures: each
    # column's weighted variance over its scale squared, at most one each.
    trace = float(np.sum((spread / scale) ** 2)) + int(objective.fit_intercept)
    return StandardizedObjective(objective, _rounded_means(mean, spread), rounded(scale),
                                 rounded(floor), rounded(curvature), trace)


def _close(a, b):
    """Whether two curvatures are within a factor of :data:`_RESCALE`."""
    return 1 / _RESCALE < a / b < _RESCALE


def _rounded_means(mean, spread):
    """``mean`` to a multiple of a power of two at most ``spread / 256``: the
    centering stays within 0.4% of a standard deviation however large the
    offset (dates as ordinals), and a constant column keeps its mean as is,
    centered exactly."""
    out = np.array(mean, dtype=np.float64)
    spread_columns = spread > 0
    grid = np.ldexp(1.0, np.frexp(spread[spread_columns])[1] - 9)
    out[spread_columns] = np.round(out[spread_columns] / grid) * grid
    return out


class StandardizedObjective(LinearModelObjective):
    """A :class:`LinearModelObjective` seen in the coordinates :math:`\\theta'`.

    Every method of the problem protocol takes and gives :math:`\\theta'`;
    :meth:`split` gives the original ``(W, b)``, and :meth:`to_original` and
    :meth:`from_original` map parameters (and paths of them) between the two.
    Its stopping test is relative (:meth:`stationarity`).
    """

    measure = "max |relative scaled gradient|"
    relative_test = True
    # Its scales are measured column by column: a direction across columns
    # keeps whatever curvature it has (LeastCurvature, in the descent).
    whole_metric = False
    # Asked again at a point that passes the stopping test (the descent's
    # loop): a new measure of the scales costs two passes, and skewed
    # columns move them between the fixed asks (3000 x 170 binary fits with
    # lognormal and collinear columns stopped 3e-4 to 6e-3 above their
    # optimum, seven of eight without a warning).
    remeasure_at_stop = True
    # The outputs whose coefficients one change of coordinates maps together.
    _mapped_outputs = 1

    def __init__(self, objective, mean, scale, floor, curvature, trace):
        vars(self).update(vars(objective))
        dtype = host_dtype(objective.X)
        # In X's dtype, so that float32 parameters stay float32.
        self.mean, self.scale = mean.astype(dtype), scale.astype(dtype)
        self._inverse = (1 / self.scale)[:, None]
        # The same with the intercept's row (1 and 0): a mapping of a whole
        # theta is then an operation or two, as it runs at every evaluation.
        intercept = np.ones((int(self.fit_intercept), 1), dtype)
        self._inverse_all = np.concatenate([self._inverse, intercept])
        self._mean_all = np.concatenate([self.mean[:, None], 0 * intercept])
        self._floor, self.curvature, self._trace = float(floor), float(curvature), trace

    def rescaled(self, theta, grad, nit=0):
        """``(objective, theta, grad)`` in the coordinates of the curvatures at
        ``theta`` (``grad``, the gradient at ``theta``, by the chain rule;
        ``nit``, the descent's iterations so far, is not read here), or
        None where they are close to these: a new metric costs
        the descent the memory of its steps. Close is every scale within a
        factor of :data:`_RESCALE` (from a pass for the predictions and one
        for the moments), and the mean curvature too. Where only the mean
        curvature has moved, the coordinates stay and ``theta`` itself comes
        back, with an objective whose stopping test measures at the new
        curvature: the same values and gradients, so the descent keeps the
        memory of its steps. The scales are measured even where the mean
        curvature has not moved: columns of skewed values (incomes, counts)
        move their curvature-weighted spreads tenfold while the mean stays
        (a 2000 x 16 softmax fit with eight lognormal columns stopped 2% above
        its optimum after 762 iterations; measured, it took 33)."""
        measured = self._measured_curvature(theta)
        if measured is None:
            return None
        original, _, weights, curvature = measured
        new = _standardized(self._plain(), weights, curvature, self._floor)
        ratios = new.scale / self.scale
        if np.all((ratios < _RESCALE) & (ratios > 1 / _RESCALE)):
            if _close(curvature, self.curvature):
                return None
            remeasured = copy.copy(self)
            remeasured.curvature = new.curvature
            return remeasured, theta
        return (new, new.from_original(original),
                new._to_new_gradient(self._to_original_gradient(grad)))

    def _measured_curvature(self, theta):
        """``(original, loss_factors, weights, curvature)`` at ``theta``: the
        point in the original coordinates, the loss's ``curvature_factors``
        at the raw predictions there, and the curvature weights and their
        sum, the mean curvature (one pass, for the predictions); None where
        the loss's curvature is constant, and the start's coordinates hold
        everywhere."""
        return None if self.loss.constant_curvature else self._curvature_at(theta)

    def _curvature_at(self, theta):
        """:meth:`_measured_curvature`, whatever the loss."""
        original = self.to_original(theta)
        loss_factors = self.loss.curvature_factors(_scores(self, original))
        weights, curvature = _curvature_weights(self, original, loss_factors)
        return original, loss_factors, weights, curvature

    def _plain(self):
        """This objective in the original coordinates."""
        plain = copy.copy(self)
        plain.__class__ = LinearModelObjective
        return plain

    def to_original(self, theta):
        """``theta`` (or a path of them, leading axes first) in ``(W, b)``'s
        coordinates."""
        p = self.X.shape[1]
        out = theta * self._inverse_all
        if self.fit_intercept:
            out[..., p, :] -= np.einsum("j,...jk->...k", self.mean, out[..., :p, :])
        return out

    def from_original(self, theta):
        """The inverse of :meth:`to_original` (a warm start's coefficients)."""
        p = self.X.shape[1]
        out = theta.copy()
        if self.fit_intercept:
            # einsum as in to_original: a BLAS product's sums could follow
            # the thread count, and this runs at every change of coordinates.
            out[p] += np.einsum("j,jk->k", self.mean, theta[:p])
        out[:p] = theta[:p] * self.scale[:, None]
        return out

    def split(self, theta):
        return super().split(self.to_original(theta))

    def value_and_grad(self, theta):
        value, grad = super().value_and_grad(self.to_original(theta))
        return value, self._to_new_gradient(grad)

    def _to_new_gradient(self, grad):
        if not self.fit_intercept:
            return grad * self._inverse_all
        out = grad - self._mean_all * grad[-1]
        out *= self._inverse_all
        return out

    def _to_original_gradient(self, grad):
        """The inverse of :meth:`_to_new_gradient`: the gradient in ``(W, b)``."""
        out = grad / self._inverse_all
        if self.fit_intercept:
            out += self._mean_all * grad[-1]
        return out

    def compiled_epoch(self, *args):
        """None: the compiled epochs step the original coordinates."""

    def mean_loss(self, theta):
        return super().mean_loss(self.to_original(theta))

    def nonsmooth_value(self, theta):
        return super().nonsmooth_value(self.to_original(theta))

    def prox(self, theta, eta):
        """The weighted soft-threshold, :math:`\\eta \\alpha \\rho / s_j` per row."""
        if not self.nonsmooth:
            return theta
        out, p = theta.copy(), self.X.shape[1]
        out[:p] = self.penalty.prox(theta[:p], eta, weights=self._inverse)
        return out

    def stationarity(self, theta, grad, value, flatness=1.0):
        r"""The least subgradient in these coordinates, relative to the objective:
        :math:`g' / \sqrt{\bar d \max(J, \epsilon J_0)}`, :math:`\bar d` the
        mean curvature last measured (at the start, then by :meth:`rescaled`)
        and :math:`\epsilon J_0` a small fraction (:data:`_FLOOR`) of the
        objective at zero coefficients.

        Where the curvature along every coordinate is about :math:`\bar d`
        (what the scales aim at), :math:`g'^2_j / (2 \bar d)` is the drop a
        Newton step along coordinate :math:`j` would bring; ``tol`` on this
        measure asks the largest such drop to be at most a fraction
        :math:`\mathrm{tol}^2 / 2` of the objective, whatever the units of
        ``X`` and ``y``.

        ``flatness`` :math:`r \ge 1` reads the drops at :math:`\bar d / r`, a
        curvature the descent has met
        (:class:`~sklearn_gd._optim.stopping.LeastCurvature`): the measure
        times :math:`\sqrt{r}`, but never a largest drop above :math:`J`
        itself, since the objective is never negative (an unpenalized fit of
        separable classes, whose infimum is 0, stops once :math:`J` is
        :math:`\mathrm{tol}^2 / 2` of the measure's scale).
        """
        out, p = grad, self.X.shape[1]
        if self.nonsmooth:
            out = grad.copy()
            out[:p] = self.penalty.min_norm_subgradient(theta[:p], grad[:p],
                                                        weights=self._inverse)
        scale = max(abs(value), self._floor)
        size = self.curvature * scale
        # A Python float: a float32 gradient stays float32.
        out = out * size**-0.5 if size > 0 else out
        top = max_abs(out) if flatness > 1 else 0.0
        if top > 0 and scale > 0:
            # Read at d-bar / flatness, but no largest drop above J itself.
            out = out * min(flatness, 2 * abs(value) / (scale * top**2)) ** 0.5
        return out

    def lipschitz(self, rtol=1e-4):
        r""":math:`c\, \lambda_{\max}([X_c, 1]^\top \mathrm{diag}(w) [X_c, 1])
        + \alpha (1 - \rho) / \min_j s_j^2`, the data part by power
        iteration through the original pass."""
        # One output's coefficients: the change of coordinates is the same
        # for every output (the whitened one maps them all at once).
        shape = (self.params_shape[0], self._mapped_outputs)

        def matvec(v):
            theta = self.to_original(v.reshape(shape))
            u = np.stack([gram_matvec(self.X, self._weights, self.fit_intercept, column,
                                      self.n_threads, self._compiled)
                          for column in theta.T], axis=1)
            return self._to_new_gradient(u).ravel()

        gram = power_iteration(matvec, shape[0] * shape[1], host_dtype(self.X), rtol=rtol)
        return self.loss.curvature * gram + self._penalty_curvature()

    def rough_lipschitz(self):
        r"""A Lipschitz constant of the gradient from no pass over ``X``:
        :math:`c\, \mathrm{tr}([X_c, 1]^\top \mathrm{diag}(v) [X_c, 1])`, at
        most :math:`c` times the number of coefficients per output, plus the
        penalty's curvature (the trace bounds the largest eigenvalue; ``v``
        are the curvature weights the coordinates were measured with, the
        sample weights at the zero start, where Barzilai-Borwein's first step,
        the only user of this bound, is sized)."""
        return self.loss.curvature * self._trace + self._penalty_curvature()

    def _penalty_curvature(self):
        return self.penalty.l2 / float(np.min(self.scale)) ** 2 if self.scale.size else 0.0
