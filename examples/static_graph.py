"""A two-layer network trained in the TF1 / Theano style on the static-graph engine.

Placeholders for x and y, variables for the weights, symbolic `gradients`, the SGD updates grouped
into one compiled `function`, then a Python loop of calls; at the end the optimised plan is printed.
"""

import argparse

import numpy

from kerasish import ops
from kerasish.backends import static


def make_data(count=512, seed=0):
    """A smooth regression target of 4 features."""
    rng = numpy.random.default_rng(seed)
    x = rng.uniform(-1, 1, (count, 4)).astype("float32")
    y = (numpy.sin(2 * x[:, :1]) + x[:, 1:2] * x[:, 2:3] - 0.5 * x[:, 3:]).astype("float32")
    return x, y


def build(hidden=32, learning_rate=0.1, seed=0):
    rng = numpy.random.default_rng(seed)
    x = static.placeholder((None, 4), name="x")
    y = static.placeholder((None, 1), name="y")
    w1 = static.variable(rng.normal(0, 0.5, (4, hidden)).astype("float32"), name="w1")
    b1 = static.variable(numpy.zeros(hidden, "float32"), name="b1")
    w2 = static.variable(rng.normal(0, 0.5, (hidden, 1)).astype("float32"), name="w2")
    b2 = static.variable(numpy.zeros(1, "float32"), name="b2")
    prediction = ops.matmul(ops.tanh(ops.matmul(x, w1) + b1), w2) + b2
    loss = ops.mean(ops.square(prediction - y))
    params = [w1, b1, w2, b2]
    grads = static.gradients(loss, params)
    train = static.function(
        [x, y], loss, updates=[(p, p - learning_rate * g) for p, g in zip(params, grads)], name="train_step"
    )
    predict = static.function([x], prediction, name="predict")
    return train, predict


def main(steps=300, batch_size=64, verbose=True):
    x, y = make_data()
    train, predict = build()
    losses = []
    for step in range(steps):
        start = (step * batch_size) % len(x)
        losses.append(float(train(x[start : start + batch_size], y[start : start + batch_size])))
        if verbose and step % 50 == 0:
            print(f"step {step:4d}  loss {losses[-1]:.4f}")
    if verbose:
        train.summary()
    return losses


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    main(parser.parse_args().steps)
