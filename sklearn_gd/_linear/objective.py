r"""The objective of a penalized linear model, in the shape the core descends.

.. math::

    J(W, b) = \frac{1}{\sum_i s_i} \sum_i s_i\, \ell(y_i, x_i W + b)
              + \frac{\alpha (1 - \rho)}{2} \|W\|_F^2 + \alpha \rho \|W\|_1

The parameters are one array ``theta`` of shape ``(n_features [+ 1],
n_outputs)``: ``W`` on top, the intercept ``b`` as the last row when
``fit_intercept``. The intercept is not penalized.

The loop reads the objective through the problem protocol of
:mod:`sklearn_gd._optim.problem`: the value of :math:`J` with the gradient of its
smooth part, the proximal step of the non-smooth part, the stationarity
measure and a Lipschitz constant.
"""

import copy

import numpy as np

from .._backends.arrays import max_row_norm
from .._backends.host import epoch_kind, epoch_runner, worth_compiling
from .._backends.namespace import host_dtype, is_host, take_rows, xp_sum
from .._backends.passes import loss_pass
from .lipschitz import gram_spectral_norm
from .penalties import ElasticNet


class LinearModelObjective:
    """Loss plus elastic-net penalty of a linear model, for the descent loop.

    Parameters
    ----------
    X : {ndarray, sparse matrix, array API array, dask array} of shape \
            (n_samples, n_features)
        Whatever the kind of ``X`` (:mod:`sklearn_gd._backends.namespace`), ``Y`` and
        ``sample_weight`` are of the same and the parameters NumPy arrays.
    Y : array of shape (n_samples, n_targets)
        Targets as the loss reads them.
    sample_weight : array of shape (n_samples,)
        Non-negative, with a positive sum.
    loss : object
        A loss from :mod:`sklearn_gd._linear.losses`.
    alpha : float >= 0
    l1_ratio : float in [0, 1], default=0.0
        The penalty's strength and its L1 share (:mod:`sklearn_gd._linear.penalties`).
    fit_intercept : bool
    n_outputs : int
        Columns of ``W``.

    Attributes
    ----------
    n_threads : int
        Threads a gradient pass may use (1 unless the caller sets more;
        :mod:`sklearn_gd._backends.threads` chooses it for a fit).
    fused : bool
        Whether passes may use the compiled fused kernel (True; the tests
        set False to compare with the numpy passes).
    """

    n_threads = 1
    fused = True
    # Whether the stopping test is relative to the objective's size
    # (:mod:`sklearn_gd._linear.standardized`), so that no scale of the data
    # alone can meet it at the start.
    relative_test = False

    def __init__(self, X, Y, sample_weight, loss, *, alpha, l1_ratio=0.0, fit_intercept,
                 n_outputs):
        self.X, self.Y, self.loss = X, Y, loss
        self.penalty, self.fit_intercept = ElasticNet(alpha, l1_ratio), fit_intercept
        self.nonsmooth = self.penalty.nonsmooth  # asked at every step
        self.n_outputs = n_outputs
        # The whole problem's size, which its batches and parts keep: it alone
        # decides whether the passes are compiled (worth_compiling).
        self._size = int(np.prod(X.shape)) * n_outputs
        self.sample_weight = sample_weight  # as given: early stopping splits by it
        # Dividing by the sum of the weights keeps the objective a weighted
        # mean: weight 2 is the same as a repeated row.
        self._weights = sample_weight / xp_sum(sample_weight)

    @property
    def _compiled(self):
        """Whether the passes may take the compiled kernels: allowed
        (``fused``) and worth it for the whole problem's size."""
        return self.fused and worth_compiling(self._size)

    @property
    def n_samples(self):
        return self.X.shape[0]

    @property
    def params_shape(self):
        """``(q, K)``: the rows of the parameters (the columns of ``X``, and
        the intercept's where fitted) and the outputs."""
        return self.X.shape[1] + int(self.fit_intercept), self.n_outputs

    def initial_params(self):
        return np.zeros(self.params_shape, dtype=host_dtype(self.X))

    def split(self, theta):
        """``(W, b)`` of the parameters ``theta``; ``b`` is zeros when there is
        no intercept."""
        return self._split(theta)

    def _split(self, theta):
        """``(W, b)``, the rows of ``theta`` as they are (the methods below
        take ``theta`` in the coordinates of ``(W, b)``)."""
        p = self.X.shape[1]
        b = theta[p] if self.fit_intercept else np.zeros_like(theta[0])
        return theta[:p], b

    def batch(self, rows):
        """The objective on the samples ``rows`` only, as an unbiased estimate.

        Each weight is scaled by ``n_samples / len(rows)``, so that the
        batch's loss and gradient average, over batches drawn uniformly, to
        the full ones; the penalty is kept whole.
        """
        part = self._rows(rows)
        part._weights = take_rows(self._weights, rows) * (self.n_samples / part.n_samples)
        return part

    def subset(self, rows):
        """The same model's objective on the samples ``rows`` alone (weights
        renormalized), such as a training or a validation part."""
        part = self._rows(rows)
        weights = take_rows(self._weights, rows)
        if not xp_sum(weights) > 0:
            raise ValueError(
                f"The {part.n_samples} samples set aside have a total sample weight "
                "of zero; give them positive weights or fit on other data."
            )
        part._weights = weights / xp_sum(weights)
        return part

    def _rows(self, rows):
        part = copy.copy(self)
        part.X, part.Y = take_rows(self.X, rows), take_rows(self.Y, rows)
        part.sample_weight = take_rows(self.sample_weight, rows)
        return part

    def compiled_epoch(self, theta, order, batch_size, rule, rule_state, schedule,
                       average):
        """One mini-batch epoch of ``rule`` from ``theta`` in one compiled call
        (:mod:`sklearn_gd._backends.epoch`), or None where there is none (the
        loop then runs its own).

        Plain descent (``rule.kernel == "gd"``) is stepped by the kernel
        itself, with or without an L1 part; another rule by its own pure
        function (``rule.direction``), on a smooth objective, and a rule that
        extrapolates by the kernel's proximal step and its
        ``rule.extrapolation``. ``order`` is
        the samples' order, ``schedule`` the step size's ``(eta0, power, k)``
        and ``average`` None or ``(start, state)``. Returns ``(theta, sum of
        |B| f_B, samples met, batches stepped, averaging state, rule state)``,
        the arrays in ``theta``'s shape and dtype.
        """
        run = epoch_runner(self.X, self.Y, self.loss) if self.fused else None
        if run is None:
            return None
        if rule.kernel == "gd":
            spec = None
        elif rule.direction is not None and not self.nonsmooth:
            spec = (rule.direction, None, rule.to_tuple(rule_state), rule.params())
        elif rule.extrapolation is not None:
            spec = (None, rule.extrapolation, rule.to_tuple(rule_state), rule.params())
        else:
            return None
        order = np.arange(self.n_samples) if order is None else order
        stepped, total, met, done, averaged, kept = run(
            self.X, self.Y[:, 0], self._weights, order, batch_size, epoch_kind(self.loss),
            theta, self.fit_intercept, self.penalty.l2, self.penalty.l1, schedule, average,
            rule=spec)
        if averaged is not None and averaged["mean"] is not None:
            averaged["mean"] = np.ascontiguousarray(averaged["mean"], dtype=theta.dtype)
        if spec is not None:
            rule_state = rule.from_tuple(tuple(
                v.astype(theta.dtype) if isinstance(v, np.ndarray) else v for v in kept))
        return (np.ascontiguousarray(stepped, dtype=theta.dtype), total, met, done, averaged,
                rule_state)

    def mean_loss(self, theta):
        """The weighted mean loss, without the penalty (a validation loss)."""
        W, b = self._split(theta)
        return loss_pass(self.X, self.Y, self._weights, self.loss, W,
                         b if self.fit_intercept else None, fused=self._compiled)[0]

    def value_and_grad(self, theta):
        """:math:`J(\\theta)` and the gradient of its smooth part.

        The data term comes from one gradient pass over ``X``
        (:func:`~sklearn_gd._backends.passes.loss_pass`, which picks the fastest).
        """
        W, b = self._split(theta)
        value, grad_W, grad_b = loss_pass(
            self.X, self.Y, self._weights, self.loss, W,
            b if self.fit_intercept else None, n_threads=self.n_threads,
            fused=self._compiled,
        )
        penalty, penalty_grad = self.penalty.smooth_value_and_grad(W)
        grad = np.empty_like(theta)
        np.add(grad_W, penalty_grad, out=grad[: W.shape[0]])
        if self.fit_intercept:
            grad[-1] = grad_b
        return value + penalty + self.penalty.nonsmooth_value(W), grad

    def value(self, theta):
        """:math:`J(\\theta)` alone. With the coefficients all zero, as at the
        start of a fit, every prediction is the intercept: the losses need
        ``Y`` and no pass over ``X`` (host data; elsewhere, and at other
        points, the pass of :meth:`value_and_grad`)."""
        W, b = self.split(theta)
        if W.any() or not is_host(self.X):
            return self.value_and_grad(theta)[0]
        Y, weights = self.Y, self._weights
        if self.loss.labels:  # each class's weight, then one loss per class
            weights = np.bincount(Y[:, 0].astype(np.intp),
                                  weights=weights).astype(weights.dtype)
            Y = np.arange(len(weights), dtype=Y.dtype)[:, None]
        Z = np.broadcast_to(b.astype(self._weights.dtype), (len(Y), self.n_outputs))
        losses, _ = self.loss.loss_gradient(Y, Z)
        return float(weights @ losses)

    def nonsmooth_value(self, theta):
        return self.penalty.nonsmooth_value(self._split(theta)[0])

    def prox(self, theta, eta):
        """The proximal step of the L1 part on ``W``; the intercept is free."""
        if not self.nonsmooth:
            return theta
        out = theta.copy()
        p = self.X.shape[1]
        out[:p] = self.penalty.prox(theta[:p], eta)
        return out

    def stationarity(self, theta, grad, value):
        """The subgradient of least size: the gradient itself without L1
        (``value``, the objective at ``theta``, is not needed here)."""
        if not self.nonsmooth:
            return grad
        out = grad.copy()
        p = self.X.shape[1]
        out[:p] = self.penalty.min_norm_subgradient(theta[:p], grad[:p])
        return out

    def lipschitz(self, rtol=1e-4):
        r"""A Lipschitz constant of the gradient of the smooth part.

        .. math::

            L = c\, \lambda_{\max}([X, 1]^\top \mathrm{diag}(w) [X, 1])
                + \alpha (1 - \rho).

        ``c`` bounds the loss's second derivative in the raw prediction and
        ``w`` are the normalized sample weights. Only the smooth part counts.
        The power iteration stops once its estimate moves by less than
        ``rtol`` (relative); a first step that adapts afterwards (``"bb"``)
        asks for less than a constant step does.
        """
        gram = gram_spectral_norm(self.X, self._weights, self.fit_intercept,
                                  n_threads=self.n_threads, rtol=rtol,
                                  fused=self._compiled)
        return self.loss.curvature * gram + self._penalty_curvature()

    def batch_lipschitz(self, batch_size):
        r"""The expected smoothness of batches of ``batch_size`` samples.

        Gower et al. (2019), sampling without replacement:

        .. math::

            \mathcal{L}(b) = \frac{n (b - 1)}{b (n - 1)} L
                + \frac{n - b}{b (n - 1)} L_{\max},

        where :math:`L_{\max} = c \max_i n w_i \|[x_i, 1]\|^2 + \alpha (1 - \rho)`
        bounds every single sample's gradient. It is :math:`L_{\max}` for one sample and
        :math:`L` for the whole data; its inverse is a step for which
        stochastic gradient descent does not diverge.
        """
        n, b = self.n_samples, min(batch_size, self.n_samples)
        if n == 1 or b == n:
            return self.lipschitz()
        single = self.loss.curvature * max_row_norm(
            self.X, self._weights * n, self.fit_intercept
        ) + self._penalty_curvature()
        # At b = 1 the whole data's L has no weight: no power iteration for it.
        # Otherwise a percent will do (the estimate is from below, so the step
        # is at most a percent longer than 1/L(b), far inside the 2/L(b) that
        # stochastic descent tolerates, and the epochs' schedule adapts it),
        # where 1e-4 took a hundred passes over X on data whose top
        # eigenvalues are close.
        full = 0.0 if b == 1 else self.lipschitz(rtol=1e-2)
        return (n * (b - 1) * full + (n - b) * single) / (b * (n - 1))

    def _penalty_curvature(self):
        return self.penalty.l2

    def to_original(self, theta):
        """``theta`` in the coordinates of ``(W, b)``: itself here (see
        :mod:`sklearn_gd._linear.standardized` for another)."""
        return theta

    def from_original(self, theta):
        """The inverse of :meth:`to_original`."""
        return theta
