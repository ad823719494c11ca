"""Run metric updates on either engine: eagerly, or traced once into a static graph and replayed."""

import numpy

import kerasish


def updater(metric, engine):
    """metric.update_state as a step function of the engine (arrays in, nothing out)."""

    def update(*arrays, **weights):
        metric.update_state(*arrays, **weights)

    return kerasish.function(update, engine=engine)


def result(metric):
    return numpy.asarray(metric.result())


def rand(*shape, seed=0, low=0.0, high=1.0):
    return numpy.random.default_rng(seed).uniform(low, high, shape).astype(numpy.float32)
