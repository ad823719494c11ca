"""Keras 3's weights layout (`model.weights.h5` inside `.keras`, and `.weights.h5`): variables
stored by object path, `<path>/vars/0..n`, as `keras/src/saving/saving_lib.py` writes them.

Paths come from walking the model the way Keras does: a Sequential or Functional model's layers
first (`layers/<snake_case class name>`, made unique in list order: `dense`, `dense_1`), then the
object's attributes in sorted order, public names before private ones (`optimizer`,
`my_block/dense`); each object's own variables sit in its `vars` group, whose `name` attribute
records the object's name. An object reached twice is stored once, at its first path.
"""

import numpy

from kerasish.backends.io.read_errors import UnreadableFileError
from kerasish.layers.layer import _BOOKKEEPING, Layer
from kerasish.models.functional import Functional
from kerasish.models.model import Model
from kerasish.models.sequential import Sequential
from kerasish.optimizers import Optimizer
from kerasish.utils.naming import to_snake_case

# The layer lists a Sequential/Functional keeps besides `layers` (Keras skips its own the same way).
_MODEL_INTERNALS = frozenset({"_layers", "_operations"})


def own_variables(saveable):
    return saveable.variables if isinstance(saveable, Optimizer) else saveable._own_weights()


def saveables(model):
    """[(path, object)] for the model ('' is the model itself), its layers and its optimizer."""
    found, visited = [], set()
    _walk(model, "", visited, found)
    return found


def _is_saveable(value):
    return isinstance(value, (Layer, Optimizer))


def _attribute_key(name):
    return f"~{name}" if name.startswith("_") else name


def _children(saveable):
    """(attribute name, value) pairs to walk. Keras walks `dir()`, so a subclassed model's `layers`
    property takes its sorted place too (a layer held only privately is stored under `layers/`). An optimizer's
    are its inner optimizers (`inner_optimizer`, `optimizers`), as Keras stores them."""
    attributes = {k: v for k, v in vars(saveable).items() if k not in _BOOKKEEPING}
    if isinstance(saveable, (Functional, Sequential)):
        yield "layers", saveable.layers
        attributes = {k: v for k, v in attributes.items() if k not in _MODEL_INTERNALS}
    elif isinstance(saveable, Model):
        attributes["layers"] = saveable.layers
    for name in sorted(attributes, key=_attribute_key):
        yield name, attributes[name]


def _join(path, name):
    return f"{path}/{name}" if path else name


def _walk(saveable, path, visited, found):
    if id(saveable) in visited:
        return
    visited.add(id(saveable))
    found.append((path, saveable))
    for name, child in _children(saveable):
        if _is_saveable(child):
            _walk(child, _join(path, name), visited, found)
        elif isinstance(child, (list, tuple, dict)):
            _walk_container(child, _join(path, name), visited, found, set())


def _walk_container(container, path, visited, found, seen_containers):
    if id(container) in seen_containers:
        return
    seen_containers.add(id(container))
    used = {}
    for item in container.values() if isinstance(container, dict) else container:
        if _is_saveable(item):
            _walk(item, _join(path, _unique(to_snake_case(type(item).__name__), used)), visited, found)
        elif isinstance(item, (list, tuple, dict)):
            _walk_container(item, _join(path, _unique("container", used)), visited, found, seen_containers)


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def write_variables(file, model):
    """Every saveable's own variables into `file` (an open h5py File), at `<path>/vars/<i>`."""
    for path, saveable in saveables(model):
        group = file.create_group(_join(path, "vars"))
        group.attrs["name"] = saveable.name
        for index, variable in enumerate(own_variables(saveable)):
            group.create_dataset(str(index), data=numpy.asarray(variable.numpy()))


def read_variables(root):
    """{path: [Dataset]} for every `vars` group below `root` (an hdf5 Group); datasets must be named
    0..n-1. Nothing is read yet: the caller checks the shapes first."""
    found = {}
    for group in root.walk():
        name = group.path.strip("/")
        if name.rsplit("/", 1)[-1] != "vars":
            continue
        keys = sorted(group.names(), key=lambda k: int(k) if k.isdigit() else -1)
        if keys != [str(i) for i in range(len(keys))]:
            raise UnreadableFileError(
                f"{root.file.name}: group {name!r} holds {keys}, expected datasets named 0..{len(keys) - 1}"
            )
        found[name[: -len("vars")].rstrip("/")] = [group.dataset(key) for key in keys]
    return found
