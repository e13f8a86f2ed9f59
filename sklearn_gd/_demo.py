"""The demo behind ``python -m sklearn_gd``.

Fits both estimators in pipelines with ``GridSearchCV`` over learning rates on
scikit-learn's bundled datasets and prints a table beside scikit-learn's own
``LinearRegression`` and ``LogisticRegression`` on the same data. A fit that
did not converge is marked in the table and a numbered note below it says why
and what would make it converge.
"""

import math
import re
import textwrap
import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._estimators.classifier import GDLogisticRegressor
from ._estimators.regressor import GDLinearRegressor
from .exceptions import DivergenceError

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
# The notes and the text below the table are wrapped to this many columns.
WIDTH = 100


def main(repeats=5):
    """Run the demo and print its table; return the rows.

    Each row holds the values of ``COLUMNS``, then a note: why the fit did
    not converge and what would make it, or ``""`` when it converged.
    """
    rows = []
    for name, load, task in DATASETS:
        X, y = load(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        data = X_train, X_test, y_train, y_test
        rows.extend(_ours(name, task, *data, repeats, solver) for solver in SOLVERS)
        rows.append(_peer(name, task, *data, repeats))
    print(_format(rows))
    print()
    print(textwrap.fill(
        "Scores are R^2 (diabetes) and accuracy on a held-out quarter; the grid "
        f"is learning_rate in {LEARNING_RATES} ('line_search' for 'gd' only), "
        "5-fold CV; 'diverged' counts the "
        "grid's learning rates that diverged (scored as failed, ranked last). "
        "LogisticRegression gets the C of GDLogisticRegressor's alpha=1e-4, so "
        "both solve the same problem. Fit times are medians of "
        f"{repeats} fits of the whole pipeline.", WIDTH))
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
        converged = best[-1].stop_reason_.startswith("Converged")
        note = "" if converged else _why_not_converged(best, X_train, y_train)
    return [name, f"{Estimator.__name__}(solver={solver!r})",
            repr(search.best_params_[f"{step}__learning_rate"]),
            int(np.isnan(search.cv_results_["mean_test_score"]).sum()),
            best.score(X_test, y_test), best[-1].n_iter_,
            "yes" if converged else "no", fit_time, note]


def _why_not_converged(pipeline, X, y):
    """Why the pipeline's fitted model stopped short of ``tol``: a few words,
    the first sentence of its ``stop_reason_``, and what would make it converge."""
    model = pipeline[-1]
    reason = model.stop_reason_
    # The estimator's words are "<what happened>. <generic advice>."; the
    # advice below is specific to the grid's pick, so only the first is kept.
    what = re.split(r"(?<=\.)\s+(?=[A-Z])", reason, maxsplit=1)[0]
    rate = model.learning_rate
    # From the counts, not the words: those may be reworded.
    if model.n_iter_ >= model.max_iter:
        fixes = ["more max_iter"]
        if rate != "auto":
            fixes.append(_auto_fix(pipeline, X, y))
        # The test is max |gradient| <= tol: a tol at least the last one's
        # would have stopped this same run by its last iteration.
        gradient = re.search(r"max \|[a-z ]*gradient\| = ([-+.0-9eE]+)", reason)
        fixes.append(f"tol >= {_round_up(float(gradient[1])):g}" if gradient
                     else "a larger tol")
        return (f"max_iter reached. {what} The grid picked learning_rate={rate!r} for "
                f"its CV score; at that rate {model.max_iter} iterations are too few. "
                f"To converge: {', '.join(fixes[:-1])} or {fixes[-1]}.")
    if "line search" in reason:
        return (f"line search failed. {what} The objective no longer decreases "
                "measurably at this precision. To converge: a larger tol, or "
                "learning_rate='auto'.")
    return reason


def _round_up(value):
    """``value``, printed to 3 significant digits, rounded up to 2: at least
    the number it was printed from, however that was rounded."""
    if not value > 0:
        return value
    unit = 10.0 ** (math.floor(math.log10(value)) - 1)
    return math.ceil(value * 1.005 / unit) * unit


def _auto_fix(pipeline, X, y):
    """Whether ``learning_rate='auto'`` converges on this data, refitted to
    say so from a run rather than from a guess."""
    trial = clone(pipeline)
    trial[-1].set_params(learning_rate="auto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            trial.fit(X, y)
        except DivergenceError:  # unlikely for "auto", but no reason to crash the demo
            return "another learning_rate"
    model = trial[-1]
    if model.stop_reason_.startswith("Converged"):
        return f"learning_rate='auto' (converges here in {model.n_iter_} iterations)"
    return "learning_rate='auto' with more max_iter"


def _peer(name, task, X_train, X_test, y_train, y_test, repeats):
    if task == "regression":
        peer = LinearRegression()
    else:
        peer = LogisticRegression(C=1 / (GDLogisticRegressor().alpha * len(y_train)))
    pipe = make_pipeline(StandardScaler(), peer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit_time = _median_fit_time(pipe, X_train, y_train, repeats)
    note = ""
    if hasattr(peer, "n_iter_"):
        n_iter = int(np.max(peer.n_iter_))
        converged = "yes" if n_iter < peer.max_iter else "no"
        if converged == "no":
            note = (f"max_iter reached. {peer.solver} stopped at max_iter="
                    f"{peer.max_iter} iterations. To converge: more max_iter or a "
                    "larger tol.")
    else:
        n_iter, converged = "closed form", "yes"
    return [name, type(peer).__name__, "-", "-", pipe.score(X_test, y_test), n_iter,
            converged, fit_time, note]


def _median_fit_time(estimator, X, y, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        estimator.fit(X, y)
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def _format(rows):
    """The table, each fit that did not converge marked ``no [k]``, and the
    numbered notes that say why below it."""
    cells, notes = [COLUMNS], []
    converged = COLUMNS.index("converged")
    for row in rows:
        *values, note = row
        line = [_cell(value) for value in values]
        if note:
            notes.append(textwrap.fill(f"[{len(notes) + 1}] {row[0]}, {row[1]}: {note}",
                                       WIDTH, subsequent_indent="    "))
            line[converged] += f" [{len(notes)}]"
        cells.append(line)
    widths = [max(len(row[j]) for row in cells) for j in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
             for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if notes:
        lines += ["", "Why a fit did not converge:"] + notes
    return "\n".join(lines)


def _cell(value):
    if isinstance(value, float):
        return f"{value:.3f}" if value < 100 else f"{value:.0f}"
    return str(value)
