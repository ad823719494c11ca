"""save/load of compiled functions: same outputs in a fresh process, refusal of bad files."""

import json
import subprocess
import sys

import h5py
import numpy
import pytest

from kerasish import ops
from kerasish.backends import static


def _data(*shape, seed=0):
    return numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32)


def _rnn_step():
    xs = static.placeholder((5, 3), name="xs")
    w = static.variable(numpy.full(3, 0.5, "float32"), name="w_saved")
    final, ys = ops.scan(lambda h, x: (ops.tanh(w * h + x), h * h), numpy.zeros(3, "float32"), xs)
    loss = ops.sum(ys) + ops.sum(ops.cond(ops.greater(ops.sum(final), 0.0), lambda: final * 2.0, lambda: final))
    grad = static.gradients(loss, w)
    return static.function([xs], [loss, grad], updates=[(w, w - 0.1 * grad)]), w


def test_saved_function_runs_in_a_fresh_process_with_identical_outputs(tmp_path):
    fn, w = _rnn_step()
    path = tmp_path / "step.h5"
    static.save(fn, str(path))
    feed = _data(5, 3)
    numpy.save(tmp_path / "feed.npy", feed)
    expected = [numpy.asarray(r) for r in fn(feed)] + [w.variable.numpy()]
    script = (
        "import sys, numpy\n"
        "from kerasish.backends import static\n"
        f"fn = static.load({str(path)!r})\n"
        f"loss, grad = fn(numpy.load({str(tmp_path / 'feed.npy')!r}))\n"
        f"numpy.savez({str(tmp_path / 'out.npz')!r}, loss=loss, grad=grad, w=fn.variables[0].numpy())\n"
        "assert 'tests' not in ' '.join(sys.modules), 'the defining module was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr
    got = numpy.load(tmp_path / "out.npz")
    numpy.testing.assert_array_equal(got["loss"], expected[0])
    numpy.testing.assert_array_equal(got["grad"], expected[1])
    numpy.testing.assert_array_equal(got["w"], expected[2])


def test_loaded_function_keeps_single_output_and_passes(tmp_path):
    x = static.placeholder((None, 2), name="x")
    fn = static.function([x], ops.exp(x) * 2.0, passes={"elementwise_fusion": False})
    static.save(fn, str(tmp_path / "f.h5"))
    loaded = static.load(str(tmp_path / "f.h5"))
    assert "elementwise_fusion" not in loaded.passes
    a = _data(3, 2)
    numpy.testing.assert_array_equal(loaded(a), fn(a))


def _rewrite(path, change):
    with h5py.File(path, "r+") as f:
        document = json.loads(bytes(f["graph.json"][()]).decode())
        change(document)
        del f["graph.json"]
        f.create_dataset("graph.json", data=numpy.frombuffer(json.dumps(document).encode(), dtype=numpy.uint8))


def _saved(tmp_path):
    x = static.placeholder((2,), name="x")
    path = str(tmp_path / "f.h5")
    static.save(static.function([x], ops.exp(x) + 1.0), path)
    return path


def test_unknown_primitive_is_refused(tmp_path):
    path = _saved(tmp_path)

    def evil(document):
        document["graph"]["nodes"][0]["op"] = "os_system"

    _rewrite(path, evil)
    with pytest.raises(ValueError, match="unknown primitive 'os_system'"):
        static.load(path)


def test_tampered_shape_is_refused(tmp_path):
    path = _saved(tmp_path)

    def reshape(document):
        document["graph"]["nodes"][0]["shape"] = [7]

    _rewrite(path, reshape)
    with pytest.raises(ValueError, match=r"corrupt or tampered.*exp: the file says shape \(7,\)"):
        static.load(path)


def test_dangling_reference_is_refused(tmp_path):
    path = _saved(tmp_path)

    def dangle(document):
        document["graph"]["nodes"][0]["inputs"] = [{"node": 99}]

    _rewrite(path, dangle)
    with pytest.raises(ValueError, match="reference to node 99"):
        static.load(path)


def test_corrupt_and_foreign_files_give_clear_errors(tmp_path):
    garbage = tmp_path / "garbage.h5"
    garbage.write_bytes(b"not an hdf5 file at all")
    with pytest.raises(ValueError, match="not a readable kerasish static function file"):
        static.load(str(garbage))
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as f:
        f.create_dataset("graph.json", data=numpy.frombuffer(b'{"format": "other"}', dtype=numpy.uint8))
    with pytest.raises(ValueError, match="not a kerasish static function file"):
        static.load(str(foreign))


def test_object_datasets_are_never_read(tmp_path):
    path = _saved(tmp_path)
    with h5py.File(path, "r+") as f:
        f.create_dataset("constants/99", data=numpy.array([b"x"], dtype=h5py.string_dtype()))
    with pytest.raises(ValueError, match="not a numeric array"):
        static.load(path)


def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path):
    path = _saved(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["f.h5"]
    assert static.load(path)(numpy.zeros(2, "float32")).tolist() == [2.0, 2.0]
