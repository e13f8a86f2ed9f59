"""scikit-learn's callback API (``sklearn.callback``), where the installed
scikit-learn has it: ``set_callbacks`` with ``ProgressBar``, ``ScoringMonitor``
or a callback of one's own.

A fit is the root task and each iteration (epoch, for mini-batches) a
subtask. The core calls its callback once *after* each step, so, as
scikit-learn's own L-BFGS bridge does, the subtask of step ``k`` begins when
step ``k - 1`` ends (the first from the starting point) and the one begun
after the last step is closed empty.
"""

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn without the callback API

    class CallbackSupportMixin:
        """Stands in for scikit-learn's mixin where it does not exist."""


class FitCallbacks:
    """The callbacks of one fit of ``estimator``: a no-op when none are set.

    Create it before anything in ``fit`` can fail (``_fit_context`` tears the
    callbacks down from the context this sets on the estimator).
    """

    def __init__(self, estimator, max_subtasks):
        self.estimator = estimator
        init = getattr(estimator, "_init_callback_context", None)
        self._ctx = None if init is None else init(max_subtasks=max_subtasks)
        self._data = {}

    @property
    def active(self):
        return self._ctx is not None and hasattr(self.estimator, "_skl_callbacks")

    def begin(self, X, y, sample_weight):
        """The fit's task begins, on the validated data."""
        if self._ctx is None:
            return
        metadata = {} if sample_weight is None else {"sample_weight": sample_weight}
        self._data = dict(estimator=self.estimator, X=X, y=y, metadata=metadata)
        self._ctx.call_on_fit_task_begin(**self._data)

    def end(self):
        """The fit's task ends; callbacks see the fitted estimator."""
        if self._ctx is not None:
            self._ctx.call_on_fit_task_end(**self._data, reconstruction_attributes={})

    def per_step(self, x0, attributes, task_name):
        """A core callback reporting each step as a subtask, or None when no
        callback is set. ``attributes(theta)`` gives the fitted attributes."""
        if not self.active:
            return None
        return _StepBridge(self._ctx, self._data, x0, attributes, task_name)


class _StepBridge:
    """Turns the core's "after each step" callback into begin/end subtasks."""

    def __init__(self, ctx, data, x0, attributes, task_name):
        self._ctx, self._data = ctx, data
        self._attributes, self._task_name = attributes, task_name
        self._step = self._begin(x0)

    def _arguments(self, x):
        # Lazily, and on a copy: only a callback that asks for the fitted
        # estimator pays for it, and a later step cannot change what it got.
        x = x.copy()
        return dict(self._data, reconstruction_attributes=lambda: self._attributes(x))

    def _begin(self, x):
        step = self._ctx.subcontext(task_name=self._task_name)
        step.call_on_fit_task_begin(**self._arguments(x))
        return step

    def __call__(self, info):
        stop = self._step.call_on_fit_task_end(**self._arguments(info.x))
        self._step = None if stop else self._begin(info.x)
        return bool(stop)

    def close(self):
        """End the subtask begun after the last step, which never ran."""
        if self._step is not None:
            self._step.call_on_fit_task_end(estimator=self._data["estimator"])
            self._step = None
