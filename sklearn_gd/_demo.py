"""The demo behind ``python -m sklearn_gd``.

Fits both estimators in pipelines with ``GridSearchCV`` over learning rates on
scikit-learn's bundled datasets and prints a table beside scikit-learn's own
``LinearRegression`` and ``LogisticRegression`` on the same data.
"""

import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._estimators.classifier import GDLogisticRegressor
from ._estimators.regressor import GDLinearRegressor

# The default first: GridSearchCV gives a tie in score to the first candidate.
LEARNING_RATES = ["auto", "line_search", 0.01, 0.1, 1.0]
# Plain descent, then the accelerated solver on the same grid.
SOLVERS = ["gd", "nesterov"]
DATASETS = [
    ("diabetes", load_diabetes, "regression"),
    ("breast_cancer", load_breast_cancer, "binary"),
    ("wine", load_wine, "multiclass"),
]
COLUMNS = ["dataset", "model", "learning_rate", "diverged", "test score",
           "iterations", "converged", "fit time (ms)"]


def main(repeats=5):
    """Run the demo and print its table; return the rows."""
    rows = []
    for name, load, task in DATASETS:
        X, y = load(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        data = X_train, X_test, y_train, y_test
        rows.extend(_ours(name, task, *data, repeats, solver) for solver in SOLVERS)
        rows.append(_peer(name, task, *data, repeats))
    print(_format(rows))
    print(
        "\nScores are R^2 (diabetes) and accuracy on a held-out quarter; the grid "
        f"is learning_rate in {LEARNING_RATES} ('line_search' for 'gd' only), "
        "5-fold CV; 'diverged' counts the "
        "grid's learning rates that diverged (scored as failed, ranked last). "
        "LogisticRegression gets the C of GDLogisticRegressor's alpha=1e-4, so "
        "both solve the same problem. Fit times are medians of "
        f"{repeats} fits of the whole pipeline."
    )
    return rows


def _ours(name, task, X_train, X_test, y_train, y_test, repeats, solver):
    Estimator = GDLinearRegressor if task == "regression" else GDLogisticRegressor
    step = Estimator.__name__.lower()
    learning_rates = [lr for lr in LEARNING_RATES if solver == "gd" or lr != "line_search"]
    search = GridSearchCV(
        make_pipeline(StandardScaler(), Estimator(solver=solver)),
        {f"{step}__learning_rate": learning_rates},
    )
    with warnings.catch_warnings():
        # A learning rate too small for max_iter, or too large to converge, is
        # what the grid is there to find out; the table says which.
        warnings.simplefilter("ignore", (ConvergenceWarning, FitFailedWarning))
        warnings.filterwarnings("ignore", "One or more of the test scores are non-finite")
        search.fit(X_train, y_train)
        best = search.best_estimator_
        fit_time = _median_fit_time(best, X_train, y_train, repeats)
    return [name, f"{Estimator.__name__}(solver={solver!r})",
            repr(search.best_params_[f"{step}__learning_rate"]),
            int(np.isnan(search.cv_results_["mean_test_score"]).sum()),
            best.score(X_test, y_test), best[-1].n_iter_,
            "yes" if best[-1].stop_reason_.startswith("Converged") else "no", fit_time]


def _peer(name, task, X_train, X_test, y_train, y_test, repeats):
    if task == "regression":
        peer = LinearRegression()
    else:
        peer = LogisticRegression(C=1 / (GDLogisticRegressor().alpha * len(y_train)))
    pipe = make_pipeline(StandardScaler(), peer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit_time = _median_fit_time(pipe, X_train, y_train, repeats)
    if hasattr(peer, "n_iter_"):
        n_iter = int(np.max(peer.n_iter_))
        converged = "yes" if n_iter < peer.max_iter else "no"
    else:
        n_iter, converged = "closed form", "yes"
    return [name, type(peer).__name__, "-", "-", pipe.score(X_test, y_test), n_iter,
            converged, fit_time]


def _median_fit_time(estimator, X, y, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        estimator.fit(X, y)
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def _format(rows):
    cells = [COLUMNS] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[j]) for row in cells) for j in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value):
    if isinstance(value, float):
        return f"{value:.3f}" if value < 100 else f"{value:.0f}"
    return str(value)
