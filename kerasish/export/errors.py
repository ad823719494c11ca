"""The error an export raises, before anything is written, for an op that has no ONNX mapping."""


class UnmappedOperationError(ValueError):
    """Names the op, its node and the layer (path of layer calls) that built it."""

    def __init__(self, node, layer, why=None):
        self.op = getattr(node.op, "name", str(node.op))
        self.node = node.name
        self.layer = layer
        where = f"layer '{layer}'" if layer else "the traced function (outside any layer)"
        reason = f": {why}" if why else ""
        super().__init__(
            f"export: op '{self.op}' (node '{node.name}', in {where}) has no ONNX mapping{reason}. "
            f"Nothing was written. See docs/onnx-export.md for the ops and layers that export."
        )
