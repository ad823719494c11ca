"""Layer: the Keras 3 base class of every layer and model.

A layer owns weights (Variables made by `add_weight`), builds itself on its first call from the input
shape, and computes only through `kerasish.ops`, so one `call` serves dynamic Tensors, static
Symbols and symbolic KerasTensors alike. Sublayers and Variables are found by walking the layer's
attributes (lists, tuples and dicts included), in assignment order, as Keras orders its weights.
"""

import contextlib
import functools
import inspect
import threading
import warnings

import numpy

from kerasish import constraints, dtype_policies, initializers, regularizers
from kerasish.backends import config
from kerasish.backends.dispatch import AUTOCAST
from kerasish.backends.dtypes import numpy_dtype
from kerasish.backends.dynamic import Tensor
from kerasish.backends.masks import _MASKS, get_mask, set_mask
from kerasish.backends.name_scope import scoped
from kerasish.backends.primitives.registry import is_bfloat16
from kerasish.backends.rematerialization import remat
from kerasish.backends.stateless_scope import collected_loss
from kerasish.backends.symbolic import KerasTensor, Node, any_symbolic
from kerasish.backends.tree import flatten, map_structure
from kerasish.backends.variable import Variable
from kerasish.dtype_policies import autocast_scope
from kerasish.layers.input_spec import assert_input_compatibility
from kerasish.ops.operation import Operation
from kerasish.utils import naming

_CALLS = []  # (layer, training) for each layer call or build in progress, outermost first
_PENDING_LOSSES = []  # layers that hold losses from add_loss, cleared by the next outermost call
_FIXED = threading.local()  # .leaves, .layers: {id(layer): found} while a `tree_fixed` block is open
_AGGREGATIONS = ("none", "mean", "sum", "only_first_replica")


@functools.lru_cache(maxsize=None)
def _call_signature(call):
    """(positions of `training` and `mask` among the arguments after self, or None; the default of
    `training`; whether it accepts **kwargs) of a `call` function."""
    parameters = list(inspect.signature(call).parameters.values())[1:]
    names = [p.name for p in parameters]
    training = parameters[names.index("training")] if "training" in names else None
    return (
        None if training is None else names.index("training"),
        None if "mask" not in names else names.index("mask"),
        None if training is None or training.default is inspect.Parameter.empty else training.default,
        any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters),
    )


def _has_mask(mask):
    return mask is not None and any(m is not None for m in flatten(mask))


def _shape_without_batch(x):
    shape = getattr(x, "shape", None)
    return None if shape is None else (None,) + tuple(shape[1:]) if len(shape) else ()


def _shape_of(x):
    return tuple(x.shape) if hasattr(x, "shape") else None


def _named_error(error, layer):
    """A ValueError/TypeError from inside a layer, reworded to start with the layer's name."""
    named = type(error)(f"{layer.describe()}: {error}")
    named.layer_named = True
    return named


def _wrap_build(build):
    """Every `build` runs in the layer's name scope (variable paths) and marks the layer built."""

    @functools.wraps(build)
    def scoped_build(self, *args, **kwargs):
        if _CALLS and _CALLS[-1][0] is self:
            return build(self, *args, **kwargs)
        _CALLS.append((self, None))
        try:
            result = build(self, *args, **kwargs)
        finally:
            _CALLS.pop()
        self._build_shapes = inspect.signature(build).bind(self, *args, **kwargs).arguments
        self._build_shapes.pop(next(iter(self._build_shapes)))
        self.built = True
        return result

    scoped_build.scoped = True
    return scoped_build


class Layer(Operation):
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "scoped", False):
            cls.build = _wrap_build(build)

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None, autocast=True, name=None, **kwargs):
        input_dim = kwargs.pop("input_dim", None)
        input_shape = (input_dim,) if input_dim is not None else kwargs.pop("input_shape", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}")
        if input_shape is not None:
            warnings.warn(
                "Do not pass an `input_shape`/`input_dim` argument to a layer. When using "
                "Sequential models, prefer using an `Input(shape)` object as the first layer "
                "in the model instead.",
                stacklevel=2,
            )
        self._input_shape_arg = None if input_shape is None else tuple(input_shape)
        self.name = name or naming.auto_name(type(self).__name__)
        if not isinstance(self.name, str) or "/" in self.name:
            raise ValueError(f"Argument `name` must be a string without '/'. Received: name={self.name!r}")
        self.dtype_policy = dtype
        self.autocast = autocast
        self._trainable = bool(trainable)
        self._trainable_variables = []
        self._non_trainable_variables = []
        self._regularizers = []
        self._losses = []
        self._inbound_nodes = []
        self._build_shapes = None
        self.output_shapes = None  # of the first call, the batch axis as None (for summary)
        self.built = False
        self.input_spec = None
        self.supports_masking = type(self).compute_mask is not Layer.compute_mask
        self.activity_regularizer = _resolve("regularizers", activity_regularizer)

    # ----- description -----------------------------------------------------------------------

    def describe(self):
        return f"{type(self).__name__} '{self.name}'"

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    def _check_super_called(self):
        if "_trainable_variables" not in self.__dict__:
            raise RuntimeError(
                f"In layer {type(self).__name__!r}, you forgot to call `super().__init__()` "
                "as the first statement in the `__init__()` method"
            )

    # ----- dtypes --------------------------------------------------------------------------

    @property
    def dtype(self):
        return self._dtype

    variable_dtype = dtype

    @property
    def compute_dtype(self):
        return self._compute_dtype

    @property
    def dtype_policy(self):
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        """A DTypePolicy, a policy name ("mixed_float16"), its config, a dtype, or None (the global policy)."""
        name = value.get("config", {}).get("name") if isinstance(value, dict) else value
        if value is None or isinstance(value, dtype_policies.DTypePolicy) or str(name).startswith("mixed_"):
            policy = dtype_policies.get(value)
        else:  # a plain dtype of any library; "string" layers hold numpy objects
            standard = _standard_dtype(name)
            policy = dtype_policies.DTypePolicy("string" if standard == "object" else standard)
        self._dtype_policy = policy
        self._dtype = _standard_dtype(policy.variable_dtype)
        self._compute_dtype = _standard_dtype(policy.compute_dtype)
        self._compute_numpy_dtype = numpy_dtype(self._compute_dtype)

    # ----- weights -------------------------------------------------------------------------

    def add_weight(
        self,
        shape=None,
        initializer=None,
        dtype=None,
        trainable=True,
        autocast=True,
        regularizer=None,
        constraint=None,
        aggregation="none",
        name=None,
    ):
        self._check_super_called()
        if aggregation not in _AGGREGATIONS:
            raise ValueError(
                f"{self.describe()}: invalid aggregation {aggregation!r} for weight {name!r}; "
                f"expected one of {_AGGREGATIONS}"
            )
        shape = () if shape is None else tuple(shape)
        dtype = _standard_dtype(dtype or self.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if numpy.dtype(dtype).kind == "f" else "zeros"
        variable = Variable(
            _resolve("initializers", initializer),
            shape=shape,
            dtype=dtype,
            trainable=trainable,
            name=name,
            constraint=_resolve("constraints", constraint),
        )
        variable.path = scoped(f"{self._scope_path()}/{variable.name}")
        if not autocast:
            autocast_scope.exclude(variable)
        (self._trainable_variables if trainable else self._non_trainable_variables).append(variable)
        if regularizer is not None:
            self._regularizers.append((variable, _resolve("regularizers", regularizer)))
        return variable

    def _scope_path(self):
        scope = [layer.name for layer, _ in _CALLS]
        return "/".join(scope) if scope and _CALLS[-1][0] is self else self.name

    def _attribute_leaves(self):
        """What the layer's attributes hold (lists, tuples and dicts opened), in attribute order."""
        return _found_once("leaves", self, _leaves_of)

    def _tracked_layers(self):
        """Direct sublayers, in attribute order, each once (a new list)."""
        return list(_found_once("layers", self, _direct_sublayers))

    def _flatten_layers(self, include_self=True):
        layers, seen = [], set()
        stack = [self] if include_self else list(reversed(self._tracked_layers()))
        while stack:
            layer = stack.pop()
            if id(layer) not in seen:
                seen.add(id(layer))
                layers.append(layer)
                stack.extend(reversed(layer._tracked_layers()))
        return layers

    def _own_weights(self):
        own = self._trainable_variables + self._non_trainable_variables
        return _new_leaves(self, Variable, own, {id(v) for v in own})

    def _collect(self, own):
        result, seen = [], set()
        for layer in self._flatten_layers():
            for variable in own(layer):
                if id(variable) not in seen:
                    seen.add(id(variable))
                    result.append(variable)
        return result

    @property
    def weights(self):
        with tree_fixed():
            return self._collect(Layer._own_weights)

    @property
    def trainable_weights(self):
        return [v for v in self.weights if v.trainable] if self.trainable else []

    @property
    def non_trainable_weights(self):
        return [v for v in self.weights if not v.trainable] if self.trainable else self.weights

    @property
    def variables(self):
        """Weights plus the other state that changes while running: random seeds."""

        def own(layer):
            seeds = [
                leaf.state for leaf in layer._attribute_leaves() if isinstance(getattr(leaf, "state", None), Variable)
            ]
            return layer._own_weights() + seeds

        with tree_fixed():
            return self._collect(own)

    @property
    def trainable_variables(self):
        return [v for v in self.variables if v.trainable] if self.trainable else []

    @property
    def non_trainable_variables(self):
        return [v for v in self.variables if not v.trainable] if self.trainable else self.variables

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        self._trainable = value
        for variable in self._trainable_variables:
            variable.trainable = value
        for layer in self._tracked_layers():
            layer.trainable = value

    def get_weights(self):
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        variables = self.weights
        if len(variables) != len(weights):
            raise ValueError(
                f"You called `set_weights(weights)` on layer {self.describe()} with a weight list "
                f"of length {len(weights)}, but the layer was expecting {len(variables)} weights"
            )
        for variable, value in zip(variables, weights):
            if tuple(variable.shape) != tuple(numpy.shape(value)):
                raise ValueError(
                    f"Layer {self.describe()} weight {variable.path} has shape {variable.shape}, "
                    f"which is not compatible with the provided weight shape {numpy.shape(value)}"
                )
        for variable, value in zip(variables, weights):
            variable.assign(value)

    def count_params(self):
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer {self.describe()}, but the layer "
                "isn't built. You can build it manually via: `layer.build(input_shape)`"
            )
        return int(sum(numpy.prod(v.shape, dtype=numpy.int64) for v in self.weights))

    # ----- losses --------------------------------------------------------------------------

    def add_loss(self, loss):
        if collected_loss(self, loss):  # a StatelessScope takes it instead
            return
        self._losses.append(loss)
        _PENDING_LOSSES.append(self)

    @property
    def losses(self):
        """Losses added during the last call (add_loss, activity regularizers) and weight penalties."""
        return self.losses_of(self.loss_sources())

    def loss_sources(self):
        """(layers, penalised variables and regularizers): what `losses` reads. The trainer keeps it
        between steps so that a step does not walk the layer tree."""
        with tree_fixed():
            layers = self._flatten_layers()
            trainable = {id(v) for v in self.trainable_weights}
        penalties = [
            (variable, regularizer)
            for layer in layers
            for variable, regularizer in layer._regularizers
            if id(variable) in trainable
        ]
        return layers, penalties

    @staticmethod
    def losses_of(sources):
        layers, penalties = sources
        return [loss for layer in layers for loss in layer._losses] + [
            regularizer(variable) for variable, regularizer in penalties
        ]

    # ----- building ------------------------------------------------------------------------

    def build(self, input_shape):
        self.built = True

    def get_build_config(self):
        if self._build_shapes is None:
            return None
        if len(self._build_shapes) == 1:
            return {"input_shape": next(iter(self._build_shapes.values()))}
        return {"shapes_dict": dict(self._build_shapes)}

    def build_from_config(self, config):
        if config and "input_shape" in config:
            self.build(_shape_from_config(config["input_shape"]))
        elif config and "shapes_dict" in config:
            self.build(**{k: _shape_from_config(v) for k, v in config["shapes_dict"].items()})

    def _build_on_call(self, args, kwargs):
        self.build(**self._shape_arguments(self.build, args, kwargs))

    def _shape_arguments(self, function, args, kwargs):
        """The shapes to pass to `build` or `compute_output_shape`: the first argument's shapes for a
        one-parameter function, else `<argument>_shape` for each call argument it names (Keras)."""
        parameters = [
            p
            for p in inspect.signature(function).parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        if len(parameters) <= 1:
            first = args[0] if args else next(iter(kwargs.values()))
            return {parameters[0].name: map_structure(_shape_of, first)} if parameters else {}
        bound = inspect.signature(self.call).bind_partial(*args, **kwargs).arguments
        return {
            p.name: map_structure(_shape_of, bound[p.name[: -len("_shape")]])
            for p in parameters
            if p.name.endswith("_shape") and p.name[: -len("_shape")] in bound
        }

    def _symbolic_outputs(self, args, kwargs):
        """As Keras: a layer with its own `compute_output_shape` is not run on KerasTensors; its
        outputs come from that shape rule. Other layers run `call`, their ops checking shapes."""
        if type(self).compute_output_shape is Layer.compute_output_shape:
            return self.call(*args, **kwargs)
        shapes = self.compute_output_shape(**self._shape_arguments(self.compute_output_shape, args, kwargs))
        return tensors_for_shapes(shapes, self.compute_dtype)

    # ----- calling -------------------------------------------------------------------------

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"Layer {type(self).__name__} does not have a `call()` method implemented")

    def compute_mask(self, inputs, previous_mask):
        return previous_mask

    def __call__(self, *args, **kwargs):
        if "_trainable_variables" not in self.__dict__:
            self._check_super_called()
        if len(args) == 1 and type(args[0]) is Tensor:
            # the usual call (the model's adds `training`): no walk for KerasTensors, no structure to convert
            symbolic = bool(kwargs) and any_symbolic(kwargs)
            converted = args
            first = args[0]
            if first.dtype is not self._compute_numpy_dtype:  # else nothing to convert
                first = self._convert_input(first)
                converted = (first,)
        else:
            symbolic = any_symbolic((args, kwargs))
            converted, first = self._converted_inputs(args, kwargs)
        # `kwargs` is this call's own dict, which the call fills in (training, mask); a node records the arguments
        # as given
        outputs = self._checked_call(first, converted, dict(kwargs) if symbolic else kwargs, symbolic)
        if symbolic:
            outputs = self._record_node(args, kwargs, outputs)
        if self.output_shapes is None:
            self.output_shapes = map_structure(_shape_without_batch, outputs)
        return outputs

    def _converted_inputs(self, args, kwargs):
        """The arguments with `_convert_input` applied to every tensor, and the first input (`args[0]`, else the
        first keyword's value)."""
        convert = self._convert_input
        args = tuple(convert(a) if type(a) is Tensor else map_structure(convert, a) for a in args)
        return args, args[0] if args else next(iter(kwargs.values()), None)

    def _checked_call(self, first, args, kwargs, symbolic):
        """Check the (converted) inputs against input_spec, build, call (on KerasTensors when `symbolic`); errors
        name the layer. `kwargs` is a dict of this call's own, which it fills in."""
        if not _CALLS and _PENDING_LOSSES:
            _clear_losses()
        try:
            spec = self.input_spec  # a lone tensor of the shape and dtype that last passed the spec passes again
            if spec is not None and not (
                type(first) is Tensor and (spec, first.shape, first.dtype) == self.__dict__.get("_input_passed")
            ):
                self._check_inputs(first)
            if not self.built:
                self._build_on_call(args, kwargs)
                if self.input_spec is not None:
                    self._check_inputs(first)
            training, previous_mask = self._resolve_call_arguments(first, args, kwargs)
            _CALLS.append((self, training))
            try:
                # for_layer is None without an autocast in effect for a layer computing in its variables' dtype
                scope = (
                    autocast_scope.for_layer(self.autocast, self._compute_dtype, self._dtype)
                    if AUTOCAST or self._compute_dtype != self._dtype
                    else None
                )
                if scope is None and not symbolic and not self._remat_mode:
                    outputs = self.call(*args, **kwargs)
                else:
                    with scope or contextlib.nullcontext():
                        if symbolic:
                            outputs = self._symbolic_outputs(args, kwargs)
                        elif self._remat_mode:
                            call = self.rematerialized_call(self._call_in_context(training), *args, **kwargs)
                            outputs = call(*args, **kwargs)
                        else:
                            outputs = self.call(*args, **kwargs)
            finally:
                _CALLS.pop()
            if (
                self.activity_regularizer is not None
                or previous_mask is not None
                or type(self).compute_mask is not Layer.compute_mask
            ):
                self._after_call(first, outputs, previous_mask)
        except (ValueError, TypeError) as error:
            if getattr(error, "layer_named", False) or type(error) not in (ValueError, TypeError):
                raise
            raise _named_error(error, self) from error
        except RecursionError as error:  # named once, by the outermost layer call, after the stack unwound
            if not hasattr(error, "layer"):
                error.layer = self  # the innermost layer call the error passed: the one that recursed
            if _CALLS:
                raise
            raise RecursionError(
                f"{error.layer.describe()}: its call() recursed without end (maximum recursion depth exceeded)"
            ) from error
        return outputs

    def _call_in_context(self, training):
        """`call` run as inside this layer's call (its `training`, its autocast): what `remat` runs again
        in the backward pass, outside any layer call."""

        @functools.wraps(self.call)
        def call(*args, **kwargs):
            _CALLS.append((self, training))
            try:
                with (
                    autocast_scope.for_layer(self.autocast, self._compute_dtype, self._dtype)
                    or contextlib.nullcontext()
                ):
                    return self.call(*args, **kwargs)
            finally:
                _CALLS.pop()

        return call

    def rematerialized_call(self, layer_call, *args, **kwargs):
        """As `Operation.rematerialized_call`, and the layer-level modes: "activations" runs the layer's
        activation function through `remat`, "list_of_layers" the whole call when the layer is named."""
        if self._remat_mode and self._remat_mode.mode == "activations":
            if getattr(self, "activation", None) is None:
                return layer_call

            @functools.wraps(layer_call)
            def call_with_rematerialized_activation(*args, **kwargs):
                activation = self.activation
                self.activation = remat(activation)
                try:
                    return layer_call(*args, **kwargs)
                finally:
                    self.activation = activation

            return call_with_rematerialized_activation
        if self._remat_mode and self._remat_mode.mode == "list_of_layers":
            return remat(layer_call) if self.name in self._remat_mode.layer_names else layer_call
        return super().rematerialized_call(layer_call, *args, **kwargs)

    def _check_inputs(self, inputs):
        """Check `inputs` against input_spec (set); for a lone tensor, remember the spec, shape and dtype that passed
        (`_checked_call` does not check them again: a training loop calls every layer with the same batch shape)."""
        spec = self.input_spec
        passed = (spec, inputs.shape, inputs.dtype) if type(inputs) is Tensor else None  # the spec: by identity
        try:
            assert_input_compatibility(spec, inputs, self.describe)
        except ValueError as error:
            error.layer_named = True
            raise
        self._input_passed = passed

    def _convert_input(self, x):
        """Arrays become Tensors; floating inputs are cast to the layer's compute dtype (autocast)."""
        if type(x) is Tensor:  # the usual input, kept as it is in one test (the checks below, for a Tensor)
            dtype = x.dtype
            if not self.autocast or dtype == self._compute_dtype or not _is_float(dtype):
                return x
        elif isinstance(x, numpy.ndarray):
            if x.dtype.kind in "OSU":  # strings stay on the host, for the preprocessing layers that read them
                return x
            if self.autocast and _is_float(x.dtype):
                x = x.astype(self.compute_dtype, copy=False)
            return Tensor(_device_array(x))
        dtype = getattr(x, "dtype", None)
        if (
            self.autocast
            and dtype is not None
            and hasattr(x, "shape")
            and _is_float(dtype)
            and numpy.dtype(dtype) != self.compute_dtype
            and not isinstance(x, Variable)
        ):
            from kerasish import ops

            return ops.cast(x, self.compute_dtype)
        return x

    def _resolve_call_arguments(self, first, args, kwargs):
        """Fill in `training` (explicit, else the outer call's, else call()'s default) and `mask`."""
        position, mask_position, default, any_keyword = _call_signature(type(self).call)
        if position is not None and position < len(args):
            training = args[position]
        else:
            training = kwargs.get("training")
            if training is None:
                training = _CALLS[-1][1] if _CALLS else None
            if training is None:
                training = default
            if position is not None and training is not None:
                kwargs["training"] = training
            elif position is None and not any_keyword and kwargs:
                kwargs.pop("training", None)
        if not _MASKS:
            return training, None
        given = args[mask_position] if mask_position is not None and mask_position < len(args) else None
        previous_mask = kwargs.get("mask", given)
        if previous_mask is None:
            previous_mask = map_structure(get_mask, first)
            if mask_position is not None and mask_position >= len(args) and _has_mask(previous_mask):
                kwargs["mask"] = previous_mask
        return training, previous_mask

    def _after_call(self, first, outputs, previous_mask):
        if self.activity_regularizer is not None:
            for output in flatten(outputs):
                if hasattr(output, "shape"):
                    loss = self.activity_regularizer(output)
                    if len(output.shape) and output.shape[0]:
                        loss = loss / output.shape[0]
                    self.add_loss(loss)
        masked = _has_mask(previous_mask)
        if self.supports_masking and (masked or type(self).compute_mask is not Layer.compute_mask):
            self._set_output_masks(first, outputs, previous_mask)
        elif masked and not self.supports_masking:
            warnings.warn(
                f"Layer {self.describe()} was passed an input with a mask attached to it. "
                "However, this layer does not support masking and will therefore destroy "
                "the mask information. Downstream layers will not see the mask.",
                stacklevel=2,
            )

    def _set_output_masks(self, first, outputs, previous_mask):
        flat_outputs = flatten(outputs)
        if all(get_mask(x) is not None for x in flat_outputs):
            return
        masks = self.compute_mask(first, previous_mask)
        if masks is None:
            return
        for output, mask in zip(flat_outputs, flatten(masks)):
            if mask is not None and get_mask(output) is None:
                set_mask(output, mask)

    def _record_node(self, args, kwargs, outputs):
        """Fresh KerasTensors for the outputs, remembering this call, as the functional API needs."""

        def fresh(x):
            tensor = KerasTensor(x.shape, x.dtype)
            mask = get_mask(x)
            if mask is not None:
                set_mask(tensor, mask)
            return tensor

        outputs = map_structure(fresh, outputs)
        self._inbound_nodes.append(Node(self, args, kwargs, flatten(outputs)))
        return outputs

    def compute_output_spec(self, *args, **kwargs):
        """KerasTensors (shape and dtype) of the outputs, found by running `call` symbolically."""
        self._check_super_called()
        args = map_structure(lambda x: KerasTensor(x.shape, x.dtype) if hasattr(x, "shape") else x, args)
        symbolic = any_symbolic((args, kwargs))
        args, first = self._converted_inputs(args, kwargs)
        return self._checked_call(first, args, kwargs, symbolic)

    def compute_output_shape(self, input_shape):
        outputs = self.compute_output_spec(tensors_for_shapes(input_shape))
        return map_structure(lambda x: x.shape, outputs)

    @property
    def input(self):
        return self._node_tensors("input", lambda node: node.parents)

    @property
    def output(self):
        return self._node_tensors("output", lambda node: node.outputs)

    def _node_tensors(self, kind, tensors):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.describe()} has never been called and thus has no defined {kind}")
        found = tensors(self._inbound_nodes[0])
        return found[0] if len(found) == 1 else found

    # ----- configuration -------------------------------------------------------------------

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "dtype": dtype_policies.serialize(self.dtype_policy)}
        if self.activity_regularizer is not None:
            from kerasish import regularizers

            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        if not getattr(type(self).get_config, "default_config", False):
            return config
        if self._auto_config is None:
            raise NotImplementedError(
                f"Layer {type(self).__name__} was created with arguments that cannot be "
                "serialized automatically; override `get_config()` to return them"
            )
        return {**config, **self._auto_config}

    get_config.default_config = True

    @classmethod
    def from_config(cls, config):
        try:
            return cls(**config)
        except Exception as error:
            raise TypeError(
                f"Error when deserializing class '{cls.__name__}' using config={config}.\n\n"
                f"Exception encountered: {error}"
            ) from error


Layer.build = _wrap_build(Layer.build)
_BOOKKEEPING = frozenset(
    {
        "_inbound_nodes",
        "_trainable_variables",
        "_non_trainable_variables",
        "_regularizers",
        "_losses",
        "_build_shapes",
        "_auto_config",
        "input_spec",
        "_input_passed",
        "_trainable_cache",
        "_step_state",
        "_loss_sources",
    }
)


class tree_fixed:  # noqa: N801 - a context manager, named as contextlib's are
    """Within the block (in this thread) no layer's attributes change: each layer's attribute leaves and direct
    sublayers are found once and reused. What reads the tree for several collections at once (a trainer preparing
    a batch: its variables, loss sources and metrics; `variables`, which walks each layer three times) holds it
    fixed; a block inside another adds nothing."""

    __slots__ = ("outermost",)

    def __enter__(self):
        self.outermost = getattr(_FIXED, "leaves", None) is None
        if self.outermost:
            _FIXED.leaves, _FIXED.layers = {}, {}
        return self

    def __exit__(self, *error):
        if self.outermost:
            _FIXED.leaves = _FIXED.layers = None


def _found_once(table, layer, find):
    """`find(layer)`; inside a `tree_fixed` block, what it found for `layer` the first time (`table`: "leaves" or
    "layers")."""
    found = getattr(_FIXED, table, None)
    if found is None:
        return find(layer)
    result = found.get(id(layer))
    if result is None:
        result = found[id(layer)] = find(layer)
    return result


def _leaves_of(layer):
    leaves = []
    for key, value in vars(layer).items():
        if key not in _BOOKKEEPING:
            _add_leaves(value, leaves)
    return leaves


def _direct_sublayers(layer):
    return _new_leaves(layer, Layer, [], {id(layer)})


def _new_leaves(layer, kind, found, known):
    """`found` with the layer's attribute leaves of type `kind` appended, each once, skipping the ids in `known`."""
    for leaf in layer._attribute_leaves():
        if isinstance(leaf, kind) and id(leaf) not in known:
            known.add(id(leaf))
            found.append(leaf)
    return found


def _add_leaves(value, leaves):
    """Append `value` to `leaves`, or what it holds where it is a list, tuple or dict (opened in turn)."""
    if isinstance(value, (list, tuple)):
        for item in value:
            _add_leaves(item, leaves)
    elif isinstance(value, dict):
        for item in value.values():
            _add_leaves(item, leaves)
    else:
        leaves.append(value)


def _clear_losses():
    for layer in _PENDING_LOSSES:
        layer._losses.clear()
    _PENDING_LOSSES.clear()


def _is_float(dtype):
    """numpy's float kind, and ml_dtypes' bfloat16 (kind "V")."""
    dtype = numpy.dtype(dtype)
    return dtype.kind == "f" or is_bfloat16(dtype)


def _standard_dtype(dtype):
    if dtype is None:
        return config.floatx()
    if isinstance(dtype, dict):
        dtype = dtype.get("config", {}).get("name")
    if dtype == "string":  # Keras's dtype of text inputs, held by numpy as Python objects
        return "object"
    try:
        return numpy_dtype(dtype).name
    except (TypeError, ValueError):
        raise ValueError(
            f"Unsupported dtype {dtype!r}: kerasish layers take a dtype such as 'float32', a DTypePolicy "
            "or a policy name such as 'mixed_float16'"
        ) from None


def _resolve(module, identifier):
    """An initializer, regularizer or constraint from its name or config; callables pass through."""
    if identifier is None or (callable(identifier) and not isinstance(identifier, type)):
        return identifier
    return {"constraints": constraints, "initializers": initializers, "regularizers": regularizers}[module].get(
        identifier
    )


def _device_array(array):
    from kerasish.backends import device

    return device.to_device(array)


def _is_shape(value):
    return isinstance(value, (list, tuple)) and all(d is None or isinstance(d, (int, numpy.integer)) for d in value)


def _shape_from_config(shape):
    """JSON turns shape tuples into lists; turn them back, keeping lists of shapes as lists."""
    if _is_shape(shape):
        return tuple(shape)
    if isinstance(shape, dict):
        return {key: _shape_from_config(value) for key, value in shape.items()}
    return [_shape_from_config(value) for value in shape]


def tensors_for_shapes(shape, dtype="float32"):
    """KerasTensors for a shape or a nested list/tuple/dict of shapes."""
    if _is_shape(shape):
        return KerasTensor(shape, dtype)
    if isinstance(shape, dict):
        return {key: tensors_for_shapes(value, dtype) for key, value in shape.items()}
    return type(shape)(tensors_for_shapes(value, dtype) for value in shape)
