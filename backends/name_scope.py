"""`keras.name_scope(name)`: a prefix for the paths of the variables (and layer weights) made inside it."""

_STACK = []


class name_scope:
    """`with name_scope("encoder"):` variables made inside get the path "encoder/<name>"; scopes nest.

    `caller` and `deduplicate` are Keras's: re-entering the scope of the same caller and name adds nothing.
    `override_parent` replaces the enclosing path."""

    def __init__(self, name, caller=None, deduplicate=True, override_parent=None):
        if not isinstance(name, str) or "/" in name:
            raise ValueError(
                f"Argument `name` must be a string and cannot contain character `/`. Received: name={name}"
            )
        self.name, self.caller, self.deduplicate, self.override_parent = name, caller, deduplicate, override_parent
        self._entered = False

    def __enter__(self):
        top = _STACK[-1] if _STACK else None
        repeated = top is not None and self.caller is not None and top.caller is self.caller and top.name == self.name
        if not (self.deduplicate and repeated):
            _STACK.append(self)
            self._entered = True
        return self

    def __exit__(self, *exception):
        if self._entered:
            _STACK.pop()
            self._entered = False


def current_path():
    """The path of the open name scopes ("outer/inner"), "" outside any."""
    parts = []
    for scope in reversed(_STACK):
        parts.append(scope.name)
        if scope.override_parent is not None:
            parts.append(scope.override_parent)
            break
    return "/".join(reversed([part for part in parts if part]))


def scoped(name):
    prefix = current_path()
    return f"{prefix}/{name}" if prefix else name
