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


def set_backend(backend):
    """Make `backend` ("dynamic" or "static") the engine of models compiled from now on
    (`keras.config.set_backend`; Keras's own backends, such as "jax", do not exist here)."""
    if backend not in BACKENDS:
        raise ValueError(
            f"kerasish's backends are the engines {BACKENDS}; received backend={backend!r}. Keras's backends "
            "(tensorflow, jax, torch, numpy, openvino) are not part of kerasish"
        )
    SETTINGS["backend"] = backend


def is_nnx_enabled():
    """Always False: Flax NNX belongs to Keras's JAX backend, which kerasish does not use."""
    return False


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


def _limit_from_environment(variable):
    value = os.environ.get(variable)
    if value is None:
        return None
    if not value.isdigit() or int(value) == 0:
        raise ValueError(f"{variable} must be a positive integer, got {value!r}")
    return int(value)


# Process-wide switches Keras keeps in `keras.config`; each has a getter and a setter below.
SWITCHES = {
    "max_epochs": _limit_from_environment("KERAS_MAX_EPOCHS"),
    "max_steps_per_epoch": _limit_from_environment("KERAS_MAX_STEPS_PER_EPOCH"),
    "flash_attention": None,  # None: use it where it applies; False: never
    "interactive_logging": True,
    "traceback_filtering": True,
}


def _limit(name, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"`{name}` must be a positive integer or None, got {value!r}")
    SWITCHES[name] = value


def max_epochs():
    """The most epochs any `fit` runs (KERAS_MAX_EPOCHS or `set_max_epochs`), or None for no limit."""
    return SWITCHES["max_epochs"]


def set_max_epochs(max_epochs):
    _limit("max_epochs", max_epochs)


def max_steps_per_epoch():
    """The most steps per epoch of any fit/evaluate/predict (KERAS_MAX_STEPS_PER_EPOCH or
    `set_max_steps_per_epoch`), or None for no limit."""
    return SWITCHES["max_steps_per_epoch"]


def set_max_steps_per_epoch(max_steps_per_epoch):
    _limit("max_steps_per_epoch", max_steps_per_epoch)


def enable_flash_attention():
    SWITCHES["flash_attention"] = None


def disable_flash_attention():
    SWITCHES["flash_attention"] = False


def is_flash_attention_enabled():
    """None (the default: attention layers decide), or False after `disable_flash_attention()`."""
    return SWITCHES["flash_attention"]


def enable_interactive_logging():
    SWITCHES["interactive_logging"] = True


def disable_interactive_logging():
    """Progress bars and summaries go to the `kerasish` logger instead of standard output."""
    SWITCHES["interactive_logging"] = False


def is_interactive_logging_enabled():
    return SWITCHES["interactive_logging"]


def enable_traceback_filtering():
    SWITCHES["traceback_filtering"] = True


def disable_traceback_filtering():
    SWITCHES["traceback_filtering"] = False


def is_traceback_filtering_enabled():
    """Whether errors raised out of fit/evaluate/predict show the user's frames without kerasish's own."""
    return SWITCHES["traceback_filtering"]
