"""compile / fit / evaluate / predict and the *_on_batch methods, with Keras 3's arguments.

One step function per task (`train_step`, `test_step`, `predict_step`), written with GradientTape,
kerasish.ops, `optimizer.apply` and metric `update_state`, runs on either engine: the dynamic engine
calls it per batch, the static engine traces it once per input signature and replays the graph
(the last, smaller batch of an epoch traces once more; that retrace is expected and not warned about).
"""

import contextlib
import functools
import sys
import threading
import warnings

import numpy

from kerasish.backends import allocator, config, interface, product_updates
from kerasish.backends.dynamic import Tensor
from kerasish.backends.gradient_tape import GradientTape
from kerasish.backends.symbolic import KerasTensor
from kerasish.backends.tree import flatten, map_structure
from kerasish.backends.variable import all_or_nothing
from kerasish.distribution.collectives import any_process, synchronize_model, synchronized_logs
from kerasish.distribution.data_sharding import distribute_dataset, gather
from kerasish.distribution.distribution_lib import is_chief
from kerasish.layers.layer import tree_fixed
from kerasish.layers.preprocessing import host_stage
from kerasish.metrics.metric import Metric
from kerasish.trainers.arguments import (
    check_validation_freq,
    check_validation_split,
    non_negative_int,
    positive_int_or_none,
)
from kerasish.trainers.compile_utils import CompileLoss, CompileMetrics
from kerasish.trainers.data_adapters import (
    ArrayAdapter,
    get_data_adapter,
    is_array_data,
    train_validation_split,
)
from kerasish.trainers.epoch_iterator import EpochIterator
from kerasish.utils.data_packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from kerasish.utils.traceback_utils import filter_traceback


def resolve_verbose(verbose):
    """ "auto" is 1 (a live bar) on a terminal and 2 (a line per epoch) in logs and CI: kerasish's fix.
    Under a distribution only rank 0 prints."""
    if not is_chief():
        return 0
    if verbose == "auto":
        return 1 if sys.stdout.isatty() else 2
    return verbose


def _should_validate(epoch, validation_freq):
    if isinstance(validation_freq, (list, tuple, set)):
        return epoch + 1 in validation_freq
    return (epoch + 1) % validation_freq == 0


def _to_python(logs):
    return {key: float(value) for key, value in logs.items()}


def _limited(value, limit, what):
    """`value` capped by a process-wide limit (`keras.config.set_max_epochs`/`set_max_steps_per_epoch`)."""
    if limit and (value is None or limit < value):
        warnings.warn(f"Limiting {what} to {limit}", stacklevel=3)
        return limit
    return value


def _symbolic(x):
    return map_structure(lambda a: None if a is None else KerasTensor((None,) + tuple(a.shape[1:]), a.dtype), x)


_OWNERS = threading.Lock()  # makes each model's check-and-claim of `_running_thread` one step
_NO_STAGE = contextlib.nullcontext()  # reusable: it keeps no state


def _one_thread_at_a_time(method):
    """Run `method` only while no other thread runs a loop of the same model: two threads stepping one
    model would interleave their updates of the same variables and optimizer slots. The thread that owns
    the model may nest calls (fit runs evaluate for validation)."""

    @functools.wraps(method)
    @filter_traceback
    def exclusive(self, *args, **kwargs):
        me = threading.get_ident()
        with _OWNERS:
            owner = self._running_thread
            if owner is not None and owner != me:
                raise RuntimeError(
                    f"Model '{self.name}' is already running fit/evaluate/predict in another "
                    f"thread; {method.__name__}() cannot run on it at the same time. Use one model "
                    "per thread (e.g. `kerasish.models.clone_model`) or wait for the other call"
                )
            self._running_thread = me
        try:
            return method(self, *args, **kwargs)
        finally:
            if owner is None:
                self._running_thread = None
                self._metrics_found = None

    return exclusive


class Trainer:
    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.history = None
        self.stop_training = False
        self.compile_engine = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self._functions = {}
        self._batch_signatures = {}
        self._loss_sources = None
        self._trainable_cache = []
        self._step_state = ()
        self._running_thread = None
        self._metrics_found = None
        self._has_host_stage = False

    # ----- compile --------------------------------------------------------------------------

    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        loss_weights=None,
        metrics=None,
        weighted_metrics=None,
        run_eagerly=False,
        steps_per_execution=1,
        jit_compile="auto",
        auto_scale_loss=True,
        backend=None,
    ):
        from kerasish import metrics as metrics_module
        from kerasish import optimizers

        if not isinstance(steps_per_execution, int) or steps_per_execution < 1:
            raise ValueError(f"`steps_per_execution` must be a positive int, received {steps_per_execution!r}")
        if jit_compile not in ("auto", True, False):
            raise ValueError(f"`jit_compile` must be 'auto', True or False, received {jit_compile!r}")
        engine = "dynamic" if run_eagerly else (backend or config.backend())
        if run_eagerly and backend == "static":
            raise ValueError(
                "compile(run_eagerly=True, backend='static') is contradictory: run_eagerly means the dynamic engine"
            )
        self.compile_engine = interface.get(engine)
        self.optimizer = optimizers.get(optimizer)
        if (
            auto_scale_loss
            and self.dtype_policy.compute_dtype == "float16"
            and not isinstance(self.optimizer, optimizers.LossScaleOptimizer)
        ):  # as Keras: float16 gradients underflow without loss scaling
            self.optimizer = optimizers.LossScaleOptimizer(self.optimizer, name="loss_scale_optimizer")
        self.loss, self.loss_weights = loss, loss_weights
        names = self.output_names
        self._compile_loss = CompileLoss(loss, loss_weights, names) if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics, names)
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.run_eagerly = engine == "dynamic"
        self.steps_per_execution = steps_per_execution
        # Like Keras's numpy backend: no XLA to compile for.
        self.jit_compile = False
        self.auto_scale_loss = auto_scale_loss
        self._compile_config = {
            "optimizer": optimizer,
            "loss": loss,
            "loss_weights": loss_weights,
            "metrics": metrics,
            "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile,
        }
        self._functions = {}
        self._batch_signatures = {}
        self.compiled = True

    @property
    def output_names(self):
        """Names of the layers that make the outputs (functional), else output_0, output_1, ..."""
        outputs = getattr(self, "_graph", None)
        if outputs is not None:
            return [
                t.node.operation.name if hasattr(t.node.operation, "name") else f"output_{i}"
                for i, t in enumerate(outputs.outputs)
            ]
        return ["output_0"]

    def get_compile_config(self):
        """What compile() received, in Keras's serialized form: the optimizer as built (a full config), losses
        and metrics as their names or serialized objects (a registered custom function by its registered
        name). None for a model that was never compiled."""
        if not self.compiled:
            return None
        from kerasish import losses, metrics, optimizers

        config = self._compile_config
        return {
            **config,
            "optimizer": optimizers.serialize(self.optimizer),
            "loss": _serialize(config["loss"], losses.serialize),
            "metrics": _serialize(config["metrics"], metrics.serialize),
            "weighted_metrics": _serialize(config["weighted_metrics"], metrics.serialize),
        }

    def compile_from_config(self, config):
        """compile() with a config from `get_compile_config`, then build the optimizer (when the model is
        built) so that its saved state can be restored. Custom objects resolve through the registry and any
        `custom_object_scope` in force."""
        from kerasish import losses, metrics, optimizers

        arguments = {key: config[key] for key in _COMPILE_ARGUMENTS if key in config}
        arguments["optimizer"] = _deserialize(config.get("optimizer", "rmsprop"), optimizers.deserialize)
        arguments["loss"] = _deserialize(config.get("loss"), losses.deserialize)
        for key in ("metrics", "weighted_metrics"):
            arguments[key] = _deserialize(config.get(key), metrics.deserialize)
        self.compile(**arguments)
        if self.built:
            self.optimizer.build(self.trainable_variables)

    def _assert_compiled(self, method):
        if not self.compiled:
            raise ValueError(
                f"You must call `compile()` before using the model: {method}() was called on "
                f"model '{self.name}' before compile()"
            )

    @property
    def metrics_variables(self):
        """The state of every metric (the loss tracker's included), as Keras's `Model.metrics_variables`."""
        return [variable for metric in self.metrics for variable in metric.variables]

    @property
    def metrics(self):
        """While fit/evaluate/predict runs, the list found when it began (every step asks)."""
        if self._metrics_found is not None:
            return list(self._metrics_found)
        found = [self._loss_tracker] if self._loss_tracker is not None else []
        if self._compile_loss is not None:
            found += self._compile_loss.trackers
        if self._compile_metrics is not None:
            found += self._compile_metrics.metrics
        return found + self._layer_metrics()

    def _layer_metrics(self):
        """Metrics the model's layers hold (a layer that tracks a metric in `call`, as keras.io's endpoint
        layer does), at any depth, as Keras adds them to `model.metrics`; a nested model's compiled metrics
        are its own."""
        found = []
        with tree_fixed():  # each layer's attributes walked once, not for its sublayers and again here
            for layer in self._flatten_layers(include_self=False):
                if not isinstance(layer, Trainer):
                    found += [leaf for leaf in layer._attribute_leaves() if isinstance(leaf, Metric)]
        return found

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for metric in self.metrics:
            metric.reset_state()

    # ----- the steps (engine-neutral) -----------------------------------------------------

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        total = None if self._compile_loss is None else self._compile_loss(y, y_pred, sample_weight)
        for loss in self.losses if self._loss_sources is None else self.losses_of(self._loss_sources):
            total = loss if total is None else total + loss
        if total is None:
            raise ValueError(f"No loss to compute for model '{self.name}'. Provide a `loss` argument in `compile()`")
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        self._compile_metrics.update_state(y, y_pred, sample_weight)
        return {metric.name: metric.result() for metric in self.metrics}

    def _track_loss(self, loss, x):
        first = x if type(x) is Tensor else flatten(x)[0]
        self._loss_tracker.update_state(loss, sample_weight=first.shape[0])

    def train_step(self, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        variables = self._trainable_cache
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=True)
            scaled_loss = self.optimizer.scale_loss(loss)  # the optimizer's apply unscales the gradients
        self._track_loss(loss, x)
        gradients = tape.gradient(scaled_loss, variables, pending_products=self.optimizer.accepts_pending_products())
        self.optimizer.apply(gradients, variables)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._track_loss(loss, x)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # ----- preparing the functions --------------------------------------------------------

    def build_for(self, kind, batch):
        """Build the model, the compiled losses and metrics and the optimizer from a batch's shapes."""
        x, y, _ = unpack_x_y_sample_weight(batch)
        if kind != "predict" and (
            not self._compile_metrics.built or (self._compile_loss is not None and not self._compile_loss.built)
        ):
            y_pred = self.compute_output_spec(_symbolic(x))
            if self._compile_loss is not None and not self._compile_loss.built:
                self._compile_loss.build(y, y_pred)
            if not self._compile_metrics.built:
                self._compile_metrics.build(y, y_pred)
        elif not self.built:
            self.compute_output_spec(_symbolic(x))
        if kind == "predict":  # no loss, no metric
            return
        with tree_fixed():  # built: the reads below walk the tree once
            self._loss_sources = self.loss_sources()
            if self._metrics_found is None:  # once per fit/evaluate call, not per epoch
                self._metrics_found = self.metrics
            if kind == "train":
                variables = self.trainable_variables
        if kind == "train":
            if [id(v) for v in variables] != [id(v) for v in self._trainable_cache]:
                self._functions.pop("train", None)
            self._trainable_cache = variables
            if not getattr(self.optimizer, "built", True):
                self.optimizer.build(variables)

    def _prepare(self, kind, batch):
        """Build what the batch needs, then the step function of the compiled engine (made once)."""
        with host_stage.applied(self):
            self.build_for(kind, batch)
        self._has_host_stage = bool(host_stage.host_stage(self))  # asked here once, not at every step
        synchronize_model(self)
        function = self._functions.get(kind)
        if function is None:
            allocator.tune()  # training or inference starts: tune malloc now, never at import
            engine = self.compile_engine or interface.get()
            maker = {
                "train": engine.make_train_function,
                "test": engine.make_test_function,
                "predict": engine.make_predict_function,
            }[kind]
            self._functions[kind] = function = maker(self)
        if kind == "train":  # what an eager step must put back if it is interrupted (see _run)
            self._step_state = (
                self.variables + self.optimizer.variables + self.metrics_variables
                if function == self.train_step
                else ()
            )
        return function

    def _run(self, kind, function, batch):
        """One step. A new batch size (or sample weights appearing) retraces on the static engine, which is
        expected here: not warned.

        A training step is all or nothing: an error or a Ctrl-C part-way leaves every variable of the
        model, its optimizer and its metrics as it was. A compiled static step is so by itself; a step
        run eagerly is rolled back (its forward pass already updates BatchNormalization's statistics)."""
        stage = host_stage.applied(self) if self._has_host_stage else _NO_STAGE
        # product_updates.Step outermost: its in-place updates come after everything else has succeeded
        with product_updates.Step(), all_or_nothing(self._step_state if kind == "train" else ()), stage:
            first = batch[0] if type(batch[0]) is Tensor else flatten(batch[0])[0]
            signature = (first.shape[0], batch[1] is None, batch[2] is None)  # batch: (x, y, sample_weight)
            data = pack_x_y_sample_weight(*batch)  # the step gets what the user gave, as in Keras
            if signature == self._batch_signatures.get(kind):
                return function(data)
            self._batch_signatures[kind] = signature
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*tracing again for a new input signature")
                return function(data)

    # ----- fit / evaluate / predict -------------------------------------------------------

    @_one_thread_at_a_time
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
    ):
        self._assert_compiled("fit")
        from kerasish.callbacks import CallbackList

        epochs, initial_epoch = non_negative_int(epochs, "epochs"), non_negative_int(initial_epoch, "initial_epoch")
        steps_per_epoch = positive_int_or_none(steps_per_epoch, "steps_per_epoch")
        validation_steps = positive_int_or_none(validation_steps, "validation_steps")
        validation_batch_size = positive_int_or_none(validation_batch_size, "validation_batch_size")
        check_validation_split(validation_split)
        check_validation_freq(validation_freq)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = train_validation_split((x, y, sample_weight), validation_split)
        x = host_stage.preprocessed(self, x)  # text and lookup layers leading the model run on the host
        adapter = distribute_dataset(get_data_adapter(x, y, sample_weight, batch_size, shuffle, class_weight))
        iterator = EpochIterator(adapter, _limited(steps_per_epoch, config.max_steps_per_epoch(), "steps_per_epoch"))
        epochs = _limited(epochs, config.max_epochs(), "epochs")
        verbose = resolve_verbose(verbose)
        callbacks = (
            callbacks
            if isinstance(callbacks, CallbackList)
            else CallbackList(
                callbacks,
                add_history=True,
                add_progbar=verbose != 0,
                model=self,
                verbose=verbose,
                epochs=epochs,
                steps=iterator.num_steps,
            )
        )
        validation = self._validation_arrays(validation_data)
        self.stop_training = False
        self._initial_epoch = None
        callbacks.on_train_begin()
        initial_epoch = self._initial_epoch or initial_epoch  # BackupAndRestore sets it when resuming
        training_logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            batch_begin, batch_end = callbacks.calls("on_train_batch_begin"), callbacks.calls("on_train_batch_end")
            every = self.steps_per_execution
            logs = step = None
            for step, batch in iterator.epoch():
                if not step:
                    function = self._prepare("train", batch)
                    metrics = self.metrics  # built by now, and the same for every step of the epoch
                if batch_begin and step % every == 0:
                    callbacks.on_train_batch_begin(step)
                logs = synchronized_logs(metrics, self._run("train", function, batch))
                if (step + 1) % every == 0:
                    if batch_end:
                        callbacks.on_train_batch_end(step, logs)
                    self.stop_training = any_process(self.stop_training)
                    if self.stop_training:
                        break
            if step is not None and (step + 1) % every:
                callbacks.on_train_batch_end(step, logs)
            epoch_logs = _to_python(logs or {})
            if validation is not None and _should_validate(epoch, validation_freq):
                val_x, val_y, val_weight = validation
                val_logs = self.evaluate(
                    val_x,
                    val_y,
                    sample_weight=val_weight,
                    batch_size=validation_batch_size or batch_size,
                    steps=validation_steps,
                    callbacks=callbacks,
                    return_dict=True,
                    verbose=0,
                )
                epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            self.stop_training = any_process(self.stop_training)
            training_logs = epoch_logs
            if self.stop_training or iterator.exhausted:
                break
        if epochs > 0:  # with `use_ema`, the model keeps the moving averages, as in Keras
            self.optimizer.finalize_variable_values(self.trainable_variables)
        callbacks.on_train_end(logs=training_logs)
        return self.history

    def _validation_arrays(self, validation_data):
        if validation_data is None:
            return None
        if is_array_data(validation_data) and not isinstance(validation_data, (tuple, list)):
            raise ValueError(
                "`validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, "
                f"val_sample_weight), or a dataset; received an array of shape "
                f"{getattr(validation_data, 'shape', None)}"
            )
        if isinstance(validation_data, (tuple, list)):
            x, y, sample_weight = unpack_x_y_sample_weight(tuple(validation_data))
            return x, y, sample_weight
        return validation_data, None, None

    @_one_thread_at_a_time
    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        return_dict=False,
    ):
        self._assert_compiled("evaluate")
        from kerasish.callbacks import CallbackList

        x = host_stage.preprocessed(self, x)
        adapter = distribute_dataset(get_data_adapter(x, y, sample_weight, batch_size, shuffle=False))
        steps = _limited(positive_int_or_none(steps, "steps"), config.max_steps_per_epoch(), "steps")
        iterator = EpochIterator(adapter, steps, "test_function")
        verbose = resolve_verbose(verbose)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(
                callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1, steps=iterator.num_steps
            )
        self.reset_metrics()
        callbacks.on_test_begin()
        batch_begin, batch_end = callbacks.calls("on_test_batch_begin"), callbacks.calls("on_test_batch_end")
        logs = {}
        for step, batch in iterator.epoch():
            if not step:
                function = self._prepare("test", batch)
                metrics = self.metrics  # built by now, and the same for every step
            if batch_begin:
                callbacks.on_test_batch_begin(step)
            logs = synchronized_logs(metrics, self._run("test", function, batch))
            if batch_end:
                callbacks.on_test_batch_end(step, logs)
        logs = _to_python(logs)
        callbacks.on_test_end(logs)
        return logs if return_dict else self._ordered_results(logs)

    def _ordered_results(self, logs):
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    @_one_thread_at_a_time
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        from kerasish.callbacks import CallbackList

        x = host_stage.preprocessed(self, x)
        adapter = distribute_dataset(get_data_adapter(x, batch_size=batch_size, shuffle=False))
        steps = _limited(positive_int_or_none(steps, "steps"), config.max_steps_per_epoch(), "steps")
        iterator = EpochIterator(adapter, steps, "predict_function")
        verbose = resolve_verbose(verbose)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(
                callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1, steps=iterator.num_steps
            )
        callbacks.on_predict_begin()
        batch_begin, batch_end = callbacks.calls("on_predict_batch_begin"), callbacks.calls("on_predict_batch_end")
        outputs = []
        for step, batch in iterator.epoch():
            if not step:
                function = self._prepare("predict", batch)
            if batch_begin:
                callbacks.on_predict_batch_begin(step)
            result = map_structure(lambda t: t.numpy(), self._run("predict", function, batch))
            outputs.append(result)
            if batch_end:
                callbacks.on_predict_batch_end(step, {"outputs": result})
        callbacks.on_predict_end()
        return _concatenate(gather(adapter, outputs))

    # ----- single batches -----------------------------------------------------------------

    def _single_batch(self, x, y, sample_weight, class_weight=None, method="train_on_batch"):
        x = host_stage.preprocessed(self, x)
        adapter = get_data_adapter(x, y, sample_weight, batch_size=None, class_weight=class_weight)
        if not isinstance(adapter, ArrayAdapter):
            raise ValueError(
                f"{method}() takes one batch of arrays (a numpy array, or a list or dict of arrays), "
                f"received x of type {type(x).__name__}"
            )
        adapter.batch_size = adapter.num_samples
        adapter.num_batches = 1
        return next(next(adapter.passes()))

    @_one_thread_at_a_time
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        self._assert_compiled("train_on_batch")
        batch = self._single_batch(x, y, sample_weight, class_weight)
        logs = _to_python(self._run("train", self._prepare("train", batch), batch))
        return logs if return_dict else self._ordered_results(logs)

    @_one_thread_at_a_time
    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compiled("test_on_batch")
        batch = self._single_batch(x, y, sample_weight, method="test_on_batch")
        logs = _to_python(self._run("test", self._prepare("test", batch), batch))
        return logs if return_dict else self._ordered_results(logs)

    @_one_thread_at_a_time
    def predict_on_batch(self, x):
        batch = self._single_batch(x, None, None, method="predict_on_batch")
        return map_structure(lambda t: t.numpy(), self._run("predict", self._prepare("predict", batch), batch))


def _concatenate(batches):
    first = batches[0]
    if isinstance(first, dict):
        return {key: numpy.concatenate([b[key] for b in batches]) for key in first}
    if isinstance(first, (list, tuple)):
        return type(first)(numpy.concatenate([b[i] for b in batches]) for i in range(len(first)))
    return numpy.concatenate(batches)


_COMPILE_ARGUMENTS = (
    "optimizer",
    "loss",
    "loss_weights",
    "metrics",
    "weighted_metrics",
    "run_eagerly",
    "steps_per_execution",
    "jit_compile",
)


def _serialize(value, serialize):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_serialize(v, serialize) for v in value]
    if isinstance(value, dict):
        return {key: _serialize(v, serialize) for key, v in value.items()}
    return serialize(value)


def _deserialize(value, deserialize):
    if isinstance(value, list):
        return [_deserialize(v, deserialize) for v in value]
    if isinstance(value, dict) and "class_name" in value:
        return deserialize(value)
    if isinstance(value, dict):
        return {key: _deserialize(v, deserialize) for key, v in value.items()}
    return value
