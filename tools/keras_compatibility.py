"""Write docs/keras-compatibility.md: for every public name of Keras 3, supported here, not applicable, or missing.

    python tools/keras_compatibility.py            # the page, from the committed list of Keras's names
    python tools/keras_compatibility.py --names    # first refresh that list from the installed Keras
    python tools/keras_compatibility.py --check    # exit 1 when the committed page is out of date

The list of Keras's names (tools/keras_public_names.json) is made from the installed `keras` package, so the
page can be written, and checked in CI, without Keras.
"""

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES_FILE = ROOT / "tools" / "keras_public_names.json"
PAGE = ROOT / "docs" / "keras-compatibility.md"

NAMESPACES = (
    "",
    "activations",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "datasets",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "ops",
    "ops.image",
    "ops.linalg",
    "ops.nn",
    "ops.numpy",
    "optimizers",
    "optimizers.schedules",
    "preprocessing",
    "random",
    "regularizers",
    "saving",
    "tree",
    "utils",
)

_JAX_ONLY = "wraps JAX/Flax code; kerasish runs its own engines, not JAX"
_QUANTIZATION = "the quantization API is out of scope (kerasish computes in float32/float16)"
NOT_APPLICABLE = {
    "layers.JaxLayer": _JAX_ONLY,
    "layers.FlaxLayer": _JAX_ONLY,
    "layers.TFSMLayer": "loads a TensorFlow SavedModel; kerasish never depends on TensorFlow",
    "layers.TorchModuleWrapper": "wraps a torch.nn.Module; kerasish never depends on torch",
    "Quantizer": _QUANTIZATION,
    "callbacks.OrbaxCheckpoint": "writes Orbax (JAX) checkpoints; kerasish saves .keras and .weights.h5 files",
}

DIFFERENCES = """\
- Backends: `keras.config.backend()` names kerasish's engine (`"dynamic"` or `"static"`); the engine and the
  device (numpy or cupy) are chosen with `KERASISH_BACKEND` and `KERASISH_DEVICE`, not Keras's `KERAS_BACKEND`;
  `keras.config.set_backend` takes those two names.
- Data: there are no `tf.data` pipelines (`keras.utils.PyDataset`, `kerasish.data.DataLoader` and Python
  generators serve instead; the `*_dataset_from_directory` functions return a PyDataset, without `.map` or
  `.prefetch`). Without Pillow, images are read from PNG, PPM and PGM files only; audio is not resampled.
- Strings: text and lookup layers run on the host on numpy `str`/object arrays, before a batch reaches the
  engine; in a subclassed model they run on the dynamic engine only. Sparse and ragged tensors are not
  supported: `sparse=True` and `ragged=True` raise a clear error.
- Ops: `unique(sorted=False)` is refused (results are always sorted); `histogram` counts are int32; `sparsemax`
  gives rows summing to 1 where Keras's backends do not; `fold` follows torch where Keras on JAX returns a
  smaller image; `eig` runs on numpy only (cupy has no general eigendecomposition); `lu_factor` takes square
  matrices; `quantile`, `median`, `kron`, `map`, `vectorized_map` and `associative_scan` need a known batch
  size in the functional API; 43 older ops (`add`, `matmul`, ...) take their arguments by position only.
- Layers: bounding boxes are not supported by the image preprocessing layers (`MaxNumBoundingBoxes` is
  missing); `RandomCrop` at inference returns the central crop its documentation promises; `CutMix` draws its
  mixing factor from 16 values of the range; the `area` interpolation is not offered; `StackedRNNCells` keeps
  its states as one flat list; `MultiHeadAttention` uses an explicit `query_mask`; `EinsumDense` has no LoRA;
  STFT windows other than Hann and Hamming need scipy.
- LSTM and GRU: `use_cudnn` selects kerasish's fused recurrence, which runs on numpy and cupy alike (so
  `use_cudnn=True` works without a GPU); a mask always takes the per-step path (cuDNN also takes
  right-padded masks), so `use_cudnn=True` with a mask is Keras's configuration error; like cuDNN's, the
  fused gradient has no second order (`use_cudnn=False` has).
- Mixed precision: BatchNormalization and LayerNormalization compute in float16 under `mixed_float16` (Keras
  computes their statistics in float32).
- Models: `model.metrics` lists the compiled metrics one by one (Keras wraps them in one `CompileMetrics`);
  `Variable.dtype` is a numpy dtype. `FeatureSpace` cannot be saved in a `.keras` file.
- Callbacks: `TensorBoard` writes scalars, histograms and the model graph; `write_images`, `profile_batch`
  and `embeddings_freq` are accepted with a warning that nothing is written for them.
"""


def keras_names():
    """Keras's public names per namespace, from the installed package."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    names = {}
    for namespace in NAMESPACES:
        module = importlib.import_module("keras" + (f".{namespace}" if namespace else ""))
        public = [name for name in dir(module) if not name.startswith("_")]
        if not namespace:
            public = [name for name in public if not isinstance(getattr(module, name), type(keras))]
        names[namespace] = sorted(public)
    return {"keras_version": keras.__version__, "names": names}


def _kerasish_namespace(namespace):
    try:
        return importlib.import_module("kerasish" + (f".{namespace}" if namespace else ""))
    except ImportError:
        return None


def classify(names):
    """(namespace -> [(name, status, reason)]) with status supported | not applicable | missing."""
    table = {}
    for namespace, public in names.items():
        module = _kerasish_namespace(namespace)
        rows = []
        for name in public:
            qualified = f"{namespace}.{name}" if namespace else name
            if qualified in NOT_APPLICABLE:
                rows.append((name, "not applicable", NOT_APPLICABLE[qualified]))
            elif module is not None and hasattr(module, name):
                rows.append((name, "supported", ""))
            else:
                rows.append((name, "missing", ""))
        table[namespace] = rows
    return table


def page(listing):
    table = classify(listing["names"])
    lines = [
        "# Keras compatibility",
        "",
        "Generated by `tools/keras_compatibility.py` from kerasish's namespaces and the public names of Keras "
        f"{listing['keras_version']} (`tools/keras_public_names.json`); do not edit by hand. A name counts as "
        "supported when kerasish offers it under the same namespace; its behaviour is tested in `tests/`.",
        "",
        "| namespace | supported | not applicable | missing | supported of applicable |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    totals = [0, 0, 0]
    for namespace, rows in table.items():
        counts = [sum(status == s for _, status, _ in rows) for s in ("supported", "not applicable", "missing")]
        totals = [a + b for a, b in zip(totals, counts)]
        lines.append(_count_row(f"`keras{'.' + namespace if namespace else ''}`", counts))
    lines.append(_count_row("**all**", totals))
    lines += ["", "## Differences from Keras", "", DIFFERENCES.rstrip(), ""]
    for namespace, rows in table.items():
        lines += [f"## `keras{'.' + namespace if namespace else ''}`", ""]
        for status in ("missing", "not applicable", "supported"):
            chosen = [(name, reason) for name, s, reason in rows if s == status]
            if not chosen:
                continue
            if status == "not applicable":
                lines.append("Not applicable:")
                lines += [f"- `{name}`: {reason}" for name, reason in chosen]
            else:
                lines.append(f"{status.capitalize()}: " + ", ".join(f"`{name}`" for name, _ in chosen))
            lines.append("")
    return "\n".join(lines)


def _count_row(label, counts):
    supported, not_applicable, missing = counts
    applicable = supported + missing
    share = f"{100 * supported / applicable:.1f}%" if applicable else "-"
    return f"| {label} | {supported} | {not_applicable} | {missing} | {share} |"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", action="store_true", help="refresh the list of Keras's names from Keras")
    parser.add_argument("--check", action="store_true", help="fail when the committed page is out of date")
    args = parser.parse_args(argv)
    if args.names:
        NAMES_FILE.write_text(json.dumps(keras_names(), indent=1, sort_keys=True) + "\n")
    text = page(json.loads(NAMES_FILE.read_text()))
    if args.check:
        if PAGE.read_text() != text:
            print(f"{PAGE.relative_to(ROOT)} is out of date: run python tools/keras_compatibility.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text)
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
