"""The scikit-learn face: the two estimators, their shared base, the
validation of their inputs and the placing of their outputs, callbacks, and
:func:`~sklearn_gd.minimize`, the core's front end for any function.
"""
