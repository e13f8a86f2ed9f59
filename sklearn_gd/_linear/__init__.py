"""Linear models as objectives: losses, penalties, the objective of ``theta``,
its Lipschitz bound and the shapes of the parameters.

It knows ``X`` (through the passes of :mod:`sklearn_gd._backends`), never the
optimizer.
"""
