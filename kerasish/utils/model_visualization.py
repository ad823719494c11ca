"""`plot_model` / `model_to_dot`: a model's layers and connections as Graphviz DOT.

kerasish writes the DOT text itself (no pydot); `plot_model` renders it with Graphviz's `dot`
program when the file is not `.dot` (png, svg, pdf ...), and says what to install when `dot` is missing.
With `expand_nested=True` a nested model is a dashed cluster of its own layers, as Keras draws it.
"""

import os
import shutil
import subprocess

from kerasish.backends.io.atomic_file import write_bytes_atomically
from kerasish.utils.summary import _output_shapes, _shape_text


def _quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable):
    lines = [f"{layer.name} ({type(layer).__name__})" if show_layer_names else type(layer).__name__]
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        lines.append(f"activation: {getattr(activation, '__name__', activation)}")
    if show_shapes:
        lines.append(f"output shape: {_shape_text(_output_shapes(layer))}")
    if show_dtype:
        lines.append(f"dtype: {layer.dtype}")
    if show_trainable:
        lines.append(f"trainable: {'Y' if layer.trainable else 'N'}")
    return "\n".join(lines)


def _edges(model):
    """(source layer, target layer) pairs: the graph's connections, or a chain for other models."""
    graph = getattr(model, "_graph", None)
    if graph is None:
        layers = model.layers
        return list(zip(layers, layers[1:]))
    edges = []
    for node in graph.nodes:
        for parent in node.parents:
            if hasattr(node.operation, "name"):
                edges.append((parent.node.operation, node.operation))
    return edges


def _is_model(layer):
    return hasattr(layer, "layers") and hasattr(layer, "get_layer")


def _first_layer(layer, expand_nested):
    """The node an edge into `layer` points at: a drawn-out nested model's first layer, as Keras."""
    while expand_nested and _is_model(layer) and layer.layers:
        layer = layer.layers[0]
    return layer


def _last_layer(layer, expand_nested):
    while expand_nested and _is_model(layer) and layer.layers:
        layer = layer.layers[-1]
    return layer


def _body(model, options, expand_nested, indent):
    """The DOT lines of the model's nodes and edges; with `expand_nested`, each nested model is a dashed
    cluster of its own layers (recursively), which edges enter at its first layer and leave at its last."""
    lines = []
    for layer in model.layers:
        if expand_nested and _is_model(layer) and layer.layers:
            lines.append(f"{indent}subgraph {_quote(f'cluster_{id(layer)}')} {{")
            lines.append(f"{indent}  label={_quote(layer.name)}; style=dashed;")
            lines += _body(layer, options, expand_nested, indent + "  ")
            lines.append(f"{indent}}}")
        else:
            lines.append(f"{indent}{_quote(id(layer))} [label={_quote(_label(layer, *options))}];")
    drawn = {id(layer) for layer in model.layers}  # a Sequential's graph starts at an InputLayer it does not list
    for source, target in _edges(model):
        if id(source) not in drawn or id(target) not in drawn:
            continue
        source, target = _last_layer(source, expand_nested), _first_layer(target, expand_nested)
        lines.append(f"{indent}{_quote(id(source))} -> {_quote(id(target))};")
    return lines


def model_to_dot(
    model,
    show_shapes=False,
    show_dtype=False,
    show_layer_names=True,
    rankdir="TB",
    expand_nested=False,
    dpi=200,
    subgraph=False,
    show_layer_activations=False,
    show_trainable=False,
    **kwargs,
):
    """The DOT source (a string) of the model's graph; `subgraph=True` gives it as a dashed cluster
    (`subgraph cluster_...`) to place in another graph, as Keras's does."""
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"rankdir must be 'TB' or 'LR', received {rankdir!r}")
    options = (show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable)
    if subgraph:
        lines = [
            f"subgraph {_quote(f'cluster_{id(model)}')} {{",
            f"  label={_quote(model.name)}; style=dashed;",
        ]
    else:
        lines = [
            f"digraph {_quote(model.name)} {{",
            f"  graph [rankdir={rankdir}, dpi={int(dpi)}];",
            "  node [shape=record, fontname=Helvetica];",
        ]
    lines += _body(model, options, expand_nested, "  ")
    lines.append("}")
    return "\n".join(lines) + "\n"


def plot_model(
    model,
    to_file="model.png",
    show_shapes=False,
    show_dtype=False,
    show_layer_names=True,
    rankdir="TB",
    expand_nested=False,
    dpi=200,
    show_layer_activations=False,
    show_trainable=False,
    **kwargs,
):
    """Write the model's graph to `to_file`: DOT text for `.dot`, else an image drawn by Graphviz."""
    source = model_to_dot(
        model,
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        rankdir=rankdir,
        expand_nested=expand_nested,
        dpi=dpi,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
    )
    extension = os.path.splitext(to_file)[1].lstrip(".").lower() or "png"
    if extension == "dot":
        content = source.encode()
    else:
        program = shutil.which("dot")
        if program is None:
            raise ImportError(
                f"plot_model: writing {to_file!r} needs Graphviz's `dot` program, which was not "
                "found; install graphviz (e.g. `apt-get install graphviz`) or save as .dot"
            )
        content = subprocess.run(
            [program, f"-T{extension}"], input=source.encode(), capture_output=True, check=True
        ).stdout
    write_bytes_atomically(to_file, content)
    return to_file
