"""Seeded fuzzing of the .pth reader, with a fixed budget (issue 11).

Each mutated file (bit flips, truncation, tensor and storage fields in the pickle, zip header fields)
must either load with the values it means or be refused with a PthError naming the file, within
2 seconds and 64 MB; loaded into a model, a refused file leaves every variable as it was.
`tools/fuzz_loaders.py --format pth --count N` runs the same cases for longer.
"""

import itertools

import numpy
import pytest

from kerasish import layers
from kerasish.applications.loading import load_pretrained
from kerasish.models import Model

from . import crafted_pth
from .crafted_pth import Tensor
from .time_limit import within

CASES_PER_CONTAINER = 600
MODEL_CASES = 300


@pytest.mark.slow
@pytest.mark.parametrize("container", ["zip", "legacy"])
def test_every_mutated_file_loads_as_it_means_or_is_refused(tmp_path, container):
    outcomes = [
        crafted_pth.outcome(case, tmp_path / "mutated.pth")
        for case in itertools.islice(crafted_pth.mutations(seed=11, container=container), CASES_PER_CONTAINER)
    ]
    # the budget reaches both sides of the contract
    assert outcomes.count("loaded") > 10 and outcomes.count("refused") > 10


def torch_keys(model):
    return {"conv": ("conv", "features.0", None), "norm": ("bn", "features.1", None), "dense": ("dense", "fc", None)}


def small_model():
    inputs = layers.Input((4, 4, 3))
    x = layers.Conv2D(2, 2, name="conv")(inputs)
    x = layers.BatchNormalization(name="norm")(x)
    x = layers.Flatten(name="flatten")(layers.Activation("relu", name="relu")(x))
    return Model(inputs, layers.Dense(3, name="dense")(x), name="small")


def small_model_case():
    """The torch state dict of `small_model`, as crafted tensors over storages."""
    rng = numpy.random.default_rng(0)
    arrays = {
        "features.0.weight": (2, 3, 2, 2),
        "features.0.bias": (2,),
        "features.1.weight": (2,),
        "features.1.bias": (2,),
        "features.1.running_mean": (2,),
        "features.1.running_var": (2,),
        "fc.weight": (3, 18),
        "fc.bias": (3,),
    }
    storages, tensors = {}, {}
    for index, (name, shape) in enumerate(arrays.items()):
        storages[str(index)] = rng.uniform(0.5, 1.5, int(numpy.prod(shape))).astype("<f4")
        strides = tuple(int(s) for s in numpy.cumprod((1,) + shape[::-1])[:-1][::-1])
        tensors[name] = Tensor(str(index), shape, strides)
    return tensors, storages


def test_a_refused_mutated_file_leaves_the_model_as_it_was(tmp_path):
    model = small_model()
    initial = model.get_weights()
    path = tmp_path / "mutated.pth"
    refused = 0
    for case in itertools.islice(crafted_pth.mutations(seed=12, case=small_model_case()), MODEL_CASES):
        path.write_bytes(case.data)
        try:
            with within(2):
                load_pretrained(model, str(path), "torchvision", torch_keys)
        except ValueError as error:  # PthError, or the loader's list of problems
            assert str(path) in str(error), case.how
            for got, expected in zip(model.get_weights(), initial, strict=True):
                numpy.testing.assert_array_equal(got, expected, err_msg=case.how)
            refused += 1
        else:
            model.set_weights(initial)
    assert refused > 10
