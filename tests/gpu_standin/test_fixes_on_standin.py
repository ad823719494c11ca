"""What the strict stand-in found in kerasish, each pinned on the stand-in device (in a subprocess, as the
device is chosen at import): a value check read after a static plan ran on the GPU names its node as on the
CPU; cond and while_loop in a static function choose on the host through an explicit transfer; an eager value
check (sparse labels) and the Tensor's float() read the device explicitly."""

import textwrap

import pytest

from tests.gpu_standin.test_suite_on_standin import run_on_standin


def run(code):
    result = run_on_standin("-c", textwrap.dedent(code), timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


def test_a_deferred_value_check_names_its_node_on_the_gpu():
    output = run(
        """
        import numpy, kerasish
        from kerasish import losses
        function = kerasish.function(lambda t, p: losses.sparse_categorical_crossentropy(t, p), engine="static")
        try:
            function(numpy.array([0, 7], "int32"), numpy.full((2, 4), 0.25, "float32"))
        except ValueError as error:
            print(error)
        """
    )
    assert "label 7 is out of range for 4 classes" in output
    assert "(in <lambda>, node 'check_range" in output, output


def test_static_cond_and_while_loop_run_on_the_gpu():
    output = run(
        """
        import numpy, kerasish
        from kerasish import ops

        @kerasish.function(engine="static")
        def step(x):
            x = ops.cond(ops.sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)
            return ops.while_loop(lambda v: ops.sum(v) < 100.0, lambda v: (v * 2.0,), (x,))[0]

        print(kerasish.ops.convert_to_numpy(step(numpy.ones(3, "float32"))).tolist())
        """
    )
    assert output.strip().splitlines()[-1] == "[64.0, 64.0, 64.0]"


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_fit_with_sparse_labels_and_a_float_of_a_tensor_on_the_gpu(engine):
    output = run(
        f"""
        import numpy, kerasish
        from kerasish import layers, ops
        model = kerasish.Sequential([layers.Input((4,)), layers.Dense(3)])
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", backend="{engine}")
        history = model.fit(numpy.ones((8, 4), "float32"), numpy.arange(8) % 3, batch_size=4, verbose=0)
        print(float(ops.sum(ops.ones((2,)))), len(history.history["loss"]))
        """
    )
    assert output.strip().splitlines()[-1] == "2.0 1"
