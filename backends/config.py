"""Engine, device and numeric settings: env var beats ~/.kerasish/kerasish.json beats defaults."""

import json
import os
import tempfile

from .io.atomic_file import write_text_atomically

BACKENDS = ("dynamic", "static")
DEVICES = ("cpu", "gpu", "auto")
DATA_FORMATS = ("channels_last", "channels_first")
DEFAULTS = {
    "backend": "dynamic",
    "device": "cpu",
    "floatx": "float32",
    "epsilon": 1e-7,
    "image_data_format": "channels_last",
}


def home():
    """The settings directory: $KERASISH_HOME, else ~/.kerasish, else $TMPDIR/.kerasish if home is read-only."""
    path = os.environ.get("KERASISH_HOME") or os.path.join(os.path.expanduser("~"), ".kerasish")
    if os.access(os.path.dirname(os.path.abspath(path)) or ".", os.W_OK) or os.path.isdir(path):
        return path
    return os.path.join(tempfile.gettempdir(), ".kerasish")


def _choice(kind, value, valid):
    if value not in valid:
        raise ValueError(f"Unknown {kind} {value!r}; valid values are: {', '.join(valid)}")
    return value


def _read_file(path):
    try:
        with open(path) as f:
            settings = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise ValueError(f"Cannot read kerasish settings file {path}: {error}") from error
    if not isinstance(settings, dict):
        raise ValueError(f"kerasish settings file {path} must hold a JSON object, got {type(settings).__name__}")
    return settings


def _write_defaults(path, settings):
    """Like Keras, write the settings file on first import so users can find and edit it."""
    try:
        write_text_atomically(path, json.dumps(settings, indent=4))
    except OSError:
        pass


def load():
    path = os.path.join(home(), "kerasish.json")
    from_file = _read_file(path)
    if not from_file and not os.path.exists(path):
        _write_defaults(path, DEFAULTS)
    settings = {**DEFAULTS, **{k: v for k, v in from_file.items() if k in DEFAULTS}}
    settings["backend"] = os.environ.get("KERASISH_BACKEND", settings["backend"])
    settings["device"] = os.environ.get("KERASISH_DEVICE", settings["device"])
    _choice("KERASISH_BACKEND", settings["backend"], BACKENDS)
    _choice("KERASISH_DEVICE", settings["device"], DEVICES)
    _choice("image_data_format", settings["image_data_format"], DATA_FORMATS)
    _choice("floatx", settings["floatx"], ("float16", "float32", "float64"))
    settings["epsilon"] = float(settings["epsilon"])
    return settings


SETTINGS = load()


def backend():
    """The default engine: "dynamic" or "static"."""
    return SETTINGS["backend"]


def floatx():
    return SETTINGS["floatx"]


def set_floatx(value):
    SETTINGS["floatx"] = _choice("floatx", value, ("float16", "float32", "float64"))


def epsilon():
    return SETTINGS["epsilon"]


def set_epsilon(value):
    SETTINGS["epsilon"] = float(value)


def image_data_format():
    return SETTINGS["image_data_format"]


def set_image_data_format(value):
    SETTINGS["image_data_format"] = _choice("image_data_format", value, DATA_FORMATS)


def standardize_data_format(data_format):
    if data_format is None:
        return image_data_format()
    return _choice("data_format", str(data_format).lower(), DATA_FORMATS)
