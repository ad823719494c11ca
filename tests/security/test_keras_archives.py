"""`.keras` archives are read through one capped, streaming zip reader (issue 11, finding 4): a
member that inflates far past its stored size or past the cap is refused before it is held in
memory, and archives with ambiguous or unsafe member names are refused; the model is unchanged."""

import contextlib
import json
import tracemalloc
import zipfile

import pytest

from kerasish.backends.io.read_errors import UnreadableFileError
from kerasish.backends.io.zip_archive import ZipArchive
from kerasish.saving import load_model
from tests.saving.models_for_tests import CUSTOM_OBJECTS, assert_same, perturb, trained_model, values
from tests.security import crafted_hdf5


def _saved(tmp_path):
    model = trained_model()
    path = tmp_path / "m.keras"
    model.save(path)
    saved = values(model.weights)
    perturb(model)
    return model, path, saved


def _rewritten(path, members, compression=zipfile.ZIP_STORED):
    """Rewrite the archive at `path` with [(name, bytes)] in that order."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)


def _members(path):
    with zipfile.ZipFile(path) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


@pytest.mark.parametrize("entry_point", ["load_weights", "load_model"])
@pytest.mark.parametrize(
    "inflated, refusal",
    [
        (40 * 2**20, r"model\.weights\.h5.*zip bomb"),  # under the cap, but about 1000:1
        # the toy model's cap is 64 MB
        (100 * 2**20, r"model\.weights\.h5.*declares 104857600 bytes, more than the \d+ bytes"),
    ],
)
def test_a_zip_bomb_is_refused_without_inflating_it(tmp_path, entry_point, inflated, refusal):
    model, path, _ = _saved(tmp_path)
    crafted_hdf5.zip_bomb(str(path), inflated)
    before = values(model.weights)
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableFileError, match=refusal):
            if entry_point == "load_weights":
                model.load_weights(path)
            else:
                load_model(path, custom_objects=CUSTOM_OBJECTS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, f"the refused load allocated {peak} bytes"
    assert_same(values(model.weights), before)


def test_a_member_larger_than_the_cap_is_refused_and_streamed_under_it(tmp_path):
    path = tmp_path / "a.zip"
    _rewritten(path, [("small", b"x" * 100), ("large", bytes(range(256)) * 64)])
    with ZipArchive(path, "test archive") as archive:
        assert archive.read("small", limit=100) == b"x" * 100
        with pytest.raises(
            UnreadableFileError,
            match=r"'large' is refused: it declares 16384 bytes, more than "
            r"the 16383 bytes",
        ):
            archive.read("large", limit=16383)
        with archive.temporary_copy("large", limit=16384) as copy:
            assert copy.read() == bytes(range(256)) * 64


def test_a_member_that_inflates_past_its_declared_size_is_refused(tmp_path):
    path = tmp_path / "a.zip"
    _rewritten(path, [("member", b"y" * 5000)], zipfile.ZIP_DEFLATED)
    content = bytearray(path.read_bytes())
    # Lower the declared (uncompressed) size in the central directory: 5000 -> 50.
    central = content.rindex(b"PK\x01\x02")
    content[central + 24 : central + 28] = (50).to_bytes(4, "little")
    path.write_bytes(bytes(content))
    with ZipArchive(path, "test archive") as archive, pytest.raises(UnreadableFileError, match="member"):
        archive.read("member", limit=10**6)


@pytest.mark.parametrize(
    "names, problem",
    [
        (["config.json", "config.json"], "appear more than once"),
        (["../config.json"], "unsafe member names"),
        (["/etc/config.json"], "unsafe member names"),
    ],
)
def test_ambiguous_or_unsafe_member_names_are_refused(tmp_path, names, problem):
    model, path, _ = _saved(tmp_path)
    members = _members(path)
    evil = json.dumps({"class_name": "Sequential", "config": {"layers": []}}).encode()
    duplicated = len(set(names)) < len(names)
    with pytest.warns(UserWarning, match="Duplicate name") if duplicated else contextlib.nullcontext():
        _rewritten(path, members + [(name, evil) for name in names])
    before = values(model.weights)
    with pytest.raises(UnreadableFileError, match=problem):
        model.load_weights(path)
    with pytest.raises(UnreadableFileError, match=problem):
        load_model(path, custom_objects=CUSTOM_OBJECTS)
    assert_same(values(model.weights), before)


def test_an_unsupported_compression_method_is_refused(tmp_path):
    model, path, _ = _saved(tmp_path)
    _rewritten(path, _members(path), zipfile.ZIP_BZIP2)
    with pytest.raises(UnreadableFileError, match="compression method 12"):
        load_model(path, custom_objects=CUSTOM_OBJECTS)


def test_a_config_that_is_not_an_object_is_a_clear_error(tmp_path):
    model, path, _ = _saved(tmp_path)
    _rewritten(path, [(name, b"[1, 2]" if name == "config.json" else data) for name, data in _members(path)])
    with pytest.raises(UnreadableFileError, match="config.json holds a list, not a model config"):
        load_model(path, custom_objects=CUSTOM_OBJECTS)


def test_a_deflated_archive_loads(tmp_path):
    """Keras writes its archives deflated; the cap and the ratio check let them through."""
    model, path, saved = _saved(tmp_path)
    _rewritten(path, _members(path), zipfile.ZIP_DEFLATED)
    loaded = load_model(path, custom_objects=CUSTOM_OBJECTS)
    assert_same(values(loaded.weights), saved)
    model.load_weights(path)
    assert_same(values(model.weights), saved)


def test_a_config_that_breaks_the_model_builder_is_a_clear_error(tmp_path):
    """A config whose values are of the wrong type fails inside the builders (a raw TypeError before);
    the loader names the file and the config instead."""
    model, path, _ = _saved(tmp_path)
    members = _members(path)
    config = json.loads(dict(members)["config.json"])
    config["compile_config"] = 7
    _rewritten(path, [(name, json.dumps(config).encode() if name == "config.json" else data) for name, data in members])
    with pytest.raises(
        UnreadableFileError,
        match=r"m\.keras: config\.json does not describe a model kerasish can "
        r"build: TypeError",
    ):
        load_model(path, custom_objects=CUSTOM_OBJECTS)
