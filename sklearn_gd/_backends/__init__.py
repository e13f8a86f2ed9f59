"""Where the data lives and how it is read: the gradient passes and their
compiled kernels, array namespaces, dask, thread pools.

The only code of the package that asks whether ``X`` is sparse, a dask array
or of another array namespace, and how many threads a pass may use.
"""
