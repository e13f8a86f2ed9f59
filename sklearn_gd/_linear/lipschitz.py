"""The largest eigenvalue of a weighted Gram matrix, by power iteration."""

import numpy as np

from .._backends.namespace import host_dtype
from .._backends.passes import loss_pass
from .._reductions import norm
from .losses import HalfSquaredError


def gram_spectral_norm(X, weights, fit_intercept, *, n_threads=1, max_iter=100,
                       rtol=1e-4, fused=True):
    r"""Estimate :math:`\lambda_{\max}(A^\top \mathrm{diag}(w) A)`, ``A = [X, 1]``.

    ``A`` is ``X`` with a column of ones when ``fit_intercept``; it is never
    formed, so sparse ``X`` stays sparse; each iteration is one gradient pass
    over ``X`` (on ``n_threads`` threads; the compiled one if ``fused``
    allows). ``weights`` should sum to one, which
    makes this the curvature of a weighted mean. The iteration starts from a
    fixed random vector, so the estimate is deterministic.

    Power iteration approaches :math:`\lambda_{\max}` from below and stops
    within about a percent of it. That is safe for the step ``1/L`` it feeds:
    plain descent converges for any constant step below ``2/L``, and the
    momentum solvers (Nesterov's up to about ``1.6/L``) also tolerate the
    margin.
    """
    n_params = X.shape[1] + int(fit_intercept)
    return power_iteration(
        lambda v: gram_matvec(X, weights, fit_intercept, v, n_threads, fused), n_params,
        host_dtype(X), max_iter=max_iter, rtol=rtol)


def power_iteration(matvec, n_params, dtype, *, max_iter=100, rtol=1e-4):
    """The largest eigenvalue of the symmetric positive semi-definite operator
    ``matvec`` on vectors of ``n_params`` entries, from a fixed random start
    (a deterministic estimate, from below), stopped once it moves by less
    than ``rtol`` (relative)."""
    v = np.random.default_rng(0).standard_normal(n_params).astype(dtype)
    v /= norm(v)
    estimate = 0.0
    for _ in range(max_iter):
        u = matvec(v)
        previous, estimate = estimate, _norm(u)
        if estimate == 0.0:
            return 0.0
        v = u / estimate
        if abs(estimate - previous) <= rtol * estimate:
            break
    return estimate


def _norm(u):
    """``||u||``, finite whenever ``u`` is: ``u`` is about the square of
    ``X``'s row norms, and the norm's own sum of squares would square it
    again."""
    largest = float(np.max(np.abs(u)))
    return 0.0 if largest == 0.0 else largest * norm(u / largest)


def gram_matvec(X, weights, fit_intercept, v, n_threads=1, fused=True):
    r"""``A^T diag(w) A v``: the gradient of :math:`\tfrac12 \sum_i w_i (a_i v)^2`,
    which one gradient pass computes while reading ``X`` once."""
    p = X.shape[1]
    zeros = weights[:, None] * 0  # where X lives, in its dtype
    b = v[p:] if fit_intercept else None
    _, grad_v, grad_b = loss_pass(X, zeros, weights, HalfSquaredError(), v[:p, None], b,
                                  n_threads=n_threads, fused=fused)
    return np.r_[grad_v[:, 0], () if grad_b is None else grad_b].astype(v.dtype, copy=False)
