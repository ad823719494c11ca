"""Nested structures with Keras 3's `keras.tree` semantics: the one flatten/unflatten of kerasish.

Nodes are lists, tuples, namedtuples, dicts, OrderedDicts, defaultdicts and deques; everything else,
None included, is a leaf. A dict's (and a defaultdict's) children come in the order of its sorted keys,
an OrderedDict's in its own order; a rebuilt dict keeps the key order of the structure it follows.
`flatten_with_spec` and `unflatten` carry the structure as a hashable spec (None for a leaf), for the
engines that key traces on it; `kerasish.tree` is the public namespace.
"""

import collections


class MAP_TO_NONE:  # noqa: N801 (Keras's name)
    """A `traverse` function returns this to replace a sub-tree with None."""


def _is_namedtuple(structure):
    return isinstance(structure, tuple) and hasattr(type(structure), "_fields")


def _sorted_keys(structure):
    try:
        return tuple(sorted(structure))
    except TypeError as error:
        raise TypeError(
            f"kerasish.tree: a dict's keys must be sortable to be flattened in a fixed order; "
            f"received keys {list(structure)}"
        ) from error


_LEAF_TYPES = set()  # the types met as leaves (a type is a leaf or a node whatever its value): one lookup next time


def _node(structure):
    """(kind, metadata, children) of a node, or None for a leaf; children in flattening order."""
    kind = type(structure)
    if kind in _LEAF_TYPES:  # the usual leaf, a tensor, every step
        return None
    if kind is list or kind is tuple or _is_namedtuple(structure):
        return kind, None, list(structure)
    if kind is dict or kind is collections.defaultdict:
        keys = _sorted_keys(structure)
        factory = structure.default_factory if kind is collections.defaultdict else None
        return kind, (keys, tuple(structure), factory), [structure[key] for key in keys]
    if kind is collections.OrderedDict:
        keys = tuple(structure)
        return kind, (keys, keys, None), [structure[key] for key in keys]
    if kind is collections.deque:
        return kind, structure.maxlen, list(structure)
    _LEAF_TYPES.add(kind)
    return None


def _rebuild(kind, metadata, children):
    if kind is list or kind is tuple:
        return kind(children)
    if kind is collections.deque:
        return collections.deque(children, maxlen=metadata)
    if issubclass(kind, tuple):  # a namedtuple
        return kind(*children)
    keys, order, factory = metadata
    values = dict(zip(keys, children))
    items = [(key, values[key]) for key in order]
    return collections.defaultdict(factory, items) if kind is collections.defaultdict else kind(items)


def _keys(kind, metadata, children):
    """The path entries of a node's children: indices, or keys for mappings."""
    if kind is dict or kind is collections.defaultdict or kind is collections.OrderedDict:
        return metadata[0]
    return tuple(range(len(children)))


def is_nested(structure):
    return _node(structure) is not None


def flatten(structure):
    """The leaves in order: a list."""
    node = _node(structure)
    if node is None:
        return [structure]
    return [leaf for child in node[2] for leaf in flatten(child)]


def flatten_with_path(structure):
    """(path, leaf) pairs; a path is the tuple of indices and keys that leads to the leaf."""
    node = _node(structure)
    if node is None:
        return [((), structure)]
    kind, metadata, children = node
    return [
        ((key,) + path, leaf)
        for key, child in zip(_keys(kind, metadata, children), children)
        for path, leaf in flatten_with_path(child)
    ]


def flatten_with_spec(structure):
    """The leaves and a hashable spec of the structure, which `unflatten` rebuilds it from."""
    node = _node(structure)
    if node is None:
        return [structure], None
    kind, metadata, children = node
    leaves, specs = [], []
    for child in children:
        child_leaves, spec = flatten_with_spec(child)
        leaves += child_leaves
        specs.append((spec, len(child_leaves)))
    return leaves, (kind, metadata, tuple(specs))


def unflatten(spec, leaves):
    """The structure of `spec` (from flatten_with_spec) holding `leaves`."""
    if spec is None:
        return leaves[0]
    kind, metadata, specs = spec
    children, start = [], 0
    for child_spec, count in specs:
        children.append(unflatten(child_spec, leaves[start : start + count]))
        start += count
    return _rebuild(kind, metadata, children)


def pack_sequence_as(structure, flat_sequence):
    """`flat_sequence` packed into the nesting of `structure` (its leaves are replaced in flatten order)."""
    leaves, spec = flatten_with_spec(structure)
    flat_sequence = list(flat_sequence)
    if len(flat_sequence) != len(leaves):
        raise ValueError(
            f"pack_sequence_as: the structure has {len(leaves)} leaves but the flat sequence has "
            f"{len(flat_sequence)} items; structure: {structure!r}"
        )
    return unflatten(spec, flat_sequence)


unflatten_as = pack_sequence_as  # Keras 3.0's name


def _mismatch(a, b, detail):
    return ValueError(
        f"The two structures don't have the same nested structure ({detail}).\n"
        f"First structure: {a!r}\nSecond structure: {b!r}"
    )


def _mapping(kind):
    return kind is dict or kind is collections.defaultdict or kind is collections.OrderedDict


def _children_like(node, other, other_structure, first_structure):
    """`other`'s children in the order of `node`'s: mappings match by key, sequences by type and length."""
    kind, metadata, children = node
    if other is None:
        raise _mismatch(
            first_structure, other_structure, f"{other_structure!r} is a leaf where the first has a {kind.__name__}"
        )
    other_kind, other_metadata, other_children = other
    if _mapping(kind) and _mapping(other_kind):
        if set(metadata[0]) != set(other_metadata[0]):
            raise _mismatch(
                first_structure, other_structure, f"keys {list(metadata[0])} and {list(other_metadata[0])} differ"
            )
        return [other_structure[key] for key in metadata[0]]
    if kind is not other_kind:
        raise _mismatch(first_structure, other_structure, f"a {kind.__name__} and a {other_kind.__name__}")
    if len(children) != len(other_children):
        raise _mismatch(
            first_structure,
            other_structure,
            f"a {kind.__name__} of {len(children)} items and one of {len(other_children)}",
        )
    return other_children


def map_structure(func, *structures, none_is_leaf=True):
    """`func` applied to the leaves of the structures (all nested alike), in the nesting of the first."""
    if not structures:
        raise ValueError("map_structure: must provide at least one structure")
    if not callable(func):
        raise TypeError(f"map_structure: `func` must be callable, received {func!r}")

    def walk(items):
        first = items[0]
        node = _node(first)
        if node is None:
            for other in items[1:]:
                if _node(other) is not None:
                    raise _mismatch(first, other, f"{first!r} is a leaf where the other has a {type(other).__name__}")
            if first is None and not none_is_leaf:
                return None
            return func(*items)
        columns = [node[2]] + [_children_like(node, _node(other), other, first) for other in items[1:]]
        return _rebuild(node[0], node[1], [walk(list(column)) for column in zip(*columns)])

    try:
        return walk(list(structures))
    finally:
        walk = None  # it refers to itself: without this, the cycle keeps `func` (and what it holds) until the GC runs


def map_structure_up_to(shallow_structure, func, *structures):
    """`func` applied to the sub-trees of `structures` at the leaves of `shallow_structure`."""
    if not structures:
        raise ValueError("map_structure_up_to: must provide at least one structure")

    def walk(shallow, items):
        node = _node(shallow)
        if node is None:
            return func(*items)
        columns = [_children_like(node, _node(item), item, shallow) for item in items]
        return _rebuild(node[0], node[1], [walk(child, list(column)) for child, column in zip(node[2], zip(*columns))])

    return walk(shallow_structure, list(structures))


def assert_same_structure(a, b, check_types=None):
    """A ValueError unless `a` and `b` nest alike (dict, OrderedDict, defaultdict match by keys)."""
    map_structure(lambda *leaves: None, a, b)


def assert_same_paths(a, b):
    """A ValueError unless `a` and `b` have the same paths (container types are not compared)."""
    a_paths = {path for path, _ in flatten_with_path(a)}
    b_paths = {path for path, _ in flatten_with_path(b)}
    if a_paths != b_paths:
        raise ValueError(
            f"`a` and `b` don't have the same paths.\nPaths in `a` missing in `b`: "
            f"{sorted(a_paths - b_paths, key=repr)}\nPaths in `b` missing in `a`: "
            f"{sorted(b_paths - a_paths, key=repr)}"
        )


def traverse(func, structure, top_down=True):
    """Depth-first: top down, a non-None result of `func` replaces a sub-tree (and stops the descent);
    bottom up, a non-None result replaces the sub-tree built from its traversed children.
    `MAP_TO_NONE` stands for a None result."""
    if not callable(func):
        raise TypeError(f"traverse: `func` must be callable, received {func!r}")

    def children_traversed(sub):
        node = _node(sub)
        if node is None:
            return sub
        return _rebuild(node[0], node[1], [walk(child) for child in node[2]])

    def walk(sub):
        if top_down:
            result = func(sub)
            if result is None:
                return children_traversed(sub)
        else:
            sub = children_traversed(sub)
            result = func(sub)
            if result is None:
                return sub
        return None if result is MAP_TO_NONE else result

    return walk(structure)


def lists_to_tuples(structure):
    return traverse(lambda sub: tuple(sub) if isinstance(sub, list) else None, structure, top_down=False)


def _is_shape(structure):
    return isinstance(structure, (list, tuple)) and all(isinstance(d, (int, type(None))) for d in structure)


def map_shape_structure(func, structure):
    """`func` applied to the shapes (lists or tuples of ints and Nones) in a structure."""
    if _is_shape(structure):
        return func(structure)
    node = _node(structure)
    if node is None:
        return func(structure)
    return _rebuild(node[0], node[1], [map_shape_structure(func, child) for child in node[2]])
