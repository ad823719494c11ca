"""Reading the pickled parts of public dataset files (CIFAR batches, IMDB's ragged arrays) without
running arbitrary code: only numpy array reconstruction is allowed. An .npz is read through the one
zip reader, so its members are streamed and capped (no zip bombs)."""

import io
import pickle

import numpy

from kerasish.backends.io.zip_archive import ZipArchive

NPZ_MEMBER_LIMIT = 8 << 30  # bytes of one inflated .npy member

_ALLOWED = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "_reconstruct"),
}


class RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(
                f"Refusing to deserialize `{module}.{name}` while loading a kerasish "
                "dataset. The file may be corrupted or malicious."
            )
        return super().find_class(module.replace("numpy.core.", "numpy._core."), name)


def load_pickle(path, encoding="bytes"):
    with open(path, "rb") as file:
        return RestrictedUnpickler(file, encoding=encoding).load()


def load_npz(path):
    """`numpy.load(path, allow_pickle=True)` for .npz archives, but unpickling only numpy arrays."""
    arrays = {}
    with ZipArchive(path, "dataset .npz file") as archive:
        for member in archive.names():
            if member.endswith(".npy"):
                arrays[member[: -len(".npy")]] = _read_npy(io.BytesIO(archive.read(member, NPZ_MEMBER_LIMIT)))
    return arrays


def _read_npy(stream):
    version = numpy.lib.format.read_magic(stream)
    read_header = numpy.lib.format.read_array_header_1_0 if version[0] == 1 else numpy.lib.format.read_array_header_2_0
    _, _, dtype = read_header(stream)
    if dtype.hasobject:
        return RestrictedUnpickler(stream).load()
    stream.seek(0)
    return numpy.lib.format.read_array(stream, allow_pickle=False)
