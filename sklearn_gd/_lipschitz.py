"""The largest eigenvalue of a weighted Gram matrix, by power iteration."""

import numpy as np


def gram_spectral_norm(X, weights, fit_intercept, *, max_iter=100, rtol=1e-4):
    r"""Estimate :math:`\lambda_{\max}(A^\top \mathrm{diag}(w) A)`, ``A = [X, 1]``.

    ``A`` is ``X`` with a column of ones when ``fit_intercept``; it is never
    formed, so sparse ``X`` stays sparse. ``weights`` should sum to one, which
    makes this the curvature of a weighted mean. The iteration starts from a
    fixed random vector, so the estimate is deterministic.

    Power iteration approaches :math:`\lambda_{\max}` from below and stops
    within about a percent of it. That is safe for the step ``1/L`` it feeds:
    plain descent converges for any constant step below ``2/L``, and the
    momentum solvers (Nesterov's up to about ``1.6/L``) also tolerate the
    margin.
    """
    n_params = X.shape[1] + int(fit_intercept)
    v = np.random.default_rng(0).standard_normal(n_params).astype(X.dtype)
    v /= np.linalg.norm(v)
    estimate = 0.0
    for _ in range(max_iter):
        u = _gram_matvec(X, weights, fit_intercept, v)
        previous, estimate = estimate, float(np.linalg.norm(u))
        if estimate == 0.0:
            return 0.0
        v = u / estimate
        if abs(estimate - previous) <= rtol * estimate:
            break
    return estimate


def _gram_matvec(X, weights, fit_intercept, v):
    p = X.shape[1]
    Av = X @ v[:p]
    if fit_intercept:
        Av = Av + v[p]
    r = weights * Av
    out = np.empty_like(v)
    out[:p] = X.T @ r
    if fit_intercept:
        out[p] = r.sum()
    return out


def max_row_norm(X, scale, fit_intercept):
    r""":math:`\max_i s_i \|[x_i, 1]\|^2`, without densifying a sparse ``X``."""
    if hasattr(X, "multiply"):
        squared = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    else:
        squared = np.einsum("ij,ij->i", X, X)
    return float(np.max(scale * (squared + int(fit_intercept))))
