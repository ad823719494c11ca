"""HDF5 files that would make a loader hold bytes from outside the file (external storage, external
and soft links, virtual datasets) or read far more than the model needs (a huge declared shape)
are refused, through every entry point, before anything is assigned (issue 11, findings 2 and 4)."""

import contextlib
import os
import shutil
import subprocess
import sys
import tracemalloc

import h5py
import numpy
import pytest

from kerasish import ops
from kerasish.backends import static
from kerasish.data.hdf5_dataset import HDF5Dataset
from kerasish.saving import legacy_h5_format, load_model
from tests.saving.models_for_tests import CUSTOM_OBJECTS, assert_same, perturb, trained_model, values
from tests.security import crafted_hdf5
from tests.security.crafted_hdf5 import ATTACKS, HUGE_SHAPE_ATTACK, REFUSALS, SECRET

ENTRY_POINTS = (
    "load_weights .weights.h5",
    "load_weights .keras",
    "load_model .keras",
    "load_weights .h5",
    "load_model .h5",
    "read_layer_weights .h5",
    "static.load",
    "HDF5Dataset",
)
# The dataset each entry point's file has attacked: a (4,) float32 weight of the toy model.
TARGETS = {
    ".weights.h5": "layers/scale/vars/0",
    ".keras": "layers/scale/vars/0",
    ".h5": "model_weights/scale/scale/kernel",
}


def _static_file(path):
    w = static.variable(numpy.ones(4, "float32"), name="w")
    x = static.placeholder((4,), name="x")
    static.save(static.function([x], [ops.sum(w * x)]), str(path))
    return "variables/0"


def _data_file(path):
    with h5py.File(path, "w") as file:
        file["x"] = numpy.zeros((12, 4), "float32")
        file["y"] = numpy.zeros((12, 1), "float32")
    return "x"


def _hostile(tmp_path, entry_point, how):
    """(model or None, the loading call) for `entry_point` on a file attacked by `how`."""
    suffix = entry_point.split()[-1]
    model = trained_model()
    if suffix == "static.load" or suffix == "HDF5Dataset":
        path = tmp_path / "file.h5"
        target = _static_file(path) if suffix == "static.load" else _data_file(path)
        crafted_hdf5.attack(str(path), target, how, str(tmp_path))
        return None, (lambda: static.load(str(path))) if suffix == "static.load" else (lambda: HDF5Dataset(path))
    path = tmp_path / f"m{suffix}"
    if suffix == ".weights.h5":
        model.save_weights(path)
    else:
        with pytest.warns(UserWarning) if suffix == ".h5" else contextlib.nullcontext():
            model.save(path)
    if suffix == ".keras":
        crafted_hdf5.attack_keras(str(path), TARGETS[suffix], how, str(tmp_path))
    else:
        crafted_hdf5.attack(str(path), TARGETS[suffix], how, str(tmp_path))
    perturb(model)
    if entry_point.startswith("load_model"):
        return None, lambda: load_model(path, custom_objects=CUSTOM_OBJECTS)
    if entry_point.startswith("read_layer_weights"):
        return None, lambda: legacy_h5_format.read_layer_weights(path)
    return model, lambda: model.load_weights(path)


def _holds_secret(model):
    return SECRET in b"".join(numpy.ascontiguousarray(w.numpy()).tobytes() for w in model.weights)


@pytest.mark.parametrize("how", ATTACKS)
@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_data_from_outside_the_file_is_refused(tmp_path, entry_point, how):
    model, load = _hostile(tmp_path, entry_point, how)
    before = values(model.weights) if model is not None else None
    with pytest.raises(ValueError, match=REFUSALS[how]):
        load()
    if model is not None:
        assert_same(values(model.weights), before)
        assert not _holds_secret(model)


@pytest.mark.parametrize("entry_point", [e for e in ENTRY_POINTS if e != "HDF5Dataset"])
def test_a_huge_declared_shape_is_refused_before_its_data_is_read(tmp_path, entry_point):
    model, load = _hostile(tmp_path, entry_point, HUGE_SHAPE_ATTACK)
    before = values(model.weights) if model is not None else None
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"shape mismatch|\(100000000,\)"):
            load()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20, f"the refused load allocated {peak} bytes"
    if model is not None:
        assert_same(values(model.weights), before)


def test_a_data_file_reads_only_the_rows_asked_for(tmp_path):
    """A user's data file may declare more rows than it stores (unwritten rows read as the fill
    value): HDF5Dataset reads one block of rows at a time, so the file cannot make it read more."""
    path = tmp_path / "data.h5"
    with h5py.File(path, "w") as file:
        file.create_dataset("x", shape=(crafted_hdf5.HUGE_ELEMENTS, 4), dtype="float32")
        file["x"][:3] = 1.0
    tracemalloc.start()
    try:  # opening it plans the epoch: nothing per batch or per row (it was a 2.2 GB list of batches)
        dataset = HDF5Dataset(path, x="x", y=None, batch_size=4, cache_batches=2)
        first = dataset[0]
        last = dataset[len(dataset) - 1]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        dataset.close()
    assert len(dataset) == crafted_hdf5.HUGE_ELEMENTS // 4 and last.shape == (4, 4)
    numpy.testing.assert_array_equal(first, [[1.0] * 4] * 3 + [[0.0] * 4])
    assert peak < 2**20


def test_a_hard_link_loop_is_walked_once(tmp_path):
    model = trained_model()
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    saved = values(model.weights)
    with h5py.File(path, "r+") as file:
        file["layers/scale/loop"] = file["layers"]
    perturb(model)
    model.load_weights(path)
    assert_same(values(model.weights), saved)


def test_a_non_numeric_weight_is_refused(tmp_path):
    model = trained_model()
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "r+") as file:
        del file["layers/scale/vars/0"]
        file.create_dataset("layers/scale/vars/0", data=numpy.array(list("abcd"), dtype=h5py.string_dtype()))
    perturb(model)
    before = values(model.weights)
    with pytest.raises(ValueError, match="not a numeric array"):
        model.load_weights(path)
    assert_same(values(model.weights), before)


_LOAD_IN_A_CHILD = """
import sys, warnings
warnings.simplefilter("ignore")
from kerasish import layers, models
from kerasish.backends import static
from kerasish.saving import load_model
from tests.saving.models_for_tests import CUSTOM_OBJECTS
path, entry_point = sys.argv[1], sys.argv[2]
try:
    if entry_point == "static.load":
        static.load(path)
    elif entry_point == "load_model .h5":
        load_model(path, custom_objects=CUSTOM_OBJECTS)
    else:
        models.Sequential([layers.Input((4,)), layers.Dense(8), layers.Dense(3)]).load_weights(path)
except ValueError as error:
    print("refused:", error)
"""


@pytest.mark.parametrize("entry_point", ["load_weights Keras .h5", "load_model .h5", "static.load"])
def test_a_global_heap_that_would_make_hdf5_loop_forever_is_refused(tmp_path, entry_point):
    """HDF5 loops forever (in C, where no alarm reaches) reading a string from a heap whose
    free-space object has size 0; the reader checks the heaps before it reads a string attribute."""
    path = tmp_path / "file.h5"
    if entry_point == "static.load":
        _static_file(path)
    elif entry_point == "load_weights Keras .h5":  # Keras writes layer_names as strings, kerasish as bytes
        shutil.copyfile(
            os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "keras_files", "mlp.h5"), path
        )
    else:
        with pytest.warns(UserWarning):
            trained_model().save(path)
    crafted_hdf5.zero_size_heap_object(str(path))
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        result = subprocess.run(
            [sys.executable, "-c", _LOAD_IN_A_CHILD, str(path), entry_point],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{entry_point} of a file with a size-0 global heap object still runs after 120 s")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "global heap" in result.stdout and "free-space object of 0 bytes" in result.stdout, result.stdout


def test_a_dataset_that_needs_a_filter_plugin_is_refused(tmp_path):
    """Any filter other than HDF5's built-in ones (and LZF) would make HDF5 look for a plugin."""
    model = trained_model()
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "r+") as file:
        del file["layers/scale/vars/0"]
        file.create_dataset(
            "layers/scale/vars/0",
            shape=(4,),
            dtype="float32",
            chunks=(4,),
            compression=32123,
            allow_unknown_filter=True,
        )
    perturb(model)
    before = values(model.weights)
    with pytest.raises(ValueError, match=r"'/layers/scale/vars/0' is refused: it needs filter\(s\) \[32123\]"):
        model.load_weights(path)
    assert_same(values(model.weights), before)


def test_read_layer_weights_checks_the_declared_size_before_reading(tmp_path):
    model = trained_model()
    path = tmp_path / "m.h5"
    with pytest.warns(UserWarning):
        model.save(path)
    declared = 4 * 4 * 3 + 4  # the toy model's Scale kernel and bias, Moments gamma (float32) and count
    assert [a.shape for a in legacy_h5_format.read_layer_weights(path, max_bytes=declared)["scale"]] == [(4,), (4,)]
    with pytest.raises(ValueError, match=f"declare {declared} bytes, more than the {declared - 1} bytes"):
        legacy_h5_format.read_layer_weights(path, max_bytes=declared - 1)


def test_a_legacy_training_config_of_the_wrong_type_is_a_clear_error(tmp_path):
    path = tmp_path / "m.h5"
    with pytest.warns(UserWarning):
        trained_model().save(path)
    with h5py.File(path, "r+") as file:
        file.attrs["training_config"] = b"7"
    with pytest.raises(
        ValueError,
        match=r"m\.h5: training_config does not describe a model kerasish can build: "
        r"TypeError",
    ):
        load_model(path, custom_objects=CUSTOM_OBJECTS)


def test_attributes_are_a_mapping_a_missing_one_is_a_key_error(tmp_path):
    from kerasish.backends.io.hdf5 import HDF5File

    path = tmp_path / "attributes.h5"
    with h5py.File(path, "w") as file:
        file.attrs["present"] = 3
    opened = HDF5File(str(path), kind="test file")
    try:
        assert opened.root.attrs["present"] == 3 and opened.root.attrs.get("missing", "default") == "default"
        with pytest.raises(KeyError):
            opened.root.attrs["missing"]
    finally:
        opened.close()


def test_a_static_function_file_cannot_inflate_far_past_its_size(tmp_path):
    """`save` writes arrays uncompressed; a deflated constant of zeros inflating 1000:1 (under the
    per-dataset ratio check) is refused before it is read."""
    path = tmp_path / "inflating.h5"
    _static_file(path)
    rows = 1 << 20  # 4 MiB of float32 zeros per chunk, a few KB deflated
    with h5py.File(path, "a") as file:
        constant = file.create_dataset(
            "constants/999", shape=(24 * rows,), dtype="float32", chunks=(rows,), compression="gzip"
        )
        for start in range(0, 24 * rows, rows):
            constant[start : start + rows] = 0.0
    assert os.path.getsize(path) < 2 << 20
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"constants/999.*more than the \d+ bytes expected"):
            static.load(str(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def test_rows_are_not_read_from_a_compressed_chunk_larger_than_the_limit(tmp_path):
    from kerasish.backends.io.hdf5 import CHUNK_LIMIT

    path = tmp_path / "one_chunk.h5"
    rows = CHUNK_LIMIT // 16 + 1  # float32 rows of 4: one deflated chunk just over the limit
    with h5py.File(path, "w") as file:
        file.create_dataset("x", data=numpy.zeros((rows, 4), "float32"), chunks=(rows, 4), compression="gzip")
    with pytest.raises(ValueError, match=r"compressed chunks .* hold more than \d+ bytes each"):
        HDF5Dataset(path, x="x", y=None, batch_size=4)[0]
