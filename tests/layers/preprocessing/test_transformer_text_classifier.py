"""keras.io's "Text classification with Transformer", written with `import kerasish as keras` as the
Keras code reads, fed raw strings through a `TextVectorization` first layer, trained on both engines
on the bundled python_docstrings texts."""

import numpy

import kerasish as keras
from kerasish import layers


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs, training=False):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = keras.ops.shape(x)[-1]
        positions = keras.ops.arange(start=0, stop=maxlen, step=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions


def test_transformer_text_classifier_trains_on_both_engines(engine):
    (x_train, y_train), (x_test, y_test) = keras.datasets.python_docstrings.load_data()
    x_train, y_train = x_train[:400], y_train[:400]
    vocab_size, maxlen, embed_dim, num_heads, ff_dim = 1000, 24, 16, 2, 16
    keras.utils.set_random_seed(0)
    vectorize_layer = layers.TextVectorization(max_tokens=vocab_size, output_sequence_length=maxlen)
    vectorize_layer.adapt(x_train)

    inputs = layers.Input(shape=(1,), dtype="string")
    x = vectorize_layer(inputs)
    x = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)(x)
    x = TransformerBlock(embed_dim, num_heads, ff_dim)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(20, activation="relu")(x)
    outputs = layers.Dense(4, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)

    model.compile(
        optimizer=keras.optimizers.Adam(0.003),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        backend=engine,
    )
    history = model.fit(x_train[:, None], y_train, batch_size=32, epochs=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    _, accuracy = model.evaluate(x_test[:, None], y_test, verbose=0)
    assert accuracy > 0.5  # four topics: chance is about 0.25
    predictions = model.predict(numpy.asarray(["Return the square root of x."], dtype=object)[:, None], verbose=0)
    assert predictions.shape == (1, 4)
