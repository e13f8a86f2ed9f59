"""ONNX export (sklearn_gd.onnx): the converted models, run by onnxruntime,
predict what the estimators predict.

Each fitted model is converted with ``skl2onnx.to_onnx`` and run on the data
as float32 (the usual export) or float64; labels must equal ``predict``
exactly, and the regressor's outputs and the classifier's probabilities must
equal ``predict`` and ``predict_proba`` (on the float64 data) to 1e-5.
Binary models are where a converter borrowed from skl2onnx goes wrong (it
gives sigmoid(2z)), so they are tested with integer and with string labels.
"""

import subprocess
import sys
from functools import cache

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

skl2onnx = pytest.importorskip("skl2onnx")
onnxruntime = pytest.importorskip("onnxruntime")

from sklearn.datasets import load_iris, load_linnerud
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from standardized_data import standardized

import sklearn_gd.onnx  # noqa: F401 (registers the converters)
from sklearn_gd import GDLinearRegressor, GDLogisticRegressor

# The classifiers: binary with integer and with string labels, multinomial.
CLASSIFIERS = ["binary", "binary_strings", "multinomial"]


@cache
def regressor(case):
    """A fitted regressor and its data: diabetes (one target) or linnerud
    (three targets, standardized features)."""
    if case == "single":
        X, y = standardized("diabetes")
    else:
        X, y = load_linnerud(return_X_y=True)
        X = StandardScaler().fit_transform(X)
    return GDLinearRegressor().fit(X, y), X


@cache
def classifier(case):
    """A fitted classifier and its data: breast cancer (binary) or iris."""
    X, y = standardized("iris" if case == "multinomial" else "breast_cancer")
    if case == "binary_strings":
        y = np.array(["malignant", "benign"])[y]
    return GDLogisticRegressor().fit(X, y), X


def run(model, X, dtype=np.float32, options=None):
    """The outputs, by name, of ``model`` converted for ``dtype`` input and
    run by onnxruntime on ``X`` in that dtype."""
    onx = skl2onnx.to_onnx(model, X[:1].astype(dtype), options=options)
    session = onnxruntime.InferenceSession(onx.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    results = session.run(None, {session.get_inputs()[0].name: X.astype(dtype)})
    return dict(zip(names, results))


@pytest.mark.parametrize("case", ["single", "multi_output"])
def test_regressor_predicts_as_predict(case):
    model, X = regressor(case)
    variable = run(model, X)["variable"]
    expected = model.predict(X)
    # (N, 1) for one target, (N, n_targets) for several: LinearRegression's.
    assert variable.shape == (len(X), 1 if expected.ndim == 1 else expected.shape[1])
    assert_allclose(variable, expected.reshape(variable.shape), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CLASSIFIERS)
def test_classifier_predicts_as_predict_and_predict_proba(case):
    model, X = classifier(case)
    outputs = run(model, X, options={"zipmap": False})
    assert_array_equal(outputs["label"], model.predict(X))
    assert outputs["probabilities"].shape == (len(X), len(model.classes_))
    assert_allclose(outputs["probabilities"], model.predict_proba(X),
                    rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CLASSIFIERS)
def test_classifier_default_call_zips_probabilities(case):
    # Without options, skl2onnx adds its ZipMap: one {label: probability} per row.
    model, X = classifier(case)
    outputs = run(model, X)
    assert_array_equal(outputs["output_label"], model.predict(X))
    zipped = outputs["output_probability"]
    assert all(list(row) == model.classes_.tolist() for row in zipped)
    probabilities = np.array([[row[label] for label in model.classes_] for row in zipped])
    assert_allclose(probabilities, model.predict_proba(X), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", ["single", "multi_output", *CLASSIFIERS])
def test_double_input_is_computed_in_double(case):
    # float64 needs zipmap=False, as for LogisticRegression: ZipMap takes float only.
    if case in CLASSIFIERS:
        model, X = classifier(case)
        outputs = run(model, X, np.float64, options={"zipmap": False})
        assert_array_equal(outputs["label"], model.predict(X))
        assert outputs["probabilities"].dtype == np.float64
        assert_allclose(outputs["probabilities"], model.predict_proba(X), atol=1e-12)
    else:
        model, X = regressor(case)
        variable = run(model, X, np.float64)["variable"]
        assert variable.dtype == np.float64
        assert_allclose(variable, model.predict(X).reshape(variable.shape), rtol=1e-12)


@pytest.mark.parametrize("case", ["binary", "multinomial"])
def test_classifier_options(case):
    model, X = classifier(case)
    scores = model.decision_function(X)
    # raw_scores: (-z, z) for one score z, as skl2onnx gives for LogisticRegression.
    expected = np.column_stack([-scores, scores]) if scores.ndim == 1 else scores
    raw = run(model, X, options={"zipmap": False, "raw_scores": True})
    assert_allclose(raw["probabilities"], expected, rtol=1e-5, atol=1e-4)
    assert_array_equal(raw["label"], model.predict(X))
    # nocl: class indices for labels; output_class_labels: classes_ as an output.
    indices = run(model, X, options={"zipmap": False, "nocl": True})["label"]
    assert_array_equal(model.classes_[indices], model.predict(X))
    outputs = run(model, X, options={"zipmap": False, "output_class_labels": True})
    assert_array_equal(outputs["class_labels"], model.classes_)


def test_pipeline_converts():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), GDLogisticRegressor()).fit(X, y)
    outputs = run(pipe, X, options={GDLogisticRegressor: {"zipmap": False}})
    assert_array_equal(outputs["label"], pipe.predict(X))
    assert_allclose(outputs["probabilities"], pipe.predict_proba(X), rtol=1e-5, atol=1e-5)


def test_skl2onnx_is_imported_only_by_sklearn_gd_onnx():
    # A fresh interpreter: this one has imported sklearn_gd.onnx above. Then,
    # with skl2onnx hidden, sklearn_gd.onnx says how to install it.
    code = (
        "import sys, sklearn_gd; assert 'skl2onnx' not in sys.modules\n"
        "sys.modules['skl2onnx'] = None\n"
        "try:\n"
        "    import sklearn_gd.onnx\n"
        "except ImportError as exc:\n"
        "    assert 'sklearn-gd[onnx]' in str(exc), exc\n"
        "else:\n"
        "    raise AssertionError('sklearn_gd.onnx imported without skl2onnx')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
