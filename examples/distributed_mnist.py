"""Data-parallel training of a digits classifier over several processes (offline: the bundled digits).

    mpiexec -n 2 python examples/distributed_mnist.py

(`pip install 'kerasish[distributed]'` brings mpi4py and the mpich wheel with `mpiexec`; on a cluster,
`srun -n 2 python examples/distributed_mnist.py`.) Each process trains on its share of every global
batch of 64, the gradients are averaged across processes once per step, and only process 0 prints and
writes the checkpoint. Run alone (`python examples/distributed_mnist.py`) it trains in one process.
"""

import argparse
import os
import tempfile

import kerasish as keras
from kerasish import distribution, layers


def main(epochs=10, engine=None, verbose="auto", checkpoint_dir=None):
    distribution.set_distribution(distribution.DataParallel())
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / 16.0
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 16.0

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(64,)),
            layers.Dense(64, activation="relu"),
            layers.BatchNormalization(synchronized=True),
            layers.Dense(10),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        backend=engine,
        metrics=["accuracy"],
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    checkpoint_dir = checkpoint_dir or os.path.join(tempfile.gettempdir(), "kerasish_distributed_mnist")
    if distribution.is_chief():
        os.makedirs(checkpoint_dir, exist_ok=True)
    checkpoint = keras.callbacks.ModelCheckpoint(
        os.path.join(checkpoint_dir, "digits.weights.h5"), save_weights_only=True
    )
    model.fit(x_train, y_train, batch_size=64, epochs=epochs, verbose=verbose, callbacks=[checkpoint])
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=64, verbose=0)
    if distribution.is_chief():
        print(
            f"test accuracy {accuracy:.3f}, trained by {distribution.num_processes()} process(es); "
            f"weights in {checkpoint_dir}"
        )
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--engine", choices=["dynamic", "static"], default=None)
    parser.add_argument("--checkpoint-dir", default=None)
    options = parser.parse_args()
    main(options.epochs, options.engine, checkpoint_dir=options.checkpoint_dir)
