"""MultiOptimizer and OptimizerMap (Keras 3): each variable updated by the optimizer chosen for it.

An OptimizerMap maps variable paths to optimizers: an exact key first, else the one key that matches
the path as a regular expression (`re.fullmatch`), else the default optimizer. A MultiOptimizer takes
such a map (or any callable `variable -> optimizer`), builds each inner optimizer on its own variables
and hands each its gradients; its own `iterations` counts the steps.
"""

import re
from collections.abc import MutableMapping

from .loss_scale_optimizer import LossScaleOptimizer, deserialize_optimizer, serialize_optimizer
from .optimizer import Optimizer


class OptimizerMap(MutableMapping):
    """`keras.optimizers.OptimizerMap(default_optimizer, optimizer_map=None)`."""

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(f"default_optimizer must be a Keras Optimizer instance. Received: {default_optimizer}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: {optimizer_map}")
        self._default_optimizer = default_optimizer
        self._optimizer_map = {}
        for key, optimizer in (optimizer_map or {}).items():
            self[key] = optimizer

    @property
    def default_optimizer(self):
        return self._default_optimizer

    def __getitem__(self, key):
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matching = [pattern for pattern in self._optimizer_map if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(f"Multiple optimizers assigned to variable {key}.")
        return self._optimizer_map[matching[0]] if matching else self._default_optimizer

    def __setitem__(self, key, optimizer):
        if key in self._optimizer_map:
            raise ValueError(
                f"'{key}' already exists in the OptimizerMap with value {self._optimizer_map[key]}. Please make "
                "sure to not use duplicated keys."
            )
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key}")
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"optimizer must be a Keras Optimizer instance. Received: {optimizer}")
        if isinstance(optimizer, LossScaleOptimizer):
            raise ValueError("optimizer cannot be LossScaleOptimizer.")
        if isinstance(optimizer, MultiOptimizer):
            raise ValueError("optimizer cannot be MultiOptimizer.")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key):
        del self._optimizer_map[key]

    def __len__(self):
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable):
        return self[variable.path]

    def get_config(self):
        return {
            "default_optimizer": serialize_optimizer(self._default_optimizer),
            "optimizer_map": {key: serialize_optimizer(value) for key, value in self._optimizer_map.items()},
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        default_optimizer = deserialize_optimizer(config["default_optimizer"], custom_objects)
        optimizer_map = {
            key: deserialize_optimizer(value, custom_objects) for key, value in config["optimizer_map"].items()
        }
        return cls(default_optimizer, optimizer_map)


class MultiOptimizer(Optimizer):
    """`keras.optimizers.MultiOptimizer(optimizer_map, loss_scale_factor=None, name=None)`: `optimizer_map` is
    an OptimizerMap or a callable `variable -> optimizer`; `loss_scale_factor` overrides the inner ones'."""

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        if not callable(optimizer_map):
            raise TypeError(
                "MultiOptimizer: `optimizer_map` must be an OptimizerMap or a callable that returns the "
                f"optimizer of a variable. Received: optimizer_map={optimizer_map!r}"
            )
        self.optimizers = []  # public, as Keras's property: `.keras` files hold them under optimizer/optimizers/
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        for optimizer in [*getattr(optimizer_map, "values", list)(), getattr(optimizer_map, "default_optimizer", None)]:
            if optimizer is not None and optimizer not in self.optimizers:
                optimizer.loss_scale_factor = loss_scale_factor
                self.optimizers.append(optimizer)

    def build(self, variables):
        if self.built:
            return
        self._var_to_optimizer_index = {}
        for variable in variables:
            optimizer = self._optimizer_map(variable)
            if not isinstance(optimizer, Optimizer):
                raise ValueError(f"Optimizer for variable {variable} is not an Optimizer instance.")
            if isinstance(optimizer, LossScaleOptimizer):
                raise ValueError("LossScaleOptimizer cannot be used inside an MultiOptimizer.")
            if isinstance(optimizer, MultiOptimizer):
                raise ValueError("MultiOptimizer cannot be used inside an MultiOptimizer.")
            if optimizer not in self.optimizers:
                optimizer.loss_scale_factor = self.loss_scale_factor
                self.optimizers.append(optimizer)
            self._var_to_optimizer_index[variable] = self.optimizers.index(optimizer)
        for index, optimizer in enumerate(self.optimizers):
            own = self._variables_of(index, variables)
            if own:
                optimizer.build(own)
        super().build(variables)

    def _variables_of(self, index, variables):
        return [variable for variable in variables if self._var_to_optimizer_index[variable] == index]

    @property
    def variables(self):
        variables = list(self._variables)
        for optimizer in self.optimizers:
            variables.extend(optimizer.variables)
        return variables

    @property
    def learning_rate(self):
        raise AttributeError(
            "Learning rate cannot be accessed on a MultiOptimizer. Access the learning rate on the individual "
            "sub-optimizers instead."
        )

    @learning_rate.setter
    def learning_rate(self, value):
        raise AttributeError(
            "Learning rate cannot be set on a MultiOptimizer. Set the learning rate on the individual "
            "sub-optimizers instead."
        )

    @property
    def loss_scale_factor(self):
        return self.__dict__.get("_loss_scale_factor")

    @loss_scale_factor.setter
    def loss_scale_factor(self, value):
        self._loss_scale_factor = value
        for optimizer in self.optimizers:
            optimizer.loss_scale_factor = value

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be built on a list "
                    "of variables. Call `optimizer.build(trainable_variables)` first."
                )
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        if len(grads) != len(self._var_to_optimizer_index):
            raise ValueError(
                f"Gradients must match trainable variables one-to-one. Received {len(grads)} gradients and "
                f"{len(self._var_to_optimizer_index)} variables."
            )
        self._check_variables_are_known(trainable_variables)
        for index, optimizer in enumerate(self.optimizers):
            pairs = [
                (grad, variable)
                for grad, variable in zip(grads, trainable_variables)
                if self._var_to_optimizer_index[variable] == index
            ]
            if pairs:
                optimizer.apply([grad for grad, _ in pairs], [variable for _, variable in pairs])
        self._iterations.assign_add(1)

    def finalize_variable_values(self, var_list):
        for index, optimizer in enumerate(self.optimizers):
            own = self._variables_of(index, var_list)
            if own:
                optimizer.finalize_variable_values(own)

    def get_config(self):
        return {
            "optimizer_map": serialize_optimizer(self._optimizer_map),
            "loss_scale_factor": self.loss_scale_factor,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        optimizer_map = config["optimizer_map"]
        if isinstance(optimizer_map, dict) and optimizer_map.get("class_name") == "OptimizerMap":
            config["optimizer_map"] = OptimizerMap.from_config(optimizer_map["config"], custom_objects)
        else:
            config["optimizer_map"] = deserialize_optimizer(optimizer_map, custom_objects)
        return cls(**config)
