"""Text classification from raw strings: `TextVectorization` (adapted on the training texts) turns each
text into word indices, an `Embedding` and a bidirectional LSTM read them, a softmax picks the topic.
The data is `kerasish.datasets.python_docstrings` (bundled: standard-library docstrings labelled files,
network, text or numbers), so it runs without a network.

The model takes strings: in fit/evaluate/predict the vectorizer runs on the host, in the data pipeline,
and the engine (dynamic or static) sees integer batches; the saved model keeps the vocabulary.
"""

import argparse
import os
import tempfile

import numpy

import kerasish as keras
from kerasish import layers


def build_model(vectorizer, num_classes, width=32):
    return keras.Sequential(
        [
            keras.Input(shape=(1,), dtype="string"),
            vectorizer,
            layers.Embedding(vectorizer.vocabulary_size(), width, mask_zero=True),
            layers.Bidirectional(layers.LSTM(width)),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )


def main(epochs=6, max_tokens=4000, sequence_length=40, samples=None, engine=None, verbose="auto"):
    (x_train, y_train), (x_test, y_test) = keras.datasets.python_docstrings.load_data()
    if samples:
        x_train, y_train = x_train[:samples], y_train[:samples]
    keras.utils.set_random_seed(0)
    vectorizer = layers.TextVectorization(max_tokens=max_tokens, output_sequence_length=sequence_length)
    vectorizer.adapt(x_train)
    model = build_model(vectorizer, len(keras.datasets.python_docstrings.get_label_names()))
    model.compile(
        optimizer=keras.optimizers.Adam(0.005),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        backend=engine,
    )
    model.fit(x_train[:, None], y_train, batch_size=32, epochs=epochs, verbose=verbose)
    loss, accuracy = model.evaluate(x_test[:, None], y_test, verbose=0)
    print(f"test accuracy: {accuracy:.4f} (loss {loss:.4f})")

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "text_classifier.keras")
        model.save(path)
        reloaded = keras.models.load_model(path)
    sample = numpy.asarray(["Return the absolute path of a file, following symbolic links."], dtype=object)
    same = numpy.allclose(reloaded.predict(sample[:, None], verbose=0), model.predict(sample[:, None], verbose=0))
    topic = keras.datasets.python_docstrings.get_label_names()[int(model.predict(sample[:, None], verbose=0).argmax())]
    print(f"reloaded model predicts the same: {same}; {sample[0]!r} is about {topic}")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--engine", choices=["dynamic", "static"], default=None)
    arguments = parser.parse_args()
    main(arguments.epochs, engine=arguments.engine)
