"""Export for inference without kerasish: ONNX files (needs the optional `onnx` package).

`model.export(path, format="onnx")`, `ExportArchive` for several endpoints, `export_function` for a
function built by hand on the static engine. See docs/onnx-export.md.
"""

from .errors import UnmappedOperationError
from .export_archive import ExportArchive, export_function, export_model

__all__ = ["ExportArchive", "UnmappedOperationError", "export_function", "export_model"]
