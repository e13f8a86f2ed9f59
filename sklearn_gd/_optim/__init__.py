"""The descent core: update rules, step sizes, the loops, stopping and the result.

It knows gradients and nothing else: no data, no estimator, no backend. It
imports nothing else of the package (the import contracts in
``pyproject.toml`` hold it to that).
"""
