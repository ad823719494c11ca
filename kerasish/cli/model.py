"""The model and solver sections: a model from Keras layer configs, a Keras model file (.keras or JSON)
or a `kerasish.applications` network with an optional frozen base and a new head; compiled with the
solver's optimizer, learning-rate policy, loss and metrics."""

import inspect
import json
import os

from kerasish import applications, layers, losses, metrics, optimizers
from kerasish.cli import learning_rate
from kerasish.cli.config import suggestion
from kerasish.models import Model, Sequential, load_model
from kerasish.utils.object_serialization import deserialize_layer, safe_mode_scope

MODEL_SOURCES = ("layers", "file", "application")


def build(config, sample_shape):
    """The (uncompiled) model the model section describes; `sample_shape` is used when input_shape is unset."""
    section = config.model
    given = [key for key in MODEL_SOURCES if section[key] is not None]
    if len(given) != 1:
        raise config.error(
            "model",
            f"give exactly one of model.layers, model.file, model.application; "
            f"received {', '.join('model.' + key for key in given) or 'none'}",
        )
    input_shape = tuple(section["input_shape"]) if section["input_shape"] is not None else tuple(sample_shape)
    if section["layers"] is not None:
        return Sequential(
            [layers.Input(shape=input_shape)] + _layers(config, "model.layers", section["layers"]),
            name=os.path.splitext(os.path.basename(config.path))[0],
        )
    if section["file"] is not None:
        return _model_file(config, section["file"])
    return _application(config, input_shape)


def _layers(config, key, entries):
    """Layers from Keras configs: `{class_name, config = {...}}`, or the arguments beside class_name."""
    built = []
    for index, entry in enumerate(entries):
        where = f"{key}[{index}]"
        if "class_name" not in entry:
            raise config.error(where, f"a layer needs a class_name, received {entry!r}")
        arguments = entry["config"] if "config" in entry else {k: v for k, v in entry.items() if k != "class_name"}
        try:
            with safe_mode_scope(True):
                built.append(deserialize_layer({"class_name": entry["class_name"], "config": arguments}))
        except (ValueError, TypeError, KeyError) as error:
            known = [name for name in dir(layers) if name[:1].isupper()]
            raise config.error(
                where,
                f"cannot build layer {entry['class_name']!r}{suggestion(str(entry['class_name']), known)}: {error}",
            ) from error
    return built


def _model_file(config, path):
    if not os.path.isfile(path):
        raise config.error("model.file", f"no such file: {path}")
    try:
        if path.lower().endswith(".json"):
            with open(path, encoding="utf-8") as file:
                text = file.read()
            with safe_mode_scope(True):
                return deserialize_layer(json.loads(text))
        return load_model(path, compile=False)
    except (ValueError, TypeError, KeyError) as error:
        raise config.error("model.file", f"cannot build a model from {path}: {error}") from error


def _application(config, input_shape):
    section = config.model
    name = section["application"]
    names = [candidate for candidate in dir(applications) if candidate[0].isupper()]
    if name not in names:
        raise config.error(
            "model.application", f"unknown application {name!r}; the applications are {', '.join(names)}"
        )
    try:
        base = getattr(applications, name)(
            weights=section["weights"],
            include_top=section["include_top"],
            input_shape=input_shape,
            pooling=section["pooling"],
        )
    except (ValueError, OSError) as error:
        raise config.error("model.weights" if section["weights"] else "model.application", str(error)) from error
    if section["freeze_base"]:
        base.trainable = False
    if section["head"] is None:
        return base
    inputs = layers.Input(shape=input_shape)
    outputs = base(inputs, training=False) if section["freeze_base"] else base(inputs)
    for layer in _layers(config, "model.head", section["head"]):
        outputs = layer(outputs)
    return Model(inputs, outputs, name=f"{name}_finetune")


def compile_model(model, config, max_iter):
    """Compile with the solver's optimizer (learning-rate policy, momentum, weight decay), loss and metrics."""
    solver = config.solver
    name = solver["optimizer"]
    try:
        optimizer_class = type(optimizers.get(name))
    except ValueError as error:
        raise config.error("solver.optimizer", str(error)) from error
    parameters = inspect.signature(optimizer_class.__init__).parameters
    arguments = {"learning_rate": learning_rate.learning_rate(config, max_iter)}
    if solver["momentum"]:
        if "momentum" not in parameters:
            raise config.error("solver.momentum", f"the {name} optimizer has no momentum")
        arguments["momentum"] = solver["momentum"]
    if solver["weight_decay"]:
        arguments["weight_decay"] = solver["weight_decay"]
    for key in solver["options"]:
        if key not in parameters or key in ("self", "learning_rate", "kwargs"):
            raise config.error(f"solver.options.{key}", f"{optimizer_class.__name__} has no argument {key!r}")
    try:
        optimizer = optimizer_class(**arguments, **solver["options"])
    except (ValueError, TypeError) as error:
        raise config.error("solver", f"cannot build the {name} optimizer: {error}") from error
    try:
        loss = losses.get(config.model["loss"])
    except ValueError as error:
        raise config.error("model.loss", str(error)) from error
    for index, metric in enumerate(config.model["metrics"]):
        if metric not in ("accuracy", "acc", "crossentropy"):
            try:
                metrics.get(metric)
            except ValueError as error:
                raise config.error(f"model.metrics[{index}]", str(error)) from error
    engine = solver["engine"]
    if engine not in (None, "dynamic", "static"):
        raise config.error("solver.engine", f"must be \"dynamic\" or \"static\", received {engine!r}")
    model.compile(optimizer=optimizer, loss=loss, metrics=list(config.model["metrics"]), backend=engine)
