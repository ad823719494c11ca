"""KerasFileEditor: inspect and edit the weights of a `.keras` or `.weights.h5` file, then write them as a
`.weights.h5` file, as Keras's editor does. Files are read through the safe readers (`backends/io`, by
way of `keras_format`); writes are atomic."""

import json

import h5py
import numpy

from kerasish.backends.io.read_errors import UnreadableFileError, reading
from kerasish.saving import file_writing, keras_format
from kerasish.saving.object_paths import own_variables, saveables
from kerasish.utils.io_utils import print_msg

READ_LIMIT = 1 << 32  # bytes of weights an editor reads from one file (Keras's cap per dataset)
ROOT_VARIABLES = "vars"  # the model's own variables, at the top of the tree, as Keras's editor names them


def _weights_argument(weights):
    if not isinstance(weights, dict):
        raise ValueError(
            "Argument `weights` should be a dict where keys are weight names (usually '0', '1', etc.) and values "
            f"are NumPy arrays. Received: type(weights)={type(weights)}"
        )
    return {str(name): numpy.asarray(value) for name, value in weights.items()}


def _tree(stored, filepath):
    """{object path: [Dataset]} as Keras's nested dicts, `{"layers": {"dense": {"0": array, ...}}}`."""
    tree, budget = {}, READ_LIMIT
    for path, datasets in stored.items():
        if not datasets:
            continue
        node = tree
        for part in path.split("/") if path else [ROOT_VARIABLES]:
            node = node.setdefault(part, {})
        for index, dataset in enumerate(datasets):
            if dataset.nbytes > budget:
                raise UnreadableFileError(
                    f"{filepath}: its weights hold more than the {READ_LIMIT} bytes an editor reads"
                )
            budget -= dataset.nbytes
            node[str(index)] = dataset.read(limit=dataset.nbytes)
    return tree


def _weight_order(name):
    return (0, int(name), "") if name.isdigit() else (1, 0, name)


def _leaves(tree, prefix=""):
    """[(object path, {weight name: array})] of every object holding arrays, weights in order ("0", "1", ...)."""
    found = []
    names = sorted((name for name, value in tree.items() if not isinstance(value, dict)), key=_weight_order)
    arrays = {name: tree[name] for name in names}
    if arrays:
        found.append((prefix, arrays))
    for name, value in tree.items():
        if isinstance(value, dict):
            found += _leaves(value, f"{prefix}/{name}" if prefix else name)
    return found


class KerasFileEditor:
    """`KerasFileEditor(filepath)`: the weights of a `.keras` or `.weights.h5` file as `weights_dict`, nested
    dicts by object path (`editor.weights_dict["layers"]["dense"]["0"]` is the first Dense's kernel);
    `config` and `metadata` for a `.keras` file. Edit with `rename_object`, `delete_object`, `add_object`,
    `delete_weight`, `add_weights`; check with `compare(model)`; write with `save(filepath)`."""

    def __init__(self, filepath):
        self.filepath = str(filepath)
        self.config = self.metadata = None
        if self.filepath.endswith(".keras"):
            with keras_format.open_archive(self.filepath) as archive:
                self.config = keras_format.read_config(archive)
                if keras_format.METADATA in archive.names():
                    with reading(self.filepath, ".keras file"):
                        self.metadata = json.loads(archive.read(keras_format.METADATA, keras_format.CONFIG_LIMIT))
                with keras_format.archive_weights(archive, READ_LIMIT) as stored:
                    self.weights_dict = _tree(stored, self.filepath)
        elif self.filepath.endswith(".weights.h5"):
            with keras_format.weights_file(self.filepath) as stored:
                self.weights_dict = _tree(stored, self.filepath)
        else:
            raise ValueError(
                f"Invalid filename: expected a `.keras` `.weights.h5` extension. Received: filepath={self.filepath}"
            )
        print_msg(f"Keras model file '{self.filepath}'")
        if isinstance(self.metadata, dict):
            print_msg(
                f"Saved with Keras {self.metadata.get('keras_version')} - date: {self.metadata.get('date_saved')}"
            )

    def summary(self):
        """Print every object of the file with its weights' shapes and dtypes."""
        for path, arrays in _leaves(self.weights_dict):
            weights = ", ".join(f"{name}: {value.shape} {value.dtype}" for name, value in arrays.items())
            print_msg(f"{path}  [{weights}]")

    def compare(self, reference_model):
        """List every difference between the file and `reference_model`'s weights (objects missing on either
        side, weight counts and shapes). Returns `{"status": "success"|"error", "error_count",
        "match_count"}`."""
        expected = {}
        for path, saveable in saveables(reference_model):
            variables = own_variables(saveable)
            if variables:
                expected[path or ROOT_VARIABLES] = [tuple(v.shape) for v in variables]
        stored = {path: [value.shape for value in arrays.values()] for path, arrays in _leaves(self.weights_dict)}
        errors, matches = [], 0
        for path, shapes in expected.items():
            found = stored.get(path)
            if found is None:
                errors.append(f"Object '{path}' is in the model ({len(shapes)} weights) but not in the file")
            elif len(found) != len(shapes):
                errors.append(f"Object '{path}' has {len(found)} weights in the file, {len(shapes)} in the model")
            else:
                for index, (in_file, in_model) in enumerate(zip(found, shapes)):
                    if tuple(in_file) == tuple(in_model):
                        matches += 1
                    else:
                        errors.append(
                            f"Weight '{path}/{index}' has shape {in_file} in the file, {in_model} in the model"
                        )
        errors += [f"Object '{path}' is in the file but not in the model" for path in stored if path not in expected]
        for error in errors:
            print_msg(error)
        print_msg(
            "Comparison successful: the file and the model match" if not errors else f"Found {len(errors)} error(s)"
        )
        return {"status": "error" if errors else "success", "error_count": len(errors), "match_count": matches}

    def _edit_object(self, edit, source_name, target_name=None):
        if target_name is not None and "/" in target_name:
            raise ValueError(
                "Argument `target_name` should be a leaf name, not a full path name. "
                f"Received: target_name='{target_name}'"
            )
        if "/" in source_name:
            *parents, leaf = source_name.split("/")
            node = self.weights_dict
            for part in parents:
                if not isinstance(node.get(part), dict):
                    raise ValueError(f"Path '{source_name}' not found in model.")
                node = node[part]
            if leaf not in node:
                raise ValueError(f"Path '{source_name}' not found in model.")
            edit(node, leaf, target_name)
            return
        holders = [node for node in self._objects() if source_name in node]
        if len(holders) > 1:
            raise ValueError(f"Name '{source_name}' occurs more than once in the model; try passing a complete path")
        if not holders:
            raise ValueError(
                f"Source name '{source_name}' does not appear in the model. Use `editor.summary()` to list all objects."
            )
        edit(holders[0], source_name, target_name)

    def _objects(self, node=None):
        node = self.weights_dict if node is None else node
        found = [node]
        for value in node.values():
            if isinstance(value, dict):
                found += self._objects(value)
        return found

    def rename_object(self, object_name, new_name):
        """Rename an object (`"dense_2"` or its path `"layers/dense_2"`) to `new_name`."""

        def rename(node, source, target):
            node[target] = node.pop(source)

        self._edit_object(rename, object_name, new_name)

    def delete_object(self, object_name):
        """Remove an object (`"dense_2"` or `"layers/dense_2"`) and its weights."""
        self._edit_object(lambda node, source, target: node.pop(source), object_name)

    def add_object(self, object_path, weights):
        """Add an object at `object_path` (`"layers/dense_2"`) with `weights`, `{"0": kernel, "1": bias}`."""
        weights = _weights_argument(weights)
        *parents, leaf = object_path.split("/")
        node = self.weights_dict
        for part in parents:
            if not isinstance(node.get(part), dict):
                raise ValueError(f"Path '{'/'.join(parents)}' not found in model.")
            node = node[part]
        node[leaf] = weights

    def delete_weight(self, object_name, weight_name):
        """Remove the weight `weight_name` (`"0"`) of an object."""

        def delete(node, source, target):
            if weight_name not in node[source]:
                raise ValueError(
                    f"Weight {weight_name} not found in object {object_name}. "
                    f"Weights found: {list(node[source].keys())}"
                )
            node[source].pop(weight_name)

        self._edit_object(delete, object_name)

    def add_weights(self, object_name, weights):
        """Add (or replace) weights of an existing object, `{"2": array}`."""
        weights = _weights_argument(weights)
        self._edit_object(lambda node, source, target: node[source].update(weights), object_name)

    def save(self, filepath):
        """Write the edited weights to `filepath`, a `.weights.h5` file (atomically)."""
        filepath = str(filepath)
        if not filepath.endswith(".weights.h5"):
            raise ValueError(
                f"Invalid `filepath` argument: expected a `.weights.h5` extension. Received: filepath={filepath}"
            )
        with file_writing.atomic_binary(filepath) as output, h5py.File(output, "w") as file:
            for path, arrays in _leaves(self.weights_dict):
                group = file.create_group(ROOT_VARIABLES if path == ROOT_VARIABLES else f"{path}/vars")
                group.attrs["name"] = path.rsplit("/", 1)[-1]
                for name, value in arrays.items():
                    group.create_dataset(name, data=value)

    def resave_weights(self, filepath):
        self.save(filepath)
