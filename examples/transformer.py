"""A small Vision Transformer on the bundled digits (8x8 images): a 3x3 convolution stem (which helps a
transformer learn from 1,437 images), 2x2 patches embedded by a strided convolution, a learned position
embedding, pre-norm MultiHeadAttention blocks, and a classifier on the mean of the patch tokens.

    python examples/transformer.py              # full size, 80 epochs (0.97 test accuracy)
    python examples/transformer.py --small      # a few epochs of a narrower model, as the tests run it
"""

import argparse

import numpy

import kerasish as keras
from kerasish import layers, ops


class ShiftedDigits(keras.utils.PyDataset):
    """Training batches with every image moved by up to one pixel each way (new draws every epoch): the test
    digits come from other writers, and the shifts teach the model what does not matter."""

    def __init__(self, x, y, batch_size, seed=0):
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size
        self.rng = numpy.random.default_rng(seed)
        self.padded = numpy.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index):
        rows = numpy.arange(index * self.batch_size, min((index + 1) * self.batch_size, len(self.x)))
        down, right = self.rng.integers(0, 3, (2, len(rows)))
        images = [self.padded[r, d : d + 8, c : c + 8] for r, d, c in zip(rows, down, right)]
        return numpy.stack(images), self.y[rows]


class PositionEmbedding(layers.Layer):
    """Adds a learned vector per token position to a sequence (batch, tokens, width)."""

    def build(self, input_shape):
        self.positions = self.add_weight(
            name="positions", shape=tuple(input_shape[1:]), initializer=keras.initializers.RandomNormal(stddev=0.02)
        )

    def call(self, inputs):
        return ops.add(inputs, self.positions)


def transformer_block(x, width, heads, hidden, dropout):
    attended = layers.MultiHeadAttention(num_heads=heads, key_dim=width // heads, dropout=dropout)(
        *[layers.LayerNormalization(epsilon=1e-6)(x)] * 2
    )
    x = layers.Add()([x, attended])
    y = layers.LayerNormalization(epsilon=1e-6)(x)
    y = layers.Dense(hidden, activation="gelu")(y)
    y = layers.Dropout(dropout)(y)
    y = layers.Dense(width)(y)
    return layers.Add()([x, y])


def vision_transformer(width=64, heads=4, depth=2, hidden=128, dropout=0.1, patch=2):
    inputs = keras.Input(shape=(8, 8, 1))
    x = layers.Conv2D(width // 2, 3, padding="same", activation="gelu")(inputs)  # a convolutional stem
    x = layers.Conv2D(width, patch, strides=patch)(x)  # one token per patch
    x = layers.Reshape(((8 // patch) ** 2, width))(x)
    x = PositionEmbedding()(x)
    for _ in range(depth):
        x = transformer_block(x, width, heads, hidden, dropout)
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    x = layers.GlobalAveragePooling1D()(x)
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x), name="vision_transformer")


def main(epochs=80, small=False, verbose="auto", backend=None):
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train[..., None].astype("float32") / 16.0
    x_test = x_test[..., None].astype("float32") / 16.0

    keras.utils.set_random_seed(0)
    model = vision_transformer(width=32, heads=2, depth=1, hidden=64) if small else vision_transformer()
    batches = ShiftedDigits(x_train, y_train, batch_size=64)
    learning_rate = keras.optimizers.schedules.CosineDecay(3e-3, decay_steps=epochs * len(batches))
    model.compile(
        optimizer=keras.optimizers.AdamW(learning_rate=learning_rate, weight_decay=1e-4),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        backend=backend,
    )
    model.fit(batches, epochs=epochs, verbose=verbose)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {accuracy:.4f} (loss {loss:.4f})")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--small", action="store_true", help="a narrower model for a few epochs (the tests' size)")
    parser.add_argument("--backend", choices=["dynamic", "static"], default=None)
    arguments = parser.parse_args()
    epochs = arguments.epochs or (12 if arguments.small else 80)
    main(epochs=epochs, small=arguments.small, backend=arguments.backend)
