"""`keras.StatelessScope`: code that reads and assigns Variables without changing them.

    with StatelessScope(state_mapping=[(variable, value), ...]) as scope:
        outputs = layer(x)             # every op reads `variable` as `value`
        counter.assign_add(1)          # kept in the scope: counter itself is unchanged
    new_count = scope.get_current_value(counter)

A scope in effect sits in `dispatch.SCOPES`; `dispatch.apply` hands it each op's inputs (`rewrite`),
and it replaces the Variables it maps by their values, so the lookup costs nothing while no scope is
in effect and works alike on both engines: a mapped value that is a dynamic Tensor is differentiated
as the input it is, a static Symbol makes the op a graph node. `Variable.assign` asks the scopes
first (`dispatch.assigned_in_scope`): the innermost StatelessScope records the new value, and later
reads inside the scope see it (through ops: `variable.value` and `numpy()` give the stored value).
`Layer.add_loss` inside a scope adds nothing to the layer: with `collect_losses` the loss goes to
`scope.losses`, otherwise it is dropped, as in Keras.
Unlike Keras, a variable the inner of two nested scopes does not map is
read as the outer scope maps it. kerasish Variables hold their value from creation, so there is no
deferred initialization: `initialize_variables` is accepted for Keras's signature and changes nothing.
"""

import numpy

from . import device, dispatch
from .dtypes import numpy_dtype
from .dynamic.tensor import Tensor
from .primitives.registry import ops
from .variable import Variable


class StatelessScope:
    """`StatelessScope(state_mapping=None, collect_losses=False, initialize_variables=True)`:
    `state_mapping` is a list of `(variable, value)` pairs; with `collect_losses`, losses added by
    `Layer.add_loss` inside the scope go to `scope.losses` instead of the layer."""

    def __init__(self, state_mapping=None, collect_losses=False, initialize_variables=True):
        self.collect_losses = collect_losses
        self.initialize_variables = initialize_variables
        self.losses = []
        self.state_mapping = {}
        for variable, value in state_mapping or ():
            if not isinstance(variable, Variable):
                raise ValueError(
                    "Invalid reference variable in StatelessScope: all keys in argument `mapping` "
                    f"must be Variable instances. Received instead: {variable}"
                )
            value = _value_for(variable, value)
            if tuple(variable.shape) != tuple(value.shape):
                raise ValueError(
                    "Invalid variable value in StatelessScope: all values in argument `mapping` must "
                    "be tensors with a shape that matches the corresponding variable shape. For "
                    f"variable {variable}, received invalid value {value} with shape {tuple(value.shape)}."
                )
            self.state_mapping[variable] = value

    def __enter__(self):
        dispatch.SCOPES.append(self)
        return self

    def __exit__(self, *exc):
        dispatch.SCOPES.remove(self)

    def rewrite(self, inputs):
        """An op's inputs, each Variable this scope maps replaced by its value."""
        mapping = self.state_mapping
        if not mapping or not any(type(x) is Variable and x in mapping for x in inputs):
            return inputs
        return [mapping.get(x, x) if type(x) is Variable else x for x in inputs]

    def assign(self, variable, value):
        value = _value_for(variable, value)
        if len(value.shape) != len(variable.shape) or any(
            d is not None and d != v for d, v in zip(value.shape, variable.shape)
        ):
            raise ValueError(
                f"Variable {variable.path!r}: cannot assign a value of shape {tuple(value.shape)} "
                f"to a variable of shape {variable.shape}"
            )
        self.state_mapping[variable] = value
        return True

    def add_loss(self, loss):
        self.losses.append(loss)

    def take_loss(self, layer, loss):
        """A loss `layer.add_loss` gives inside the scope: kept with `collect_losses`, dropped otherwise
        (Keras: a layer keeps no loss added in a stateless scope)."""
        if self.collect_losses:
            self.add_loss(loss)
        return True

    def add_update(self, update):
        variable, value = update
        self.assign(variable, value)

    def get_current_value(self, variable):
        """The value `variable` has in this scope (mapped or assigned), or None."""
        return self.state_mapping.get(variable) if isinstance(variable, Variable) else None


def _value_for(variable, value):
    """`value` as a tensor of the variable's dtype (a Variable's current value; arrays become Tensors)."""
    if isinstance(value, Variable):
        value = Tensor(value.value)
    elif not dispatch.is_registered(value):
        value = Tensor(device.to_device(numpy.asarray(value, dtype=variable.dtype)))
    if numpy_dtype(value.dtype) != variable.dtype:
        value = ops.cast(value, variable.dtype)
    return value


def get_stateless_scope():
    """The innermost StatelessScope in effect, or None."""
    for scope in reversed(dispatch.SCOPES):
        if isinstance(scope, StatelessScope):
            return scope
    return None


def in_stateless_scope():
    return get_stateless_scope() is not None


def collected_loss(layer, loss):
    """Whether a StatelessScope in effect took `loss` from `layer.add_loss` (see `take_loss`)."""
    scope = get_stateless_scope()
    return scope is not None and scope.take_loss(layer, loss)
