"""`model.summary()`: Keras 3's table, drawn with rich; colours only on a terminal, plain text otherwise."""

import io
import shutil

import numpy
import rich.box
import rich.console
import rich.markup
import rich.table

from kerasish.layers.input_layer import InputLayer
from kerasish.utils.io_utils import can_draw_live, print_msg


def readable_memory_size(size):
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _weights_size(variables):
    count = sum(int(numpy.prod(v.shape)) for v in variables)
    return count, sum(int(numpy.prod(v.shape)) * numpy.dtype(v.dtype).itemsize for v in variables)


def _shape_text(shapes):
    if shapes is None:
        return "?"
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
        return str(shapes) if len(shapes) != 1 else f"({shapes[0]},)"
    if isinstance(shapes, dict):
        return "{" + ", ".join(f"{k}: {_shape_text(v)}" for k, v in shapes.items()) + "}"
    return "[" + ", ".join(_shape_text(s) for s in shapes) + "]"


def _is_input_layer(layer):
    return isinstance(layer, InputLayer)


def _output_shapes(layer):
    if _is_input_layer(layer):
        return layer.batch_shape
    return layer.output_shapes


def _graph_of(model):
    """The functional graph the table follows; None for a Sequential or subclassed model (rows in order)."""
    return model._functional_graph() if hasattr(model, "_functional_graph") else None


def _is_sequential_like(model):
    graph = _graph_of(model)
    if graph is None:
        return True
    operations = [node.operation for node in graph.nodes]
    return (
        len(graph.inputs) == 1
        and len(graph.outputs) == 1
        and len(set(map(id, operations))) == len(operations)
        and all(len(node.parents) == 1 for node in graph.nodes)
    )


def _connections(model, layer):
    """`name[node][tensor]` of each input of the layer's calls within the model."""
    graph = _graph_of(model)
    if _is_input_layer(layer):
        return "-"
    references = model.node_references()
    names = [
        "{}[{}][{}]".format(*references[id(parent.node)], parent.index)
        for node in graph.nodes
        if node.operation is layer
        for parent in node.parents
    ]
    return ", ".join(names) if names else "-"


def _column_widths(positions, line_length):
    widths, current = [], 0
    for position in positions:
        width = int(position * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary")
        widths.append(width)
        current += width
    return widths


def print_summary(
    model, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False, layer_range=None
):
    live = print_fn is None and can_draw_live()
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        default_length, default_positions = 88, [0.45, 0.80, 1.0]
        headers, justify = ["Layer (type)", "Output Shape", "Param #"], ["left", "left", "right"]
    else:
        default_length, default_positions = 108, [0.3, 0.56, 0.74, 1.0]
        headers, justify = (
            ["Layer (type)", "Output Shape", "Param #", "Connected to"],
            ["left", "left", "right", "left"],
        )
    positions = list(positions or default_positions)
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        headers.append("Trainable")
        justify.append("center")
    line_length = min(line_length or default_length, shutil.get_terminal_size().columns - 4)
    if positions[-1] > 1:
        positions = [p / line_length for p in positions]
    widths = _column_widths(positions, line_length)

    table = rich.table.Table(
        *[rich.table.Column(h, justify=j, width=w) for h, j, w in zip(headers, justify, widths)],
        width=line_length,
        show_lines=True,
        box=rich.box.HEAVY_HEAD,
    )
    for depth, layer in _rows(model, expand_nested, layer_range):
        name = f"{'  ' * depth}{rich.markup.escape(layer.name)} ({type(layer).__name__})"
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        row = [name, _shape_text(_output_shapes(layer)), params]
        if not sequential_like:
            row.append(_connections(model, layer) if depth == 0 else "")
        if show_trainable:
            row.append("[bold green]Y[/]" if layer.trainable and live else ("Y" if layer.trainable else "N"))
        table.add_row(*row)

    trainable = _weights_size(model.trainable_weights)
    frozen = _weights_size(model.non_trainable_weights)
    optimizer = getattr(model, "optimizer", None)
    optimizer_built = optimizer is not None and getattr(optimizer, "built", False)
    optimizer_size = _weights_size(optimizer.variables) if optimizer_built else None
    total = [trainable[i] + frozen[i] + (optimizer_size[i] if optimizer_size else 0) for i in range(2)]
    footer = [
        f" Total params: {total[0]:,} ({readable_memory_size(total[1])})",
        f" Trainable params: {trainable[0]:,} ({readable_memory_size(trainable[1])})",
        f" Non-trainable params: {frozen[0]:,} ({readable_memory_size(frozen[1])})",
    ]
    if optimizer_size:
        footer.append(f" Optimizer params: {optimizer_size[0]:,} ({readable_memory_size(optimizer_size[1])})")

    buffer = io.StringIO()
    console = rich.console.Console(
        file=buffer,
        width=line_length + 4,
        force_terminal=live,
        no_color=not live,
        highlight=False,
        color_system="auto" if live else None,
    )
    console.print(
        f'[bold]Model: "{rich.markup.escape(model.name)}"[/]' if live else f'Model: "{model.name}"', markup=live
    )
    console.print(table)
    for line in footer:
        console.print(f"[bold]{line}[/]" if live else line, markup=live)
    text = buffer.getvalue().rstrip("\n")
    if print_fn is not None:
        for line in text.split("\n"):
            print_fn(line)
    else:
        print_msg(text)


def _rows(model, expand_nested, layer_range):
    layers = model.layers
    if _graph_of(model) is None:
        layers = [layer for layer in layers if not _is_input_layer(layer)]
    if layer_range is not None:
        names = [layer.name for layer in layers]
        if len(layer_range) != 2 or layer_range[0] not in names or layer_range[1] not in names:
            raise ValueError(
                f"layer_range must be two layer names of the model, received {layer_range}; the layers are {names}"
            )
        layers = layers[names.index(layer_range[0]) : names.index(layer_range[1]) + 1]
    for layer in layers:
        yield 0, layer
        if expand_nested and hasattr(layer, "layers"):
            for depth, inner in _rows(layer, True, None):
                yield depth + 1, inner
