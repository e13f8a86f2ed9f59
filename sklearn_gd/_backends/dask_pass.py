r"""Dask arrays: data larger than one machine, fitted where its chunks are.

``fit`` takes a ``dask.array`` ``X`` chunked by rows. Every gradient pass is a
map-reduce on the Dask scheduler (a ``distributed.Client`` when one is
running): each chunk's task runs the host pass of :mod:`sklearn_gd._backends.passes`
(the fused kernel where it applies) on the worker that holds the chunk and
returns ``n_features + 2`` numbers an output; dask sums them in a tree and the
driver receives one small vector an iteration. ``X`` is persisted once, at
the start of ``fit``, so every pass reads the chunks from the workers' memory;
each iteration submits a fresh graph of one task a chunk plus the sum, so
nothing grows from one iteration to the next. The parameters and the loop stay
on the driver, as for every other kind of data (:mod:`sklearn_gd._backends.namespace`).

``predict`` returns a lazy dask array; ``partial_fit`` takes the chunks one
after the other, for data streamed from a source larger than memory.
"""

from numbers import Real

import numpy as np

from .passes import loss_pass, unpack_pass


def dask_pass(X, Y, weights, loss, W, b=None, fused=True):
    """The pass of :func:`~sklearn_gd._backends.passes.loss_pass` over a dask ``X``.

    ``Y`` and ``weights`` are dask arrays chunked as ``X``'s rows. On a
    ``distributed`` cluster the chunks' tasks go straight to the scheduler as
    futures (one task a chunk, where it lies, and one that sums them): a
    dask.array graph for the same costs 2-3 times as long to build, optimize
    and ship each iteration. Without a cluster, dask's own scheduler runs the
    same map-reduce as a dask.array graph.
    """
    params = dict(loss=loss, W=W, b=b, fused=fused)
    client = _client()
    if client is None:
        out = _graph_pass(X, Y, weights, params)
    else:
        parts = client.map(_chunk_pass, *(_chunk_futures(client, a) for a in (X, Y, weights)),
                           **params, pure=False)
        out = client.submit(_add, parts, pure=False).result()
    return unpack_pass(out, W, b)


def _graph_pass(X, Y, weights, params):
    import dask.array as da

    W, b = params["W"], params["b"]
    n_out = 1 + W.size + (0 if b is None else b.size)
    parts = da.map_blocks(
        _chunk_pass, X, Y, weights[:, None], **params, dtype=np.float64,
        chunks=((1,) * X.numblocks[0], (n_out,)),
    )
    return parts.sum(axis=0).compute()


def _client():
    """The running ``distributed`` client, or None (then dask's own scheduler)."""
    try:
        from distributed import get_client
    except ImportError:
        return None
    try:
        return get_client()
    except ValueError:
        return None


# The futures of the chunks of the arrays a fit reads, by dask name: built once
# a fit, not once an iteration. A few fits' worth are kept.
_CHUNKS = {}


def _chunk_futures(client, array):
    key = (id(client), array.name)
    if key not in _CHUNKS:
        if len(_CHUNKS) >= 8:
            _CHUNKS.pop(next(iter(_CHUNKS)))
        blocks = array.to_delayed().ravel().tolist()
        _CHUNKS[key] = client.compute(blocks)
    return _CHUNKS[key]


def _add(parts):
    return np.sum(parts, axis=0)[0]


def _chunk_pass(X, Y, weights, *, loss, W, b, fused):
    """One chunk's value and gradients as a row: what the tree sums."""
    # A column of weights in the dask.array graph (blocks align by their axes).
    weights = weights.reshape(-1)
    value, grad_W, grad_b = loss_pass(X, Y, weights, loss, W, b, fused=fused)
    parts = [[value], grad_W.ravel()] + ([] if grad_b is None else [grad_b])
    return np.concatenate(parts).astype(np.float64)[None, :]


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


def dask_decision(estimator, X, coef, intercept):
    """``X @ coef.T + intercept`` as a lazy dask array, ``X`` checked."""
    X = check_dask_X(estimator, X, reset=False)
    coef = np.asarray(coef)
    return X @ (coef if coef.ndim == 1 else coef.T) + intercept


def dask_labels(indices, classes):
    """``classes[indices]`` for a dask array of indices, lazily."""
    return indices.map_blocks(_take, classes=classes, dtype=classes.dtype)


def _take(indices, classes):
    return classes[indices]


def stream_blocks(partial_fit, X, y, sample_weight=None, **params):
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
