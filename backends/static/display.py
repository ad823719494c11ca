"""Pictures of graphs and plans: Graphviz text (`to_dot`) and a rich tree of a compiled plan."""

import io

from .symbol import Symbol
from .walk import topological

_SHAPES = {"placeholder": "box", "variable": "box3d", "constant": "note", "op": "ellipse"}
_COLOURS = {"placeholder": "lightblue", "variable": "khaki", "constant": "lightgrey", "op": "white"}


def graph_to_dot(graph, roots=None):
    """Graphviz text of the nodes under `roots` (default: every node of `graph`)."""
    nodes = topological(roots) if roots is not None else list(graph.nodes)
    name = graph.name if graph is not None else "plan"
    lines = [f'digraph "{_quote(name)}" {{', "  rankdir=TB;", '  node [fontname="Helvetica", fontsize=10];']
    for node in nodes:
        label = f"{node.name}\\n{_describe(node)}"
        lines.append(
            f'  n{id(node)} [label="{_quote(label)}", shape={_SHAPES[node.kind]}, '
            f'style=filled, fillcolor={_COLOURS[node.kind]}];'
        )
    for node in nodes:
        for position, x in enumerate(node.inputs):
            if isinstance(x, Symbol):
                lines.append(f'  n{id(x)} -> n{id(node)} [label="{position}"];')
            else:
                lines.append(f'  s{id(node)}_{position} [label="{x!r}", shape=plaintext];')
                lines.append(f'  s{id(node)}_{position} -> n{id(node)} [label="{position}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _describe(node):
    dtype = getattr(node.dtype, "name", node.dtype)
    dims = ["?" if d is None else str(d) for d in node.shape]
    shape = "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"
    return f"{node.op.name if node.op is not None else node.kind} {shape} {dtype}"


def _quote(text):
    return str(text).replace('"', '\\"')


def plan_summary(fn, print_fn=None):
    """A tree of the compiled plan: inputs, variables, each step (with fused chains opened up),
    outputs and updates. Printed with rich (or `print_fn`, one line at a time); returns the text."""
    from rich.console import Console
    from rich.tree import Tree

    plan = fn.plan
    tree = Tree(
        f"[bold]{fn.name}[/bold]: {len(plan.steps)} steps on {plan.device}, passes: "
        f"{', '.join(sorted(fn.passes)) or 'none'}"
    )
    inputs = tree.add(f"inputs ({len(fn.inputs)})")
    for p in fn.inputs:
        inputs.add(f"s{plan.slot[id(p)]} {p.name} {_describe(p)}")
    if plan.variables:
        variables = tree.add(f"variables ({len(plan.variables)})")
        for slot, variable in plan.variables:
            variables.add(f"s{slot} {variable.path} {variable.shape} {variable.dtype}")
    steps = tree.add(f"steps ({len(plan.steps)})")
    for index, step in enumerate(plan.steps):
        arguments = ", ".join(f"s{i}" for i in step.inputs)
        extra = f" [dim]into s{step.out}[/dim]" if step.out is not None else ""
        freed = f" [dim]frees {', '.join(f's{d}' for d in step.dead)}[/dim]" if step.dead else ""
        branch = steps.add(
            f"{index}: s{step.output} = {step.node.op.name}({arguments}) -> {_describe(step.node)}{extra}{freed}"
        )
        for link, operands in step.node.attrs.get("program", ()):
            branch.add(f"{link}({', '.join('chain' if k < 0 else f'in{k}' for k in operands)})")
    tree.add("outputs: " + ", ".join(f"s{s}" for s in plan.outputs))
    if plan.updates:
        tree.add("updates: " + ", ".join(f"{v.path} <- s{s}" for v, s in plan.updates))
    buffer = io.StringIO()
    Console(file=buffer, width=120, no_color=True).print(tree)
    text = buffer.getvalue()
    if print_fn is not None:
        for line in text.rstrip("\n").split("\n"):
            print_fn(line)
    else:
        Console().print(tree)
    return text
