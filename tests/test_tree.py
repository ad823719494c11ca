"""kerasish.tree against Keras 3's keras.tree (run in a separate interpreter with the numpy backend, so this
process's keras stays as the other tests import it; skipped when keras is not installed), plus plain checks."""

import collections
import gc
import json
import os
import subprocess
import sys
import weakref

import pytest

from kerasish import tree

# Each case is an expression over `tree`, `collections` and `Point`; its repr (or the exception's type) is compared.
PRELUDE = "import collections\nPoint = collections.namedtuple('Point', ['x', 'y'])\n"
CASES = [
    "tree.flatten({'b': 1, 'a': (2, None), 'c': [3, {'z': 4, 'y': 5}]})",
    "tree.flatten(collections.OrderedDict([('b', 1), ('a', 2)]))",
    "tree.flatten(None)",
    "tree.flatten(7)",
    "tree.flatten([])",
    "tree.flatten({100: 'world!', 6: 'Hello'})",
    "tree.flatten(Point(1, [2, 3]))",
    "tree.flatten(collections.deque([1, (2, 3)]))",
    "tree.flatten(collections.defaultdict(list, {'b': 1, 'a': 2}))",
    "tree.flatten_with_path([{'foo': 42, 'bar': (1, None)}, Point(5, 6)])",
    "tree.is_nested(42), tree.is_nested(None), tree.is_nested({'foo': 42}), tree.is_nested(()), tree.is_nested('ab')",
    "tree.pack_sequence_as({'key3': '', 'key1': '', 'key2': ''}, ['value1', 'value2', 'value3'])",
    "tree.pack_sequence_as((('a', 'b'), ('c', 'd', 'e'), 'f'), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])",
    "tree.pack_sequence_as({'key3': {'c': ('alpha', 'beta'), 'a': ('gamma')}, 'key1': {'e': 'val1', 'd': 'val2'}}, "
    "['val2', 'val1', 3.0, 1.0, 2.0])",
    "tree.pack_sequence_as(Point(0, [0, 0]), [1, 2, 3])",
    "tree.pack_sequence_as('leaf', [5])",
    "tree.pack_sequence_as([1, 2], [1])",
    "tree.map_structure(lambda v: v * 2, [[1], (2, {'b': 3, 'a': 4})])",
    "tree.map_structure(lambda x, y: x * y, [[1], [2], [3]], [[1], [2], [3]])",
    "tree.map_structure(lambda v: v * 2, Point(1, 2))",
    "tree.map_structure(lambda v: v is None, [None, 1])",
    "tree.map_structure(lambda v: 0, [None, 1], none_is_leaf=False)",
    "tree.map_structure(lambda x, y: x + y, {'a': 1, 'b': 2}, collections.OrderedDict([('b', 20), ('a', 10)]))",
    "tree.map_structure(lambda x, y: 0, [1, 2], (1, 2))",
    "tree.map_structure(lambda x, y: 0, [1, 2], [1, 2, 3])",
    "tree.map_structure(lambda x, y: 0, {'a': 1}, {'b': 1})",
    "tree.map_structure(lambda x, y: 0, [1, [2]], [1, 2])",
    "tree.map_structure_up_to([0, 0], len, [[1, 1], [2, 2]])",
    "tree.map_structure_up_to([0, [0, 0]], str, [[1, 1], [2, 2]])",
    "tree.map_structure_up_to([0, [0, 0]], str, [[1, 1], 2])",
    "tree.assert_same_structure([(0, 1)], [(2, 3)])",
    "tree.assert_same_structure([0, 1], (0, 1))",
    "tree.assert_same_structure(Point(0, 1), collections.namedtuple('Point', ['x', 'y'])(0, 1))",
    "tree.assert_same_structure({'a': 1}, collections.OrderedDict(a=2))",
    "tree.assert_same_paths([0, 1], (2, 3))",
    "tree.assert_same_paths([0, 1], [2])",
    "tree.lists_to_tuples([[1, [2]], {'a': [3]}])",
    "tree.map_shape_structure(lambda s: len(s), {'x': (None, 3), 'y': [(2,), [4, 5]]})",
    "[*(lambda v: (tree.traverse(v.append, [(1, 2), [3], {'a': 4}], top_down=True), v))([])]",
    "[*(lambda v: (tree.traverse(v.append, [(1, 2), [3], {'a': 4}], top_down=False), v))([])]",
    "tree.traverse(lambda s: tree.MAP_TO_NONE if s == (1, 2) else None, [(1, 2), [3]])",
    "tree.traverse(lambda s: 'x' if isinstance(s, list) else None, ([1], 2), top_down=False)",
]

RUNNER = """
import collections, json, sys
from keras import tree
exec(sys.argv[1])
results = []
for case in json.loads(sys.stdin.read()):
    try:
        results.append(repr(eval(case)))
    except Exception as error:
        results.append(type(error).__name__)
print(json.dumps(results))
"""


def _evaluate(case):
    try:
        return repr(eval(case, {"tree": tree, "collections": collections, "Point": POINT}))
    except Exception as error:
        return type(error).__name__


POINT = collections.namedtuple("Point", ["x", "y"])


@pytest.fixture(scope="module")
def keras_results():
    environment = {**os.environ, "KERAS_BACKEND": "numpy"}
    found = subprocess.run([sys.executable, "-c", "import keras.tree"], env=environment, capture_output=True)
    if found.returncode:
        pytest.skip("keras (with its numpy backend) is not importable here")
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, PRELUDE],
        input=json.dumps(CASES),
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(zip(CASES, json.loads(done.stdout.strip().splitlines()[-1])))


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_agrees_with_keras_tree(case, keras_results):
    assert _evaluate(case) == keras_results[case]


def test_dicts_flatten_in_sorted_key_order_and_keep_their_order_when_rebuilt():
    structure = {"b": 1, "a": {"d": 2, "c": 3}}
    assert tree.flatten(structure) == [3, 2, 1]
    rebuilt = tree.pack_sequence_as(structure, [30, 20, 10])
    assert rebuilt == {"b": 10, "a": {"d": 20, "c": 30}} and list(rebuilt) == ["b", "a"]
    assert list(rebuilt["a"]) == ["d", "c"]


def test_none_is_a_leaf_and_namedtuples_and_deques_are_rebuilt_as_themselves():
    assert tree.flatten([None, (None,)]) == [None, None]
    value = tree.map_structure(lambda x: x + 1, POINT(1, collections.deque([2, 3], maxlen=4)))
    assert isinstance(value, POINT) and value.x == 2
    assert isinstance(value.y, collections.deque) and list(value.y) == [3, 4] and value.y.maxlen == 4


def test_map_structure_up_to_takes_none_as_a_shallow_leaf_as_keras_documents_it():
    # keras 3.15's optree implementation raises here, against its own docstring's examples
    assert tree.map_structure_up_to([None, None], len, [[1, 1], [2, 2]]) == [2, 2]
    assert tree.map_structure_up_to([None, [None, None]], str, [[1, 1], [2, 2]]) == ["[1, 1]", ["2", "2"]]


def test_other_containers_and_strings_are_leaves():
    class Record(dict):
        pass

    record = Record(a=1)
    assert tree.flatten(["ab", record, b"cd"]) == ["ab", record, b"cd"]


def test_mismatched_structures_are_value_errors_naming_both():
    with pytest.raises(ValueError, match=r"don't have the same nested structure.*list of 2 items and one of 3"):
        tree.assert_same_structure([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="keys"):
        tree.map_structure(lambda x, y: x, {"a": 1}, {"b": 1})


def test_pack_sequence_as_with_the_wrong_count_says_both_counts():
    with pytest.raises(ValueError, match="2 leaves but the flat sequence has 3 items"):
        tree.pack_sequence_as([0, (0,)], [1, 2, 3])


def test_unsortable_keys_are_a_type_error():
    with pytest.raises(TypeError, match="sortable"):
        tree.flatten({1: "a", "b": 2})


def test_the_spec_round_trips_and_is_hashable():
    from kerasish.backends import tree as backend_tree

    structure = ({"b": [1, 2], "a": POINT(3, None)}, collections.OrderedDict(z=4, y=5))
    leaves, spec = backend_tree.flatten_with_spec(structure)
    assert leaves == tree.flatten(structure) and hash(spec) is not None
    assert backend_tree.unflatten(spec, leaves) == structure
    assert backend_tree.flatten_with_spec({"a": 1, "b": 2})[1] != backend_tree.flatten_with_spec([1, 2])[1]


def test_map_structure_leaves_no_cycle_that_keeps_its_function_alive():
    """Its recursive walker refers to itself; were that cycle left, the function (and what it holds, such as
    a model's activations) would live until the garbage collector ran."""

    class Held:
        pass

    held = Held()
    alive = weakref.ref(held)

    def keep(x, held=held):
        return x

    gc.disable()
    try:
        tree.map_structure(keep, [1, (2, {"a": 3})])
        del keep, held
        assert alive() is None
    finally:
        gc.enable()
