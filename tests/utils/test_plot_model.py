import shutil

import pytest

import kerasish
from kerasish.models import Model
from kerasish.utils.model_visualization import model_to_dot, plot_model
from kerasish.utils.naming import reset_names
from tests.models.toy_layers import Plus, Scale, Total


@pytest.fixture(autouse=True)
def fresh_names():
    reset_names()


def two_input_model():
    a, b = kerasish.Input((3,), name="a"), kerasish.Input((3,), name="b")
    return Model([a, b], Total()(Plus()([Scale()(a), b])), name="net")


def test_dot_source_has_every_layer_and_connection():
    model = two_input_model()
    source = model_to_dot(model, show_shapes=True)
    assert source.startswith('digraph "net" {')
    for label in ("a (InputLayer)", "scale (Scale)", "plus (Plus)", "total (Total)", "output shape: (None, 1)"):
        assert label in source
    assert source.count("->") == 4


def test_plot_model_writes_dot_files_atomically(tmp_path):
    path = tmp_path / "model.dot"
    plot_model(two_input_model(), to_file=str(path))
    assert path.read_text().startswith("digraph")
    assert [p.name for p in tmp_path.iterdir()] == ["model.dot"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot program")
def test_plot_model_renders_png(tmp_path):
    path = tmp_path / "model.png"
    plot_model(two_input_model(), to_file=str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def nested_model():
    inner = kerasish.Sequential(
        [kerasish.Input((3,)), Scale(name="inner_scale"), Total(name="inner_total")], name="inner"
    )
    a = kerasish.Input((3,), name="a")
    return Model(a, Scale(name="last")(inner(Scale(name="first")(a))), name="outer"), inner


def test_expand_nested_draws_a_nested_model_as_a_cluster_of_its_layers():
    model, inner = nested_model()
    collapsed = model_to_dot(model)
    assert "inner (Sequential)" in collapsed and "cluster" not in collapsed
    source = model_to_dot(model, expand_nested=True)
    assert source.count("subgraph") == 1 and 'label="inner"; style=dashed;' in source
    cluster = source[source.index("subgraph") : source.index("}", source.index("subgraph"))]
    assert "inner_scale (Scale)" in cluster and "inner_total (Total)" in cluster
    assert "inner (Sequential)" not in source
    first, last = model.get_layer("first"), model.get_layer("last")
    inner_scale, inner_total = inner.layers
    for source_layer, target_layer in ((first, inner_scale), (inner_scale, inner_total), (inner_total, last)):
        assert f'"{id(source_layer)}" -> "{id(target_layer)}";' in source
    assert source.count("->") == 4  # a -> first, and the three above: every edge joins drawn nodes
    assert model_to_dot(inner, subgraph=True).startswith(f'subgraph "cluster_{id(inner)}" {{')
