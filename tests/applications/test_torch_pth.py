"""The torch-free .pth reader and writer, on committed fixtures made with real torch."""

import os
import pickle
import zipfile

import numpy
import pytest

from kerasish.backends.io.torch_pth import PthError, is_pth, load_pth, save_pth

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "pth")


def expected():
    with numpy.load(os.path.join(FIXTURES, "torture_expected.npz"), allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


@pytest.mark.parametrize("name", ["torture.pth", "torture_legacy.pth"])
def test_reads_every_dtype_view_and_container_bit_for_bit(name):
    state = load_pth(os.path.join(FIXTURES, name))
    reference = expected()
    assert list(state) == list(reference)
    for key, value in reference.items():
        got = state[key].astype(numpy.float32) if key == "bfloat16" else state[key]
        assert got.shape == value.shape and got.dtype == value.dtype, key
        numpy.testing.assert_array_equal(got, value, err_msg=key)
        assert got.flags.writeable


def test_writer_round_trips(tmp_path):
    state = {
        "weight": numpy.arange(12, dtype=numpy.float32).reshape(3, 4).T,
        "step": numpy.array(3),
        "mask": numpy.array([True, False]),
    }
    path = tmp_path / "w.pth"
    save_pth(state, path)
    assert is_pth(path)
    loaded = load_pth(path)
    for key, value in state.items():
        numpy.testing.assert_array_equal(loaded[key], value)
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.mark.parametrize("container", ["zip", "legacy"])
def test_refuses_a_pickle_that_would_run_code(tmp_path, container):
    path = tmp_path / "evil.pth"
    payload = pickle.dumps({"weight": _Exploit()}, protocol=2)
    if container == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("archive/data.pkl", payload)
    else:
        magic = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
        path.write_bytes(magic + pickle.dumps(1001, protocol=2) + pickle.dumps({}, protocol=2) + payload)
    with pytest.raises(PthError, match="system' is not allowed"):
        load_pth(path)


def test_truncated_file_is_a_clear_error(tmp_path):
    data = open(os.path.join(FIXTURES, "torture_legacy.pth"), "rb").read()
    path = tmp_path / "cut.pth"
    path.write_bytes(data[: len(data) - 40])
    with pytest.raises(PthError, match="truncated|ends before"):
        load_pth(path)


def test_matches_torch_load_when_torch_is_installed(tmp_path):
    torch = pytest.importorskip("torch")
    state = {"a": torch.randn(2, 3), "b": torch.randn(5)[1:4], "c": torch.tensor(1.5, dtype=torch.float64)}
    path = tmp_path / "t.pth"
    torch.save(state, path)
    loaded = load_pth(path)
    for key, value in state.items():
        numpy.testing.assert_array_equal(loaded[key], value.numpy())
    save_pth(loaded, tmp_path / "back.pth")
    back = torch.load(tmp_path / "back.pth", weights_only=True)
    for key, value in state.items():
        assert torch.equal(back[key], value)
