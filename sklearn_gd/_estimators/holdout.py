"""The validation part that early stopping sets aside.

Rows are set aside by their values, not their positions: each row gets a key
in [0, 1) from a hash of its values and the fit's random state
(:func:`~sklearn_gd._backends.arrays.row_keys`), and identical rows share
their key, so they always fall in the same part. Within each class (the
classifier's split is stratified), rows are taken in the order of their keys,
a group of identical rows at a time, until the groups taken hold
``validation_fraction`` of the class's sample weight. A row of weight 2 then
falls exactly where its two repeats do, and a row of weight 0 is never set
aside: weighting and repeating rows fit the same model, with early stopping
too.
"""

import numpy as np

from .._backends.arrays import row_keys
from .._backends.namespace import to_host


def validation_rows(X, Y, sample_weight, fraction, random_state, strata=None):
    """``(train, validation)``: the indices of the two parts.

    ``strata`` (the classifier's labels, or None) are split each on its own;
    a class whose rows are all alike (one group) is trained on only. Raises a
    ValueError when either part would be empty.
    """
    seed = int(random_state.randint(np.iinfo(np.int32).max)) << 31
    seed |= int(random_state.randint(np.iinfo(np.int32).max))
    keys = row_keys(X, Y, seed)
    weights = np.asarray(to_host(sample_weight), dtype=np.float64)
    validation = np.zeros(len(keys), dtype=bool)
    for stratum in ([None] if strata is None else np.unique(strata)):
        rows = np.flatnonzero(weights > 0 if stratum is None
                              else (weights > 0) & (strata == stratum))
        validation[rows[_taken(keys[rows], weights[rows], fraction)]] = True
    train = np.flatnonzero(~validation)
    if not validation.any() or not np.any(weights[train] > 0):
        raise ValueError(
            "early_stopping=True needs samples of positive weight in both the "
            f"training and the validation part, but the {len(keys)} samples "
            f"(validation_fraction={fraction}) cannot be split so. Fit with "
            "early_stopping=False or on more data."
        )
    return train, np.flatnonzero(validation)


def _taken(keys, weights, fraction):
    """Which of these rows (of one class) go to validation: whole groups of
    equal keys, smallest keys first, while the weight before them is under
    ``fraction`` of the total; at least one group, never all of them."""
    groups, inverse = np.unique(keys, return_inverse=True)
    if len(groups) < 2:
        return np.zeros(len(keys), dtype=bool)
    group_weight = np.bincount(inverse, weights=weights)
    before = np.cumsum(group_weight) - group_weight
    taken = before < fraction * group_weight.sum()
    taken[-1] = False
    return taken[inverse]
