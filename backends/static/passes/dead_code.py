"""Dead-code elimination: compute only what the outputs and updates need.

With the pass on, the plan holds the nodes the roots depend on, and updates that write a
variable's own value back are dropped. With it off, the plan also computes every node the fed
placeholders flow into, as an interpreter that runs the whole graph would.
"""

from ..graph import Symbol


def live_updates(updates):
    return [
        (variable, value)
        for variable, value in updates
        if not (value.kind == "variable" and value.variable is variable)
    ]


def reachable_from(inputs):
    """Every op node of the inputs' graphs that the feeds flow into and that the feeds can compute."""
    computable = {id(p) for p in inputs}
    downstream = set(computable)
    nodes = []
    for graph in {id(p.graph): p.graph for p in inputs}.values():
        for node in graph.nodes:
            symbols = [x for x in node.inputs if isinstance(x, Symbol)]
            if node.kind in ("variable", "constant"):
                computable.add(id(node))
            elif node.kind == "op" and all(id(x) in computable for x in symbols):
                computable.add(id(node))
                if any(id(x) in downstream for x in symbols):
                    downstream.add(id(node))
                    nodes.append(node)
    return nodes
