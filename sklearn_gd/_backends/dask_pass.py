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

The estimators' dask input and output (validation without gathering, lazy
predictions, chunks streamed to ``partial_fit``) live in
:mod:`sklearn_gd._estimators.inputs` and :mod:`sklearn_gd._estimators.outputs`.
"""

import numpy as np

from .host import host_pass, unpack_pass


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
    value, grad_W, grad_b = host_pass(X, Y, weights, loss, W, b, fused=fused)
    parts = [[value], grad_W.ravel()] + ([] if grad_b is None else [grad_b])
    return np.concatenate(parts).astype(np.float64)[None, :]
