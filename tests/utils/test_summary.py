import pytest

import kerasish
from kerasish.models import Model, Sequential
from kerasish.utils.naming import reset_names
from tests.models.toy_layers import Moments, Plus, Scale, Total


@pytest.fixture(autouse=True)
def fresh_names():
    reset_names()


def summary_lines(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return lines


def test_sequential_summary_has_keras_columns_rows_and_totals():
    model = Sequential([kerasish.Input((4,)), Scale(), Moments(), Total()], name="net")
    lines = summary_lines(model)
    text = "\n".join(lines)
    assert lines[0] == 'Model: "net"'
    assert "Layer (type)" in lines[2] and "Output Shape" in lines[2] and "Param #" in lines[2]
    assert "Connected to" not in text and "\x1b[" not in text
    row = next(line for line in lines if "scale (Scale)" in line)
    assert "(None, 4)" in row and row.rstrip("│ ").endswith("8")
    assert lines[-3:] == [
        " Total params: 13 (52.00 B)",
        " Trainable params: 12 (48.00 B)",
        " Non-trainable params: 1 (4.00 B)",
    ]


def test_functional_summary_shows_connections():
    a, b = kerasish.Input((3,), name="a"), kerasish.Input((3,), name="b")
    shared = Scale(name="shared")
    model = Model([a, b], Total()(Plus()([shared(a), shared(b)])))
    text = "\n".join(summary_lines(model, line_length=120, show_trainable=True))
    assert "Connected to" in text and "Trainable" in text
    assert "a[0][0]," in text and "b[0][0]" in text and "a (InputLayer)" in text


def test_subclassed_summary_uses_shapes_of_the_first_call():
    class Net(Model):
        def __init__(self):
            super().__init__()
            self.scale = Scale()

        def call(self, inputs):
            return self.scale(inputs)

    model = Net()
    model(kerasish.backends.dynamic.Tensor(__import__("numpy").ones((2, 5), "float32")))
    row = next(line for line in summary_lines(model) if "scale (Scale)" in line)
    assert "(None, 5)" in row
