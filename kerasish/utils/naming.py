"""Default object names as in Keras: snake_case of the class, made unique (`dense`, `dense_1`, ...)."""

import collections
import re

_counts = collections.Counter()


def to_snake_case(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def uniquify(name):
    count = _counts[name]
    _counts[name] += 1
    return name if count == 0 else f"{name}_{count}"


def get_uid(prefix=""):
    """The next number for `prefix`, from 1 (`keras.backend.get_uid`); it shares the counter of default names."""
    _counts[prefix] += 1
    return _counts[prefix]


def auto_name(class_name):
    return uniquify(to_snake_case(class_name))


def reset_names():
    """Start the numbering again, like `keras.backend.clear_session()` does (tests use it)."""
    _counts.clear()
