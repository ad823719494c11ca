"""Small files in the real formats of the public datasets (npz, gzip IDX, tar of CIFAR pickles)."""

import gzip
import io
import pickle
import tarfile

import numpy

RNG = numpy.random.default_rng(0)


def npz_bytes(**arrays):
    buffer = io.BytesIO()
    numpy.savez(buffer, **arrays)
    return buffer.getvalue()


def images(n, *shape):
    return RNG.integers(0, 256, size=(n, *shape), dtype=numpy.uint8)


def idx_bytes(array):
    header = bytes([0, 0, 8, array.ndim]) + numpy.asarray(array.shape, ">u4").tobytes()
    return gzip.compress(header + array.tobytes())


def tar_of_pickles(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in members.items():
            data = pickle.dumps(content, protocol=4)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def cifar_batch(n, **labels):
    """A CIFAR batch dict: uint8 rows of 3072 pixels and Python-int labels under each name in `labels`."""
    return {
        b"data": images(n, 3 * 32 * 32),
        **{key.encode(): [int(v) for v in RNG.integers(0, 10, n)] for key in labels},
    }


def ragged(lengths, high=20):
    array = numpy.empty(len(lengths), dtype=object)
    array[:] = [[int(w) for w in RNG.integers(1, high, n)] for n in lengths]
    return array
