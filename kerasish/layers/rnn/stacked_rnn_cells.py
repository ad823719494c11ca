"""StackedRNNCells: several RNN cells run as one, each step's output feeding the next cell.

The RNN layer holds every cell's states in one flat list (the first cell's states first), so `state_size`
is that flat list and `return_state=True` returns the states in that order."""

import inspect

from kerasish import ops
from kerasish.layers.layer import Layer
from kerasish.layers.rnn.rnn import state_list
from kerasish.utils.object_serialization import deserialize_layer, serialize_layer


def _output_size(cell):
    if getattr(cell, "output_size", None) is not None:
        return cell.output_size
    return state_list(cell.state_size)[0]


def _training_argument(cell, training):
    return {"training": training} if "training" in inspect.signature(cell.call).parameters else {}


class StackedRNNCells(Layer):
    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if not hasattr(cell, "call"):
                raise ValueError(f"All cells must have a `call` method. Received cell without a `call` method: {cell}")
            if not hasattr(cell, "state_size"):
                raise ValueError(
                    f"All cells must have a `state_size` attribute. Received cell without a `state_size`: {cell}"
                )
        self.cells = list(cells)

    @property
    def state_size(self):
        return [size for cell in self.cells for size in state_list(cell.state_size)]

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def build(self, input_shape):
        for cell in self.cells:
            if not cell.built:
                cell.build(input_shape)
            input_shape = (input_shape[0], _output_size(cell))

    def _per_cell(self, states):
        """The flat list of states, split into each cell's list."""
        split, start = [], 0
        for cell in self.cells:
            count = len(state_list(cell.state_size))
            split.append(list(states[start : start + count]))
            start += count
        return split

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, self._per_cell(states)):
            inputs, cell_states = cell.call(inputs, cell_states, **_training_argument(cell, training))
            new_states.extend(cell_states if isinstance(cell_states, (list, tuple)) else [cell_states])
        return inputs, new_states

    # ----- the RNN layer draws each cell's dropout masks once per sequence --------------------------

    def prepare_dropout_masks(self, step_inputs, state, training):
        inputs = step_inputs
        for cell in self.cells:
            size = state_list(cell.state_size)[0]
            cell_state = ops.zeros_like(step_inputs[:, :1]) + ops.zeros((size,), step_inputs.dtype)
            if hasattr(cell, "prepare_dropout_masks"):
                cell.prepare_dropout_masks(inputs, cell_state, training)
            inputs = ops.zeros_like(step_inputs[:, :1]) + ops.zeros((_output_size(cell),), step_inputs.dtype)

    def reset_dropout_mask(self):
        for cell in self.cells:
            if hasattr(cell, "reset_dropout_mask"):
                cell.reset_dropout_mask()

    def get_config(self):
        return {**super().get_config(), "cells": [serialize_layer(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [deserialize_layer(cell, custom_objects) for cell in config.pop("cells")]
        return cls(cells, **config)
