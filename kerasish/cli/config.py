"""The run configuration of `kerasish train|evaluate|predict|export|summary`: reading a TOML, JSON or
YAML file, the schema every key is checked against (type and default), `--set section.key=value`
overrides typed by that schema, and the resolved configuration written beside the checkpoints.

Relative paths in a configuration are relative to the current directory, as in Caffe.
"""

import difflib
import json
import os
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


class ConfigError(ValueError):
    """A configuration that cannot run: the message names the file and the key."""


class Field:
    """One key of the schema: the kinds of value it takes ("int", "float", "str", "bool", "list", "dict"),
    its default, and for a "list" the kind of its items."""

    def __init__(self, kinds, default=None, items=None):
        self.kinds, self.default, self.items = tuple(kinds.split("|")), default, items

    def describe(self):
        return " or ".join(
            f"a list of {self.items}s" if kind == "list" and self.items else f"{'an' if kind == 'int' else 'a'} {kind}"
            for kind in self.kinds
        )


SCHEMA = {
    "model": {
        "layers": Field("list", items="dict"),  # Keras layer configs, in order (a Sequential)
        "input_shape": Field("list", items="int"),  # per sample; taken from the data when left out
        "file": Field("str"),  # a Keras .keras model or a model JSON file
        "application": Field("str"),  # a kerasish.applications name, e.g. "ResNet18"
        "weights": Field("str"),  # the application's weights: "imagenet", a path...
        "include_top": Field("bool", False),
        "pooling": Field("str"),
        "freeze_base": Field("bool", False),  # the application's layers are not trained
        "head": Field("list", items="dict"),  # layer configs applied after the application
        "loss": Field("str", "sparse_categorical_crossentropy"),
        "metrics": Field("list", ["accuracy"], items="str"),
    },
    "data": {
        "dataset": Field("str"),  # a kerasish.datasets name, e.g. "digits"
        "train": Field("str"),  # a .npz or HDF5 file
        "test": Field("str"),
        "x": Field("str", "x"),  # the array names inside those files
        "y": Field("str", "y"),
        "max_samples": Field("int"),  # train on the first N samples only
        "validation_split": Field("float", 0.0),  # else the test data validates
        "shuffle": Field("bool", True),
        "mean": Field("float", 0.0),  # Caffe's transform: (x - mean) * scale
        "scale": Field("float", 1.0),
        "reshape": Field("list", items="int"),  # per-sample shape after loading
        "upsample": Field("int", 1),  # nearest-neighbour image upscaling factor
        "channels": Field("int"),  # repeat a single channel this many times
    },
    "solver": {
        "optimizer": Field("str", "sgd"),
        "options": Field("dict", {}),  # further keyword arguments of the optimizer
        "base_lr": Field("float", 0.01),
        "momentum": Field("float", 0.0),
        "weight_decay": Field("float", 0.0),
        "lr_policy": Field("str", "fixed"),
        "gamma": Field("float"),
        "power": Field("float"),
        "stepsize": Field("int"),
        "stepvalue": Field("list", items="int"),
        "max_iter": Field("int"),
        "epochs": Field("int"),
        "batch_size": Field("int", 64),
        "test_interval": Field("int"),  # iterations between validations
        "snapshot": Field("int"),  # iterations between checkpoints
        "snapshot_prefix": Field("str"),  # the run's directory; runs/<config name> by default
        "resume": Field("bool", True),
        "random_seed": Field("int", 0),
        "engine": Field("str"),  # "dynamic" or "static"; kerasish's default otherwise
        "verbose": Field("int", 2),
    },
}
KEYS = [f"{section}.{key}" for section, fields in SCHEMA.items() for key in fields]


class Config:
    """The resolved configuration: `config.solver["base_lr"]`, with `path` the file it came from."""

    def __init__(self, values, path):
        self.values, self.path = values, path
        self.model, self.data, self.solver = values["model"], values["data"], values["solver"]
        if self.solver["snapshot_prefix"] is None:
            self.solver["snapshot_prefix"] = os.path.join("runs", os.path.splitext(os.path.basename(path))[0])

    def error(self, key, message):
        return ConfigError(f"{self.path}: {key}: {message}")

    @property
    def run_directory(self):
        return self.solver["snapshot_prefix"]

    def to_json(self):
        return json.dumps(self.values, indent=2, sort_keys=True) + "\n"


def load(path, overrides=()):
    """The Config of a file with `--set` overrides ("section.key=value") applied, every key checked."""
    raw = read_file(path)
    for override in overrides:
        key, separator, text = override.partition("=")
        if not separator:
            raise ConfigError(f"--set {override!r}: expected section.key=value")
        section, key = _known_key(key.strip(), f"--set {override!r} (for {path})")
        raw.setdefault(section, {})
        if not isinstance(raw[section], dict):
            raise ConfigError(f"{path}: [{section}] must be a table, received {raw[section]!r}")
        raw[section][key] = _parse_override(text.strip(), SCHEMA[section][key], f"--set {section}.{key} (for {path})")
    return Config(_resolve(raw, path), path)


def read_file(path):
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in (".toml", ".json", ".yaml", ".yml"):
        raise ConfigError(f"{path}: a configuration is a .toml, .json or .yaml file, not {suffix or 'no suffix'!r}")
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        raise ConfigError(f"cannot read the configuration {path}: {error.strerror or error}") from error
    parse, errors = _parser(suffix, path)
    try:
        values = parse(data)
    except errors as error:
        raise ConfigError(f"{path}: not valid {suffix[1:].upper()}: {error}") from error
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: the configuration must be a table of sections, received {type(values).__name__}")
    return values


def _parser(suffix, path):
    """The parse function of a configuration format, and the errors it raises on bad text."""
    if suffix == ".toml":
        return (lambda data: tomllib.loads(data.decode("utf-8"))), (tomllib.TOMLDecodeError, UnicodeDecodeError)
    if suffix == ".json":
        return json.loads, (ValueError, UnicodeDecodeError)
    try:
        import yaml
    except ImportError:
        raise ConfigError(
            f"{path}: reading YAML needs PyYAML: pip install pyyaml (or write the configuration as TOML or JSON)"
        ) from None
    return yaml.safe_load, (yaml.YAMLError,)


def _known_key(dotted, where):
    section, _, key = dotted.partition(".")
    if section in SCHEMA and key in SCHEMA[section]:
        return section, key
    raise ConfigError(f"{where}: unknown key {dotted!r}{suggestion(dotted, KEYS)}")


def suggestion(name, candidates):
    close = difflib.get_close_matches(name, candidates, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _parse_override(text, field, where):
    """A --set value read as its schema type: text for a "str" key, a JSON value otherwise."""
    if field.kinds == ("str",):
        return None if text in ("null", "none", "None") else text
    try:
        return json.loads(text)
    except ValueError:
        lowered = text.lower()
        if "bool" in field.kinds and lowered in ("true", "false"):
            return lowered == "true"
        if "str" in field.kinds:
            return text
        raise ConfigError(f"{where}: {text!r} is not {field.describe()}") from None


def _resolve(raw, path):
    """Every section and key with defaults filled in; an unknown section or key, or a value of the wrong
    type, is a ConfigError naming the file and the key."""
    for section in raw:
        if section not in SCHEMA:
            raise ConfigError(f"{path}: unknown section [{section}]{suggestion(section, list(SCHEMA))}")
    values = {}
    for section, fields in SCHEMA.items():
        given = raw.get(section, {})
        if not isinstance(given, dict):
            raise ConfigError(f"{path}: [{section}] must be a table, received {given!r}")
        for key in given:
            if key not in fields:
                raise ConfigError(f"{path}: unknown key '{section}.{key}'{suggestion(f'{section}.{key}', KEYS)}")
        values[section] = {
            key: _checked(given.get(key, field.default), field, f"{section}.{key}", path)
            for key, field in fields.items()
        }
    return values


def _checked(value, field, key, path):
    if (value is None and field.default is None) or _is_kind(value, field):  # null only where it is the default
        return float(value) if isinstance(value, int) and field.kinds == ("float",) else value
    raise ConfigError(f"{path}: {key} must be {field.describe()}, received {value!r} (a {type(value).__name__})")


_TYPES = {"str": str, "bool": bool, "dict": dict, "list": list}


def _is_kind(value, field):
    for kind in field.kinds:
        if kind in ("int", "float"):
            if isinstance(value, int if kind == "int" else (int, float)) and not isinstance(value, bool):
                return True
        elif isinstance(value, _TYPES[kind]):
            return kind != "list" or field.items is None or all(_is_kind(item, Field(field.items)) for item in value)
    return False
