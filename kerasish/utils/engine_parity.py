"""`check_engines_agree`: run one compiled model on both engines from the same state and compare.

Both engines share the model's Variables, so the check saves every piece of state (weights, random
seeds, optimizer slots, metric accumulators), runs the dynamic engine, restores the state, runs the
static engine, compares, and restores the state again: the model is left as it was.
"""

import numpy

from kerasish.backends import interface
from kerasish.backends.gradient_tape import GradientTape
from kerasish.backends.tree import flatten
from kerasish.layers.preprocessing import host_stage
from kerasish.utils.data_packing import unpack_x_y_sample_weight

ENGINES = ("dynamic", "static")


class ParityReport(dict):
    """{"forward", "gradients", "weights"}: the largest absolute difference of each, plus `worst`
    (the variable path or output that differs most), `agree` and the tolerances used."""

    def __str__(self):
        verdict = "agree" if self["agree"] else "DISAGREE"
        return (
            f"engines {verdict} (atol={self['atol']}, rtol={self['rtol']}): forward {self['forward']:.3g}, "
            f"gradients {self['gradients']:.3g}, weights after {self['steps']} steps {self['weights']:.3g}; "
            f"largest difference at {self['worst']}"
        )


def _state(model):
    variables = list(model.variables) + list(getattr(model.optimizer, "variables", []))
    for metric in model.metrics:
        variables += [v for v in getattr(metric, "variables", []) if v not in variables]
    return variables


def _forward_and_gradients(model, batch):
    x, y, sample_weight = unpack_x_y_sample_weight(batch)
    variables = model.trainable_variables
    with GradientTape() as tape:
        y_pred = model(x, training=True)
        loss = model.compute_loss(x, y, y_pred, sample_weight, training=True)
    return flatten(y_pred) + [loss], tape.gradient(loss, variables)


def _run_engine(name, model, batch, steps):
    engine = interface.get(name)
    outputs, gradients = engine.compile(_forward_and_gradients)(model, batch)
    train = engine.make_train_function(model)
    for _ in range(steps):
        train(batch)
    return (
        [numpy.asarray(o) for o in outputs],
        [None if g is None else numpy.asarray(g) for g in gradients],
        [v.numpy() for v in model.trainable_variables],
    )


def _largest(first, second, labels, atol, rtol):
    worst, label, ok = 0.0, None, True
    for a, b, name in zip(first, second, labels):
        if a is None or b is None:
            if (a is None) != (b is None):
                return float("inf"), name, False
            continue
        difference = float(numpy.max(numpy.abs(a.astype("float64") - b.astype("float64")), initial=0.0))
        ok = ok and numpy.allclose(a, b, atol=atol, rtol=rtol)
        if difference >= worst:
            worst, label = difference, name
    return worst, label, ok


def check_engines_agree(model, x, y=None, steps=3, sample_weight=None, atol=1e-5, rtol=1e-4, raise_error=True):
    """Forward pass, gradients and `steps` optimizer steps on one batch, on both engines.

    Returns a ParityReport; raises AssertionError (with the report) when they disagree and
    `raise_error` is True. The model must be compiled (its loss and optimizer are used).
    """
    model._assert_compiled("check_engines_agree")
    batch = model._single_batch(x, y, sample_weight)
    with host_stage.applied(model):  # the batch has been through the model's host stage (text layers)
        model.build_for("train", batch)
    state = _state(model)
    saved = [v.numpy() for v in state]
    results = {}
    try:
        for name in ENGINES:
            for variable, value in zip(state, saved):
                variable.assign(value)
            with host_stage.applied(model):
                results[name] = _run_engine(name, model, batch, steps)
    finally:
        for variable, value in zip(state, saved):
            variable.assign(value)
    paths = [v.path for v in model.trainable_variables]
    (dynamic_out, dynamic_grads, dynamic_weights), (static_out, static_grads, static_weights) = (
        results["dynamic"],
        results["static"],
    )
    labels = [f"output {i}" for i in range(len(dynamic_out) - 1)] + ["loss"]
    forward = _largest(dynamic_out, static_out, labels, atol, rtol)
    gradients = _largest(dynamic_grads, static_grads, [f"gradient of {p}" for p in paths], atol, rtol)
    weights = _largest(dynamic_weights, static_weights, paths, atol, rtol)
    worst = max((forward, gradients, weights), key=lambda r: r[0])
    report = ParityReport(
        forward=forward[0],
        gradients=gradients[0],
        weights=weights[0],
        worst=worst[1],
        agree=forward[2] and gradients[2] and weights[2],
        steps=steps,
        atol=atol,
        rtol=rtol,
    )
    if raise_error and not report["agree"]:
        raise AssertionError(f"Model '{model.name}': {report}")
    return report
