r"""The gradient pass: the one place where the descent reads ``X``.

For raw predictions :math:`Z = X W + b`, a loss :math:`\ell` and weights
:math:`w_i` summing to one, a pass returns

.. math::

    \sum_i w_i\, \ell(y_i, z_i), \qquad
    X^\top \big(w \odot \partial_Z \ell\big), \qquad
    \textstyle\sum_i w_i\, \partial_{z_i} \ell,

the data term of the objective and its gradient in ``W`` and ``b``. Gradient
descent is bound by memory: every iteration must read ``X``, and the best a
pass can do is to read it once. Which pass runs is chosen here, per call, from
the data alone:

- **host** (NumPy or scipy.sparse ``X``): the fused compiled kernel, the
  blocked or the plain numpy pass (:mod:`sklearn_gd._backends.host`);
- **namespace** (``X`` of another array API library, such as PyTorch on a
  GPU): the plain pass in that namespace, on that device, with one transfer
  of the results to the host (:mod:`sklearn_gd._backends.namespace`);
- **dask** (a dask array chunked by rows): the fused or plain pass on each
  chunk, where it lies, and their sum (:mod:`sklearn_gd._backends.dask_pass`).

All of them compute the same sums (to rounding; the tests hold the host
passes to 1e-12 of each other and the fits on other arrays to 1e-10 and 1e-8
of the NumPy fit).
"""

from .host import host_pass, unpack_pass
from .namespace import is_dask, is_host, namespace_of, to_device, to_host


def loss_pass(X, Y, weights, loss, W, b=None, n_threads=1, fused=True):
    """The data term of the objective and its gradients, by the fastest pass.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_targets)
    weights : ndarray of shape (n_samples,)
        Sample weights that sum to one, in the dtype of ``X``.
    loss : object
        A loss of :mod:`sklearn_gd._linear.losses`.
    W : ndarray of shape (n_features, n_outputs)
    b : ndarray of shape (n_outputs,) or None
        The intercepts; None without.
    n_threads : int, default=1
        Threads the fused pass may split the rows over.
    fused : bool, default=True
        False forbids the compiled pass (the tests compare the two).

    Returns
    -------
    value : float
    grad_W : ndarray of shape (n_features, n_outputs)
    grad_b : ndarray of shape (n_outputs,) or None
    """
    if is_host(X):
        return host_pass(X, Y, weights, loss, W, b, n_threads=n_threads, fused=fused)
    if is_dask(X):
        from .dask_pass import dask_pass

        return dask_pass(X, Y, weights, loss, W, b, fused=fused)
    return _namespace_pass(X, Y, weights, loss, W, b)


def _namespace_pass(X, Y, weights, loss, W, b):
    """The plain pass where ``X`` lives; ``W``, ``b`` and the results on the host.

    The value and both gradients come back as one vector: one transfer, one
    synchronization with the device an iteration.
    """
    xp, device = namespace_of(X)
    Z = X @ to_device(W, X)
    if b is not None:
        Z = Z + to_device(b, X)
    # As the fused pass does, the loss and the sums over samples go in float64
    # (where the device has it): one float32 rounding per sample otherwise
    # decides where a float32 line search stops.
    wide = _wide_dtype(xp, device)

    def widen(array):
        return xp.astype(array, wide, copy=False)

    if xp.isdtype(Y.dtype, "real floating"):  # not the multinomial's labels
        Y = widen(Y)
    losses, dZ = loss.loss_gradient(Y, widen(Z), xp)
    weights = widen(weights)
    dZ = dZ * weights[:, None]
    grad_W = widen(X.T @ xp.astype(dZ, X.dtype, copy=False))
    parts = [xp.reshape(xp.sum(weights * losses), (1,)), xp.reshape(grad_W, (-1,))]
    if b is not None:
        parts.append(xp.sum(dZ, axis=0))
    return unpack_pass(to_host(xp.concat(parts)), W, b)


def _wide_dtype(xp, device):
    """float64 where ``device`` has it (not on Apple's MPS), else float32."""
    dtypes = xp.__array_namespace_info__().dtypes(device=device, kind="real floating")
    return xp.float64 if "float64" in dtypes else xp.float32
