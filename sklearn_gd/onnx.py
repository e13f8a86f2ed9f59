r"""ONNX export of the fitted estimators, through skl2onnx.

Importing this module registers a shape calculator and a converter for
:class:`~sklearn_gd.GDLinearRegressor` and
:class:`~sklearn_gd.GDLogisticRegressor` with skl2onnx's
``update_registered_converter``. After that, ``skl2onnx.to_onnx`` converts
them, alone or inside a pipeline, as it converts scikit-learn's own linear
models. It needs skl2onnx (the ``onnx`` extra:
``pip install "sklearn-gd[onnx]"``), and is the only module of the package
that imports it: ``import sklearn_gd`` never does.

Notes
-----
Both converters write the model with standard ONNX operators (``MatMul``,
``Add``, ``Softmax``, ``ArgMax``, ``Gather``), in the precision of the input
(float or double; integer and boolean features are cast to float, as
skl2onnx's linear converters do).

- The regressor's output ``variable`` is ``X @ coef_.T + intercept_``, of
  shape ``(N, 1)`` for one target and ``(N, n_targets)`` for several, as for
  :class:`~sklearn.linear_model.LinearRegression`.
- The classifier's outputs are ``label`` (from ``classes_``: integers, or
  strings) and ``probabilities``, the softmax of one score per class. A
  binary model's one score :math:`z` becomes the pair :math:`(0, z)`, whose
  softmax is :math:`(1 - \sigma(z), \sigma(z))`, exactly
  ``predict_proba``; the label is the class of the larger score, so
  ``classes_[1]`` when :math:`z > 0`, as ``predict``. With several classes
  the probabilities are the softmax of the scores (multinomial, not
  one-vs-rest).

The classifier honours skl2onnx's usual options: ``zipmap`` (by default the
probabilities come out as a list of dictionaries, one per row; pass
``options={"zipmap": False}`` for a tensor, which double input needs, as
for LogisticRegression), ``nocl``, ``output_class_labels`` and
``raw_scores`` (the scores instead of the probabilities: :math:`(-z, z)`
for a binary model, as skl2onnx gives for
:class:`~sklearn.linear_model.LogisticRegression`).

Examples
--------
Convert a fitted model ``model`` for float32 input::

    import skl2onnx
    import sklearn_gd.onnx  # noqa: F401 (registers the converters)

    onx = skl2onnx.to_onnx(model, X[:1].astype("float32"))
"""

import numpy as np

try:
    from skl2onnx import update_registered_converter
except ImportError as exc:  # the extra is optional: say how to get it
    raise ImportError(
        'sklearn_gd.onnx needs skl2onnx: pip install "sklearn-gd[onnx]"'
    ) from exc
from skl2onnx.algebra.onnx_ops import (
    OnnxAdd,
    OnnxArgMax,
    OnnxCast,
    OnnxGather,
    OnnxIdentity,
    OnnxMatMul,
    OnnxSoftmax,
)
from skl2onnx.common.data_types import guess_numpy_type
from skl2onnx.common.shape_calculator import (
    calculate_linear_classifier_output_shapes,
    calculate_linear_regressor_output_shapes,
)
from skl2onnx.common.utils_classifier import get_label_classes
from skl2onnx.proto import onnx_proto

from ._backends.namespace import to_host
from ._estimators.classifier import GDLogisticRegressor
from ._estimators.regressor import GDLinearRegressor

__all__ = [
    "convert_gd_linear_regressor",
    "convert_gd_logistic_regressor",
]


def _float_input(operator, opv):
    """The operator's input as a floating-point graph node, and its dtype.

    Integer and boolean features are cast to float32: ``MatMul`` needs
    operands of one type, and float32 is what skl2onnx's own linear
    converters (and its shape calculators' output types) use for them.
    """
    X = operator.inputs[0]
    dtype = guess_numpy_type(X.type)
    if dtype in (np.float32, np.float64):
        return X, dtype
    return OnnxCast(X, to=onnx_proto.TensorProto.FLOAT, op_version=opv), np.float32


def _affine(X, coef, intercept, dtype, opv, output_names=None):
    """The node ``X @ coef + intercept``, the weights stored in ``dtype``."""
    product = OnnxMatMul(X, coef.astype(dtype), op_version=opv)
    return OnnxAdd(product, intercept.astype(dtype), op_version=opv,
                   output_names=output_names)


def _host_weights(estimator):
    """``coef_`` and ``intercept_`` as NumPy float64 arrays, ``intercept_`` at
    least 1-D. A fit under array API dispatch keeps them on its device."""
    coef = np.asarray(to_host(estimator.coef_), dtype=np.float64)
    intercept = np.atleast_1d(np.asarray(to_host(estimator.intercept_), dtype=np.float64))
    return coef, intercept


def convert_gd_linear_regressor(scope, operator, container):
    """Write a fitted :class:`~sklearn_gd.GDLinearRegressor` as ONNX nodes.

    The converter registered with skl2onnx for the regressor: it writes
    ``variable = X @ coef_.T + intercept_``, of shape ``(N, 1)`` for one
    target (1-D ``coef_``) and ``(N, n_targets)`` for several, the shapes
    that skl2onnx's ``calculate_linear_regressor_output_shapes`` declares.

    Parameters
    ----------
    scope : skl2onnx.common._topology.Scope
        The names in use in the graph.
    operator : skl2onnx.common._topology.Operator
        The operator to convert; ``operator.raw_operator`` is the estimator.
    container : skl2onnx.common._container.ModelComponentContainer
        The graph being built; the nodes are added to it.
    """
    opv = container.target_opset
    X, dtype = _float_input(operator, opv)
    coef, intercept = _host_weights(operator.raw_operator)
    # One column per target: a 1-D coef_ is the one column of a (N, 1) output.
    weights = coef.reshape(-1, 1) if coef.ndim == 1 else coef.T
    predictions = _affine(X, weights, intercept, dtype, opv,
                          output_names=operator.outputs[:1])
    predictions.add_to(scope, container)


def _class_weights(estimator, raw_scores):
    """Weights ``(W, b)`` of one score column per class, ``X @ W + b``.

    A binary model has one score, that of ``classes_[1]``. Its probabilities
    are the softmax of ``(0, z)``, which is ``(1 - sigmoid(z), sigmoid(z))``
    (a zero column of weights before ``coef_``); the raw scores are
    ``(-z, z)``, as skl2onnx writes them for LogisticRegression. Either pair
    has its larger entry at ``classes_[1]`` exactly when ``z > 0``, the rule
    of ``predict``.
    """
    coef, intercept = _host_weights(estimator)
    W, b = coef.T, intercept
    if W.shape[1] == 1:
        first = (-W, -b) if raw_scores else (np.zeros_like(W), np.zeros_like(b))
        W, b = np.hstack([first[0], W]), np.concatenate([first[1], b])
    return W, b


def _label_constant(classes):
    """The class labels as an array ONNX can hold: int64 numbers (the type
    skl2onnx's shape calculator declares for the label), or strings."""
    if all(isinstance(label, str) for label in classes):
        return np.array([str(label) for label in classes], dtype=object)
    return np.asarray(classes).astype(np.int64)


def convert_gd_logistic_regressor(scope, operator, container):
    """Write a fitted :class:`~sklearn_gd.GDLogisticRegressor` as ONNX nodes.

    The converter registered with skl2onnx for the classifier: it writes
    ``label``, the class of the largest score, and ``probabilities``, the
    softmax of the scores (of ``(0, z)`` for a binary model's one score
    ``z``) or, with the option ``raw_scores``, the scores themselves.
    skl2onnx's parser adds the ZipMap after it unless ``zipmap=False``.

    Parameters
    ----------
    scope : skl2onnx.common._topology.Scope
        The names in use in the graph.
    operator : skl2onnx.common._topology.Operator
        The operator to convert; ``operator.raw_operator`` is the estimator.
    container : skl2onnx.common._container.ModelComponentContainer
        The graph being built; the nodes are added to it.
    """
    opv = container.target_opset
    estimator = operator.raw_operator
    raw_scores = container.get_options(estimator, {"raw_scores": False})["raw_scores"]
    X, dtype = _float_input(operator, opv)
    W, b = _class_weights(estimator, raw_scores)
    scores = _affine(X, W, b, dtype, opv)
    # get_label_classes honours the option nocl (class indices for labels).
    classes = _label_constant(get_label_classes(scope, estimator))
    # ArgMax returns the first of equal maxima: classes_[0] at z == 0, as predict.
    index = OnnxArgMax(scores, axis=1, keepdims=0, op_version=opv)
    label = OnnxGather(classes, index, axis=0, op_version=opv,
                       output_names=operator.outputs[:1])
    probabilities = scores if raw_scores else OnnxSoftmax(scores, axis=1, op_version=opv)
    probabilities = OnnxIdentity(probabilities, op_version=opv,
                                 output_names=operator.outputs[1:2])
    label.add_to(scope, container)
    probabilities.add_to(scope, container)


update_registered_converter(
    GDLinearRegressor,
    "SklearnGDLinearRegressor",
    calculate_linear_regressor_output_shapes,
    convert_gd_linear_regressor,
)
# The options of skl2onnx's own linear classifier converter; declaring
# "zipmap" also makes skl2onnx parse the model as a classifier (label and
# probabilities, then the ZipMap unless zipmap=False).
update_registered_converter(
    GDLogisticRegressor,
    "SklearnGDLogisticRegressor",
    calculate_linear_classifier_output_shapes,
    convert_gd_logistic_regressor,
    options={
        "zipmap": [True, False, "columns"],
        "nocl": [True, False],
        "output_class_labels": [False, True],
        "raw_scores": [True, False],
    },
)
