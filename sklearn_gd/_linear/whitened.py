r"""Whitened coordinates: the standardized ones, decorrelated, for problems
with few coefficients and a smooth penalty.

Standardizing evens the Hessian's diagonal; what is left of its conditioning
is in the correlations between the columns and, with several classes, between
the classes' coefficients, which no diagonal scaling touches. Where the
coefficients are few, the Hessian itself costs less than a few passes, and
the descent can run in coordinates where it is about :math:`\bar d\, I`.

In the standardized coordinates :math:`\Theta` of
:mod:`sklearn_gd._linear.standardized` (rows :math:`\tilde x_i = [(x_i -
\mu)/s, 1]`), each sample's loss has the second derivative
:math:`A_i = \mathrm{diag}(D_i) - F_i F_i^\top` in its raw predictions (the
loss's ``curvature_factors``), and with the sample weights :math:`w`
(summing to one), the mean curvature :math:`\bar d` and, on the rows of
:math:`W`, the penalty's :math:`\alpha (1 - \rho) / s_j^2`,

.. math::

    C = \frac{1}{\bar d} \Big( \sum_i w_i A_i \otimes \tilde x_i \tilde x_i^\top
        + P \Big) + \frac{1}{K} (I \otimes \mathbf{1}\mathbf{1}^\top),

on :math:`\mathrm{vec}(\Theta)` (rows first, :math:`K` outputs). The last term
is there for the log loss of :math:`K > 1` classes only: adding the same
vector to every class's coefficients changes no probability, so the loss is
flat along those directions, and the term gives them the curvature of the
others; the gradient of the loss has no part along them and :math:`C^{-1}`
keeps it so, so the descent takes the same steps. With the diagonal
:math:`E` of :math:`C` and the Cholesky factor :math:`E^{-1/2} C E^{-1/2} =
L L^\top`,

.. math:: \mathrm{vec}(\Theta) = M\, \mathrm{vec}(\Theta'), \qquad
          M = E^{-1/2} L^{-\top},

so that :math:`M^\top C M = I`: the Hessian of :math:`J` in :math:`\Theta'`
is about :math:`\bar d\, I` where the curvatures are those :math:`C` was
measured at, and the gradient follows the chain rule, :math:`\nabla_{\Theta'}
J = M^\top \nabla_\Theta J`. The penalty stays the documented one in
:math:`W` (its gradient comes through the same rule), so only a smooth
penalty is whitened: an L1 prox has no closed form in these coordinates. For
least squares the Hessian is the same everywhere, and the first step is
Newton's. For the log loss the curvatures drift as the classes separate, and
:meth:`WhitenedObjective.rescaled` measures them again.

:math:`C` costs :math:`n P (p + 1)(p + 2) / 2` multiply-adds for :math:`P`
pairs of outputs (:math:`K (K + 1) / 2` for the softmax, :math:`K` else) and
:math:`N = (p + 1) K` coefficients, and the coordinates :math:`N^2` at each
evaluation: whitened are problems of at most :data:`MAX_COEFFICIENTS`
coefficients, whose :math:`C` then costs at most :math:`(N + 1) / 4` passes
(:math:`2 n N` multiply-adds each; counted as :math:`n N^2` up to 64
coefficients; about 128 at 512): from the start where it takes at most :data:`HESSIAN_BUDGET`
multiply-adds on at most :data:`START_COEFFICIENTS` coefficients, else once
the descent has run as many iterations as a measure costs passes
(:class:`DeferredWhitening`). The others are standardized only. Past 64
coefficients a measure costs tens of passes, so the coordinates are whitened
only where Gershgorin's discs of the standardized :math:`C` (diagonal one)
reach a radius of :data:`_WORTH_WHITENING`, as correlated columns do, and
only where :math:`C` factors as it is, within a condition number of
:data:`_CONDITION`; where whitening was put off, the descent's measures
after long steps come at least as many iterations apart as a measure costs
passes (:attr:`WhitenedObjective.rescale_spacing`), so that they cost about
as much as its passes at most. Their factors are taken in blocks of 64
(:mod:`sklearn_gd._linear.cholesky`), so that their bits, as every other
sum's, follow the data alone.
"""

import copy
from functools import cache

import numpy as np

from .._backends.arrays import curvature_hessian, gram_source
from .._backends.namespace import host_dtype, to_host
from .._reductions import matvec, rounded
from .cholesky import BLOCK, cholesky, triangular_inverse
from .standardized import (
    _RESCALE,
    StandardizedObjective,
    _curvature_weights,
    _scores,
    _standardized,
    standardize,
)

# Coefficients at most. The factors are taken in blocks of cholesky.BLOCK,
# each by LAPACK's unthreaded path, and every product with them in blocks
# within one BLAS thread (_reductions), so their bits follow the data alone;
# and a product with the map (N^2 multiply-adds) costs less than a pass
# (2 n N) wherever n > N / 2. A synthetic forest-cover problem (5000 rows,
# one-hot groups beside skewed distances, 7 classes: 385 coefficients),
# standardized only, stopped 2.6e-3 above its optimum after 547 iterations,
# saying it had converged; whitened from iteration 80, it converges in 209
# to 7e-7. A measure then costs at most (N + 1) / 4 passes (the forest-cover
# problem's 56, the Gram matrices of 28 pairs of classes of 55 columns), and
# a fit pays for it only after as many iterations: 2000 rows of 500 integer
# columns around 480, fifteen of them combinations of five others (shaped like
# the Madelon data, 125 passes a measure), ran to max_iter standardized and
# warned; whitened from iteration 125, it converges in 163 to 166.
MAX_COEFFICIENTS = 512
# Whitened from the start: at most this many coefficients, and a measure of
# at most this many multiply-adds (about 10 ms). Where a measure costs more
# than the whole standardized fit, whitening can only slow it (5000 x 200,
# binary, independent columns: 18 iterations and 14 ms standardized, 7 and
# 37 ms whitened from the start; 1e5 x 100 equicorrelated: 17 and 0.19 s,
# 3 and 0.12 s).
START_COEFFICIENTS = 160
HESSIAN_BUDGET = 1 << 24
# C, its diagonal made one, is rounded to multiples of this: fits that differ
# only in the order of the sums behind C (weights against repeated rows, dense
# against sparse) then descend in the same coordinates, as with the rounded
# scales of the standardized ones.
_GRID = 2.0**-30
# The largest condition number of C, as its factor's diagonal tells it,
# taken as it is: the grid's rounding then moves the whitened Hessian's
# eigenvalues by about 1% at most (its errors, of either sign, add up to
# about sqrt(N) 2^-31, 1e-8 for 512 coefficients, against a least
# eigenvalue of at least 1e-6, the unit diagonal bounding the largest below).
_CONDITION = 1e6
# A step this many times Newton's (1 / d-bar) asks for a new measure: the
# curvature along it has fallen as much since the last one. Fits of iris,
# wine and breast cancer, raw and standardized, take the same iterations
# and measures from 4 to 6; at 8 raw wine takes half as many again.
_STEP_RATIO = 4.0
# Past a block of coefficients (cholesky.BLOCK), where a measure costs tens
# of passes, the radius of Gershgorin's discs of the standardized C (its
# diagonal one) from which whitening pays: where the eigenvalues may spread
# over (-1, 3). Correlated columns put it at 5 to 12 (2310 x 18 x 7 with 8
# independent columns and 10 of their combinations with 1% noise: 12
# iterations whitened, 69 standardized); independent ones at 0.9 to 1.5
# (2000 x 18 x 7, 1500 x 30 x 4), where whitening halved the iterations but
# took 20-30% more time.
_WORTH_WHITENING = 2.0
# Otherwise added to C's unit diagonal, in turn until it factors: the first
# bounds its condition number by about as much, and a direction of smaller
# curvature is whitened only up to it. Up to a block of coefficients only.
_JITTERS = (1e-5, 1e-3, 1e-1)


def precondition(objective, theta=None, floor=None, whiten=True):
    """``objective`` in the coordinates the descent runs in: whitened
    (:class:`WhitenedObjective`) where ``whiten`` and :func:`whitens` say so,
    else standardized (:func:`~sklearn_gd._linear.standardized.standardize`),
    measured at the original parameters ``theta`` (zeros by default)."""
    if not whiten:
        return standardize(objective, theta, floor)
    # The loss's second derivatives, once: the mean curvature and C both read them.
    loss_factors = objective.loss.curvature_factors(_scores(objective, theta))
    return _preconditioned(objective, loss_factors,
                           *_curvature_weights(objective, theta, loss_factors), floor)


def whitens(objective):
    """Whether :func:`precondition` whitens ``objective``, at the start or
    later (:func:`whitens_at_start`): a smooth penalty and 2 to
    :data:`MAX_COEFFICIENTS` coefficients."""
    q, K = objective.params_shape
    return not objective.nonsmooth and 2 <= q * K <= MAX_COEFFICIENTS


def whitens_at_start(objective):
    """Whether a problem that :func:`whitens` is whitened from the start: at
    most :data:`START_COEFFICIENTS` coefficients, and a measure within
    :data:`HESSIAN_BUDGET` multiply-adds (about 10 ms). The others start
    standardized and are whitened at the first new measure after as many
    iterations as a measure costs passes (:class:`DeferredWhitening`): a fit
    that converges sooner never pays for one."""
    q, K = objective.params_shape
    return q * K <= START_COEFFICIENTS and _measure_cost(objective) <= HESSIAN_BUDGET


def measure_passes(objective):
    """What a measure of :math:`C` costs, in passes over ``X`` (:math:`2 n N`
    multiply-adds each; :func:`_measure_cost`)."""
    q, K = objective.params_shape
    return _measure_cost(objective) / (2 * objective.X.shape[0] * q * K)


def _measure_cost(objective):
    """The multiply-adds of a measure of :math:`C`: past a block of
    coefficients, the triangles of the Gram matrices, one for each pair of
    classes (the softmax couples every class with every other) or each
    output's own; up to a block, counted as :math:`n N^2`, where the columns
    are often near-whitened already and the first measure is all whitening
    buys."""
    n, (q, K) = objective.X.shape[0], objective.params_shape
    if q * K <= BLOCK:
        return n * (q * K) ** 2
    pairs = K * (K + 1) // 2 if objective.loss.labels and K > 1 else K
    return n * pairs * q * (q + 1) // 2


def _preconditioned(objective, loss_factors, weights, curvature, floor):
    """:func:`precondition` from the loss's ``curvature_factors`` and the
    curvature weights there."""
    standardized = _standardized(objective, weights, curvature, floor)
    if not whitens(objective):
        return standardized
    if not whitens_at_start(objective):
        return DeferredWhitening(standardized, measure_passes(objective))
    return _whitened(standardized, loss_factors)


def _whitened(standardized, loss_factors):
    """``standardized`` whitened, from the loss's ``curvature_factors`` at
    its point; itself where :func:`_factors` declines."""
    # Every measure of the fit weighs the same standardized rows.
    grams = gram_source(standardized.X, standardized.mean, standardized.scale,
                        standardized.fit_intercept, compiled=standardized._compiled)
    factors = _factors(standardized, loss_factors, grams, standardized.curvature)
    return (standardized if factors is None
            else WhitenedObjective(standardized, *factors, grams))


def _factors(standardized, loss_factors, grams, curvature):
    """``(E^{1/2}, L)`` of the module docstring; None where the standardized
    coordinates are whitened already (every eigenvalue of
    :math:`E^{-1/2} C E^{-1/2}` within a factor of :data:`_RESCALE` of one,
    the test by which a new measure keeps its coordinates, as Gershgorin's
    discs tell it; past 64 coefficients, their radius below
    :data:`_WORTH_WHITENING`), or if no jitter makes ``L`` finite. ``grams`` gives
    the weighted Gram matrices of the standardized rows (:func:`gram_source`);
    ``curvature`` is :math:`\\bar d`."""
    # (Array methods and in-place operations throughout: on a small problem
    # numpy's function wrappers and temporaries cost more than the sums.)
    C = _curvature_matrix(standardized, loss_factors, grams, curvature)
    diagonal = rounded(C.diagonal())
    # A column without spread, and without a penalty to give it one, has no
    # curvature to even out: its coordinates stay as they are.
    top = diagonal.max()
    any_flat = not diagonal.min() > 1e-12 * top
    if any_flat:
        flat = ~(diagonal > 1e-12 * top)
        diagonal[flat] = 1.0
    root = np.sqrt(diagonal)
    # Divided by root root^T and by _GRID (a power of two) at once: the same
    # bits as one after the other.
    C /= np.multiply.outer(root, root * _GRID)
    np.round(C, out=C)
    C *= _GRID
    if any_flat:
        C[flat, :], C[:, flat] = 0.0, 0.0
        C[flat, flat] = 1.0
    off_diagonal = np.abs(C).sum(axis=1).max() - 1  # the unit diagonal aside
    if off_diagonal < (min(1 - 1 / _RESCALE, _RESCALE - 1) if len(C) <= BLOCK
                       else _WORTH_WHITENING):
        return None
    # Past a block, a C that needs a jitter to factor leaves the coordinates
    # standardized (to be whitened again later, where they were deferred):
    # whitened only up to the jitter, a direction of less curvature is read
    # at d-bar by the stopping test, which then passes further from the
    # optimum than it says, and past a block a measure to correct it costs
    # tens of passes.
    for jitter in (0.0, *(_JITTERS if len(C) <= BLOCK else ())):
        # LAPACK's factor, called as it is (cholesky): numpy's wrapper costs
        # a small measure more than the factor does.
        factor, info = cholesky(C + jitter * np.eye(len(C)) if jitter else C)
        if info != 0:  # not positive definite in floating point
            continue
        pivots = factor.diagonal()
        if np.isfinite(factor).all() and (
                jitter or pivots.max() ** 2 <= _CONDITION * pivots.min() ** 2):
            return root, factor
    return None


def _curvature_matrix(standardized, loss_factors, grams, curvature):
    """:math:`C` of the module docstring, from the loss's
    ``curvature_factors`` ``(D, F)`` at the raw predictions and the mean
    curvature :math:`\\bar d`."""
    objective, K = standardized, standardized.n_outputs
    D, F = loss_factors
    weights = np.asarray(to_host(objective._weights), dtype=np.float64)
    C = curvature_hessian(grams, weights, D, F)
    p = objective.X.shape[1]
    # The penalty's Hessian, on the diagonal's entries of the rows of W.
    if objective.penalty.l2:
        diagonal = C.reshape(-1)[:p * K * (len(C) + 1):len(C) + 1].reshape(p, K)
        diagonal += (objective.penalty.l2 / objective.scale.astype(np.float64) ** 2)[:, None]
    C /= curvature
    if F is not None and K > 1:  # the classes' common directions (module docstring)
        C.reshape(-1)[_common_directions(len(C) // K, K)] += 1 / K
    return C


@cache
def _common_directions(q, K):
    r"""The flat positions, in :math:`C` (``(q K, q K)``), of the entries
    that pair two classes' coefficients of one column: those of
    :math:`I \otimes \mathbf{1}\mathbf{1}^\top`."""
    a, k, m = np.meshgrid(np.arange(q), np.arange(K), np.arange(K), indexing="ij")
    index = ((a * K + k) * q * K + a * K + m).ravel()
    index.flags.writeable = False
    return index


class WhitenedObjective(StandardizedObjective):
    """A :class:`StandardizedObjective` whose coefficients are also
    decorrelated: :math:`\\mathrm{vec}(\\Theta) = M \\mathrm{vec}(\\Theta')`
    (module docstring).

    Every method of the problem protocol takes and gives :math:`\\Theta'`;
    :meth:`to_original` and :meth:`from_original` map to and from ``(W, b)``.
    The stopping test is the standardized one, along directions in each of
    which the curvature is about :math:`\\bar d`.
    """

    # The descent's new measures (:mod:`sklearn_gd._optim.descent`): after
    # any step longer than :attr:`rescale_beyond`, and at 20, 40, 80, ...
    # whatever the steps. A metric fitted this closely is soon left behind,
    # and the steps say when: Barzilai-Borwein's step is the inverse of the
    # curvature the last step met, which here was d-bar along every direction
    # where the metric was measured.
    rescale_after = 20
    # A measure here costs a Gram matrix (tens of passes past 64
    # coefficients), and the long steps already ask for one as the metric
    # drifts: none more where the test passes (2310 x 18 x 7: 7 ms to 13).
    remeasure_at_stop = False
    # Measured along every direction: the flat ones the descent met before
    # are in these coordinates (LeastCurvature, in the descent).
    whole_metric = True

    @property
    def rescale_beyond(self):
        """The step after which the metric is measured again: the curvature
        along the last step had fallen to a :data:`_STEP_RATIO`-th of
        :math:`\\bar d`."""
        return _STEP_RATIO / self.curvature

    @property
    def rescale_spacing(self):
        """The fewest iterations between two measures after long steps: where
        a measure is too costly to take at the start (:func:`whitens_at_start`),
        as many as it costs passes (:func:`measure_passes`), so that the
        measures cost about as much as the descent's passes at most (the
        forest-cover problem, whitened from the start: 59 measures and 5.5 s
        in 162 iterations, against 4 and 0.3 s in 145); else none but the
        descent's own (a measure takes a few milliseconds)."""
        return 0 if whitens_at_start(self) else measure_passes(self)

    @property
    def newton_step(self):
        """Newton's step where the metric was measured, :math:`1 / \\bar d`:
        the descent starts no longer after a new measure. Its last step was
        fitted to the old metric; once longer than this, it overshoots in the
        new one, and its line search pays a pass to halve it (over the 27
        fits of ``benchmarks/generated_fits.py``, 10% fewer iterations)."""
        return 1 / self.curvature

    def __init__(self, standardized, root, factor, grams):
        vars(self).update(vars(standardized))
        self._grams = grams  # for the new measures, in the same standardized coordinates
        dtype = host_dtype(self.X)
        # LAPACK's triangular inverse, called as it is (triangular_inverse):
        # scipy's triangular solve costs a millisecond a call, numpy's
        # general inverse 60 us.
        inverse, info = triangular_inverse(factor)
        M = (inverse if info == 0 else np.linalg.inv(factor)).T / root[:, None]
        # In X's dtype, as the scales: float32 parameters stay float32.
        self._map = M.astype(dtype)  # a copy: M is free to change below
        self._unmap = (factor.T * root).astype(dtype)
        # The standardized coordinates' map folded in (W = W'/s, b = b' -
        # mean . W): the whole linear map to the original coordinates, one
        # product an evaluation.
        p, K = self.X.shape[1], self.n_outputs
        linear = M.reshape(-1, K, len(M))
        linear[:p] /= np.asarray(self.scale, dtype=np.float64)[:, None, None]
        if self.fit_intercept:
            mean = np.asarray(self.mean, dtype=np.float64)
            linear[p] -= (mean @ linear[:p].reshape(p, -1)).reshape(linear[p].shape)
        self._linear = linear.reshape(M.shape).astype(dtype, copy=False)
        self._linear_t = np.ascontiguousarray(self._linear.T)
        self._penalty_norm = None  # measured when a step size asks for it

    def to_original(self, theta):
        flat = theta.reshape(theta.shape[:-2] + (-1,))
        out = matvec(self._linear, flat) if flat.ndim == 1 else np.einsum(
            "ij,...j->...i", self._linear, flat)
        return out.reshape(theta.shape)

    def from_original(self, theta):
        standardized = super().from_original(theta)
        return matvec(self._unmap, standardized.ravel()).reshape(theta.shape)

    def _to_new_gradient(self, grad):
        return matvec(self._linear_t, grad.ravel()).reshape(grad.shape)

    @property
    def _mapped_outputs(self):
        return self.n_outputs

    def rescaled(self, theta, grad, nit=0):
        """As :meth:`StandardizedObjective.rescaled`: the whole metric
        measured again at ``theta``, in new coordinates (the same
        standardized ones beneath: :math:`C` absorbs any change of the
        columns' scales), or the standardized ones alone where they are
        whitened already. Measured whether or not the mean curvature has
        moved: on skewed columns :math:`C` moves while it holds (a 2000 x 16
        softmax fit with eight lognormal columns: 762 iterations, stopped 2%
        above its optimum, against 33)."""
        measured = self._measured_curvature(theta)
        if measured is None:
            return None
        _, loss_factors, _, curvature = measured
        curvature = rounded(curvature)
        factors = _factors(self, loss_factors, self._grams, curvature)
        if factors is None:
            new = copy.copy(self)
            new.__class__ = StandardizedObjective
            if not whitens_at_start(self):
                new = _declined(new, nit)
        else:
            new = WhitenedObjective(self, *factors, self._grams)
        new.curvature = curvature
        # The point and the gradient in the standardized coordinates beneath,
        # which stay, then in the new ones (the gradient by the chain rule):
        # no pass, where one costs a small measure a fifth, and no round trip
        # through the original coordinates, whose offsets cost digits.
        theta_new = matvec(self._map, theta.ravel())
        grad_new = matvec(self._unmap.T, grad.ravel())
        if isinstance(new, WhitenedObjective):
            theta_new, grad_new = matvec(new._unmap, theta_new), matvec(new._map.T, grad_new)
        return new, theta_new.reshape(theta.shape), grad_new.reshape(grad.shape)

    def rough_lipschitz(self):
        r""":math:`\bar d`, from no pass over ``X``: the curvature along every
        direction where :math:`C` was measured (penalty included), so that
        Barzilai-Borwein's first step (the only user of this bound) is
        Newton's there; its line search halves it where the descent meets
        more curvature on the way."""
        return self.curvature

    def _penalty_curvature(self):
        r"""A bound on :math:`\lambda_{\max}(M^\top P M)`, :math:`P` the
        penalty's Hessian in the standardized coordinates: the least of its
        trace and :math:`\bar d` (:math:`P \preceq \bar d\, C` and
        :math:`M^\top C M \preceq I`)."""
        if not self.penalty.l2:
            return 0.0
        if self._penalty_norm is None:
            self._penalty_norm = rounded(_penalty_trace(self))
        return min(self.penalty.l2 * self._penalty_norm, self.curvature)


class DeferredWhitening(StandardizedObjective):
    """A :class:`StandardizedObjective` to be whitened once the descent has
    run ``after`` iterations (:func:`whitens_at_start`): at the first new
    measure from then on (the scheduled ones, or the one at a point that
    passes the stopping test), the metric is measured whole at the point, and
    the test is taken again in the whitened coordinates, which read the
    gradient against the curvature along every direction. Where
    :func:`_factors` declines, the coordinates stay standardized and the next
    try waits twice as long.

    A forest-cover-like problem (5000 rows; one-hot groups of 4 and 40
    columns, which add up to the intercept, beside skewed distances; 7
    classes: 385 coefficients), standardized only, stopped 2.6e-3 above its
    optimum after 547 iterations, saying it had converged; whitened from
    iteration 80 (a measure costs 56 passes), it converges in 209 to 7e-7.
    Whitened from the start, it took 145, but a fit that converges in a
    few dozen iterations (5000 x 200, binary, independent columns: 18)
    took 2.6 times as long.
    """

    def __init__(self, standardized, after):
        vars(self).update(vars(standardized))
        self.whiten_after = after

    def rescaled(self, theta, grad, nit=0):
        """As :meth:`StandardizedObjective.rescaled` before ``whiten_after``
        iterations (``nit`` the descent's count), whitened from then on."""
        if nit < self.whiten_after:
            return _deferred(super().rescaled(theta, grad, nit), self.whiten_after)
        # Measured even where the loss's curvature is constant: least
        # squares is whitened too, and then done in one step.
        original, loss_factors, weights, curvature = self._curvature_at(theta)
        new = _whitened(_standardized(self._plain(), weights, curvature, self._floor),
                        loss_factors)
        if not isinstance(new, WhitenedObjective):
            new = _declined(new, nit)
        return (new, new.from_original(original),
                new._to_new_gradient(self._to_original_gradient(grad)))


def _declined(standardized, nit):
    """``standardized`` where whitening was declined at iteration ``nit``
    (the coordinates already whitened, or a factor only with a jitter):
    tried again at twice the iterations."""
    return DeferredWhitening(standardized, 2 * max(nit, 1))


def _deferred(answer, after):
    """A standardized ``rescaled`` answer, its new objective still to be whitened."""
    if answer is None:
        return None
    new = DeferredWhitening(answer[0], after)
    return (new, *answer[1:])


def _penalty_trace(objective):
    """:math:`\\mathrm{tr}(M^\\top S M)`, :math:`S` the diagonal of
    :math:`1/s_j^2` on the rows of ``W`` and zero on the intercept's."""
    p = objective.X.shape[1]
    rows = np.zeros(objective.params_shape)
    rows[:p] = 1 / objective.scale.astype(np.float64)[:, None]
    Q = objective._map.astype(np.float64) * rows.reshape(-1, 1)
    return float(np.einsum("ij,ij->", Q, Q))
