r"""Where the data lives, and what crosses between it and the descent loop.

``X`` is one of three kinds of array:

- **host**: a NumPy array or a scipy.sparse matrix, the passes of
  :mod:`sklearn_gd._backends.passes`;
- **namespace**: an array of another array API namespace (PyTorch, CuPy,
  array-api-strict), on whatever device it is, under scikit-learn's
  ``array_api_dispatch``;
- **dask**: a ``dask.array`` chunked by rows (:mod:`sklearn_gd._backends.dask_pass`).

Everything with a row per sample (``X``, the targets, the sample weights) stays
where ``X`` is, and so does all the work that reads it: the pass of every
iteration. The parameters :math:`\theta`, ``n_features`` numbers a column, live
on the host with the loop. The loop needs the objective on the host every
iteration (to test for convergence and divergence and to record the curve), so
an iteration synchronizes with the device once anyway; the pass sends ``W``
there and brings the value and the gradient back in that one transfer. A
dozen updates of :math:`\theta` on the device would cost a dozen kernel
launches an iteration, each longer than the same update on the host.
"""

import numpy as np
import scipy.sparse as sp

from .._sklearn_compat import (
    _convert_to_numpy,
    array_api_compat,
    get_namespace_and_device,
    move_to,
)


def is_host(X):
    """Whether ``X`` is NumPy or scipy.sparse (the host passes read it)."""
    return isinstance(X, np.ndarray) or sp.issparse(X)


def is_dask(X):
    """Whether ``X`` is a dask array, without importing dask."""
    return type(X).__module__.split(".")[0] == "dask"


def is_namespace(X):
    """Whether ``X`` is an array of another array API namespace (neither host
    nor dask): its results belong on its device."""
    return not (is_host(X) or is_dask(X))


def namespace_of(X):
    """``(xp, device)`` of a namespace array, whatever the dispatch setting."""
    return array_api_compat.array_namespace(X), array_api_compat.device(X)


def host_dtype(X):
    """The NumPy dtype of ``X``'s values (float32 or float64)."""
    if is_host(X) or is_dask(X):
        return X.dtype
    xp, _ = namespace_of(X)
    return np.dtype(np.float32 if X.dtype == xp.float32 else np.float64)


def to_host(array):
    """A NumPy copy of a namespace or dask array; NumPy arrays and numbers as
    they are."""
    if is_dask(array):
        return array.compute()
    if isinstance(array, np.ndarray) or not array_api_compat.is_array_api_obj(array):
        return array
    return _convert_to_numpy(array, array_api_compat.array_namespace(array))


def to_device(array, like):
    """The NumPy ``array`` in the namespace and on the device of ``like``
    (for dask, in ``like``'s row chunks and persisted on the cluster)."""
    if is_host(like):
        return array
    if is_dask(like):
        import dask.array as da

        return da.from_array(array, chunks=(like.chunks[0], *array.shape[1:])).persist()
    xp, device = namespace_of(like)
    return xp.asarray(array, device=device)


def take_rows(X, rows):
    """``X[rows]`` for a slice or NumPy integer indices, in ``X``'s namespace.

    The array API indexes by integer arrays of its own namespace only
    (``take``); NumPy, sparse matrices and slices index directly.
    """
    if is_host(X) or isinstance(rows, slice):
        return X[rows]
    xp, device = namespace_of(X)
    return xp.take(X, xp.asarray(rows, device=device), axis=0)


def xp_sum(array):
    """The sum of a host or namespace array, as a Python float."""
    if is_host(array):
        return float(array.sum())
    xp, _ = namespace_of(array)
    return float(xp.sum(array))


def as_columns(y, dtype):
    """``y`` as a 2-D array of ``dtype`` (1-D ``y`` as one column), where it is."""
    if is_host(y) or is_dask(y):
        return y.reshape(len(y), -1).astype(dtype, copy=False)
    xp, _ = namespace_of(y)
    return xp.astype(xp.reshape(y, (y.shape[0], -1)), dtype, copy=False)


def follow_X(X, *arrays):
    """``arrays`` (``y``, ``sample_weight``) moved to the namespace and device
    of ``X`` under ``array_api_dispatch``: everything follows ``X``, as in
    scikit-learn. Lists, numbers and None pass as they are."""
    xp, is_array_api, device = get_namespace_and_device(X)
    if not is_array_api:
        return arrays
    if move_to is None:
        raise ImportError("Array API input to sklearn-gd needs scikit-learn >= 1.9.")
    return tuple(move_to(a, xp=xp, device=device)
                 if array_api_compat.is_array_api_obj(a) else a for a in arrays)


def on_device(function, like):
    """``function`` called with its argument moved where ``like`` is (a
    callable that is not one, such as ``jac=True``, is returned as it is)."""
    if not callable(function):
        return function
    return lambda x: function(to_device(x, like))


def dispatched_namespace(X):
    """``(xp, device)`` of ``X`` if it is to stay where it is under scikit-learn's
    ``array_api_dispatch``; None for NumPy and sparse input, or without the
    dispatch (then ``X`` is converted to NumPy as usual)."""
    if isinstance(X, np.ndarray) or not array_api_compat.is_array_api_obj(X):
        return None
    xp, is_array_api, device = get_namespace_and_device(X)
    if not is_array_api or array_api_compat.is_numpy_namespace(xp):
        return None
    return xp, device
