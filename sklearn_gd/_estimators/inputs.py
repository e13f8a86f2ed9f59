"""What the estimators accept, validated where it lives: NumPy and
scipy.sparse on the host, arrays of an array API namespace on their device,
and dask arrays on their cluster (validated without gathering them).

Every fork of the estimators on the kind of their input is here, once: ``fit``
and ``partial_fit`` go through :func:`validate_fit` and :func:`check_weights`,
the prediction methods through :func:`validate_predict`, and a dask
``partial_fit`` through :func:`stream_dask_chunks`.
"""

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from .._backends.namespace import follow_X, is_dask
from .._sklearn_compat import (
    _check_sample_weight,
    check_same_namespace,
    get_namespace_and_device,
)
from .scale import check_scale, scaled_to_one


def validate_fit(estimator, X, y, sample_weight=None, *, reset, regression=False,
                 **options):
    """``(X, y, sample_weight)`` validated for a fit, where ``X`` lives.

    ``options`` go to ``validate_data`` (``multi_output``, ``y_numeric``).
    With ``regression``, the weights are checked (:func:`check_weights`) and
    the targets' scale too; a classifier checks its weights once it has its
    labels, and gets ``sample_weight`` back as given (None for dask ``X``,
    whose weights are checked with ``X`` in one pass over the cluster).
    """
    if is_dask(X):
        return check_dask_fit(estimator, X, y, sample_weight, reset=reset)
    y, sample_weight = follow_X(X, y, sample_weight)
    # X's finiteness is checked with its scale, from one pass (check_scale).
    X, y = validate_data(estimator, X, y, reset=reset, **options, **validation(X),
                         ensure_all_finite=False)
    if regression:
        sample_weight = check_weights(X, sample_weight)
    check_scale(X, y if regression else None, estimator_name=type(estimator).__name__)
    return X, y, sample_weight


def check_weights(X, sample_weight):
    """Non-negative sample weights where ``X`` lives, in its dtype (ones for
    None), divided by their largest if their sum could overflow."""
    if sample_weight is None and isinstance(X, np.ndarray):
        # scikit-learn's ones, without its checks of nothing (a small fit's 1%).
        return np.ones(X.shape[0], dtype=X.dtype)
    (sample_weight,) = follow_X(X, sample_weight)
    return scaled_to_one(_check_sample_weight(
        sample_weight, X, dtype=X.dtype, ensure_non_negative=True
    ))


def check_labels(y):
    """scikit-learn's ``check_classification_targets`` on validated labels
    ``y``, which passes every 1-D NumPy array of integers or booleans (binary
    or multiclass) without a look: its look costs a small fit 3%."""
    if not (isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in "biu"):
        check_classification_targets(y)


def validate_predict(estimator, X, method):
    """``X`` checked for the fitted ``estimator``'s public ``method``, where it
    lives (which must be where ``fit``'s data did)."""
    if is_dask(X):
        return check_dask_X(estimator, X, reset=False)
    if check_same_namespace is not None:
        check_same_namespace(X, estimator, attribute="coef_", method=method)
    return validate_data(estimator, X, reset=False, **validation(X))


def stream_dask_chunks(partial_fit, X, y, sample_weight=None, **params):
    """``partial_fit`` on each row chunk of a dask ``X`` in turn, gathered one
    at a time (so at most one chunk is in the driver's memory); False, and
    nothing done, for other ``X``."""
    if not is_dask(X):
        return False
    _stream_blocks(partial_fit, X, y, sample_weight, **params)
    return True


def validation(X):
    """``validate_data``'s options for ``X``: sparse stays sparse, float32
    stays float32, and an array API array stays in its namespace.

    Raises a ValueError for sparse ``X`` under array API dispatch, where
    scikit-learn has no sparse arrays: sparse input is fitted without it.
    """
    if sp.issparse(X) and get_config()["array_api_dispatch"]:
        raise ValueError(
            "Sparse input cannot be used under array_api_dispatch=True: the array "
            "API has no sparse arrays. Fit sparse X with the dispatch off (it stays "
            "sparse there), or pass a dense array of your array library."
        )
    xp, _, _ = get_namespace_and_device(X)
    return {"accept_sparse": ["csr", "csc"], "dtype": [xp.float64, xp.float32]}


def check_dask_fit(estimator, X, y, sample_weight, *, reset):
    """Validate dask ``X`` (and ``y``, ``sample_weight``) without gathering it.

    Returns ``X``, ``y`` and the sample weights as dask arrays in ``X``'s row
    chunks, persisted on the cluster. One pass over the data checks that it
    is finite and the weights non-negative.
    """
    import dask
    import dask.array as da

    _check_options(estimator)
    X = check_dask_X(estimator, X, reset=reset)
    rows = X.chunks[0]
    y = da.asarray(y)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but y has {y.shape[0]}.")
    y = y.rechunk({0: rows, **({1: -1} if y.ndim == 2 else {})})
    sample_weight = _dask_weights(sample_weight, X)
    X, y, sample_weight = dask.persist(X, y, sample_weight)
    finite_X, finite_y, smallest = dask.compute(
        da.isfinite(X).all(),
        da.isfinite(y).all() if y.dtype.kind in "fc" else True,
        sample_weight.min(),
    )
    for name, finite in (("X", finite_X), ("y", finite_y)):
        if not finite:
            raise ValueError(f"Input {name} contains NaN or infinity.")
    if not smallest >= 0:
        raise ValueError("Negative values in data passed to sample_weight.")
    return X, y, sample_weight


def check_dask_X(estimator, X, *, reset):
    """A 2-D float dask ``X`` chunked by rows only, with known chunk sizes;
    sets or checks ``n_features_in_`` as ``validate_data`` does."""
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D dask array X, got {X.ndim} dimensions.")
    if any(np.isnan(size) for sizes in X.chunks for size in sizes):
        raise ValueError(
            "X has chunks of unknown size; call X.compute_chunk_sizes() first."
        )
    if len(X.chunks[1]) != 1:
        raise ValueError(
            f"X is chunked along its features (chunks {X.chunks[1]} over "
            f"{X.shape[1]} columns). sklearn-gd splits the work by rows: "
            "rechunk with X.rechunk({1: -1})."
        )
    if X.dtype not in (np.float32, np.float64):
        if X.dtype.kind not in "biu" and X.dtype.kind != "f":
            raise ValueError(f"X must hold numbers, got dtype {X.dtype}.")
        X = X.astype(np.float64)
    n_features = X.shape[1]
    if reset:
        estimator.n_features_in_ = n_features
        vars(estimator).pop("feature_names_in_", None)
    elif n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {n_features} features, but {type(estimator).__name__} is "
            f"expecting {estimator.n_features_in_} features as input."
        )
    return X


def _dask_weights(sample_weight, X):
    import dask.array as da

    if sample_weight is None or isinstance(sample_weight, Real):
        value = 1.0 if sample_weight is None else float(sample_weight)
        return da.full(X.shape[0], value, dtype=X.dtype, chunks=(X.chunks[0],))
    sample_weight = da.asarray(sample_weight).astype(X.dtype)
    if sample_weight.shape != (X.shape[0],):
        raise ValueError(
            f"sample_weight.shape == {sample_weight.shape}, expected ({X.shape[0]},)!"
        )
    return sample_weight.rechunk((X.chunks[0],))


def _check_options(estimator):
    """Refuse what a dask fit does not do, naming the way around it."""
    if estimator.batch_size is not None:
        raise ValueError(
            "Mini-batches (batch_size) are not drawn from dask arrays: fit dask X "
            "with full batches (batch_size=None), or stream its chunks through "
            "partial_fit."
        )
    if estimator.early_stopping:
        raise ValueError(
            "early_stopping=True is not available for dask arrays; hold out a "
            "validation set yourself and fit with early_stopping=False."
        )


def _stream_blocks(partial_fit, X, y, sample_weight=None, **params):
    """``partial_fit`` on each row chunk of dask ``X`` in turn, gathered one
    at a time (so at most one chunk is in the driver's memory)."""
    import dask.array as da

    X = X.rechunk({1: -1})
    rows = X.chunks[0]
    y = da.asarray(y).rechunk({0: rows})
    weights = None if sample_weight is None else da.asarray(sample_weight).rechunk(rows)
    for i in range(X.numblocks[0]):
        chunk_weights = None if weights is None else weights.blocks[i].compute()
        partial_fit(X.blocks[i].compute(), y.blocks[i].compute(),
                    sample_weight=chunk_weights, **params)
