"""Makes the small Keras models that Kestrel's Keras-import tests load.

Run with Keras 3 on TensorFlow (pip install keras tensorflow-cpu numpy):
    python make_keras_models.py
For each model it writes NAME.keras (Keras 3 zip), NAME.h5 (legacy whole-model HDF5),
NAME_x*.npy (inputs) and NAME_y*.npy (Keras's predictions on them); plus a truncated and a
corrupted copy of one file. Everything is seeded, so a rerun gives the same files.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(1234)
rng = np.random.default_rng(1234)
here = os.path.dirname(os.path.abspath(__file__))


def perturb(model):
    """Random non-initial weights (biases too) so a layout mistake shows up."""
    for w in model.weights:
        values = rng.normal(0, 0.5, size=w.shape).astype("float32")
        w.assign(np.abs(values) + 0.1 if "variance" in w.path else values)


def save(name, model, inputs):
    perturb(model)
    outputs = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    model.save(os.path.join(here, name + ".keras"))
    model.save(os.path.join(here, name + ".h5"))
    for i, x in enumerate(inputs):
        np.save(os.path.join(here, f"{name}_x{i}.npy"), x.astype("float32"))
    for i, y in enumerate(outputs):
        np.save(os.path.join(here, f"{name}_y{i}.npy"), np.asarray(y, dtype="float32"))


# A CNN classifier.
cnn = keras.Sequential([
    keras.Input(shape=(12, 12, 1)),
    layers.Conv2D(4, 3, activation="relu"),
    layers.MaxPooling2D(2),
    layers.Flatten(),
    layers.Dense(3),
], name="cnn")
save("cnn", cnn, [rng.uniform(0, 1, (5, 12, 12, 1))])

# An LSTM many-to-one classifier.
lstm = keras.Sequential([
    keras.Input(shape=(10, 3)),
    layers.LSTM(8),
    layers.Dense(2, activation="softmax"),
], name="lstm_classifier")
save("lstm_classifier", lstm, [rng.normal(0, 1, (4, 10, 3))])

# A bidirectional GRU tagger (many-to-many).
tagger = keras.Sequential([
    keras.Input(shape=(7, 4)),
    layers.Bidirectional(layers.GRU(5, return_sequences=True)),
    layers.TimeDistributed(layers.Dense(3)),
], name="bigru_tagger")
save("bigru_tagger", tagger, [rng.normal(0, 1, (3, 7, 4))])

# An LSTM encoder-decoder whose encoder states start the decoder.
encoder_input = keras.Input(shape=(6, 2), name="encoder_input")
decoder_input = keras.Input(shape=(4, 2), name="decoder_input")
_, h, c = layers.LSTM(8, return_state=True, name="encoder")(encoder_input)
decoded = layers.LSTM(8, return_sequences=True, name="decoder")(decoder_input, initial_state=[h, c])
forecast = layers.Dense(1, name="forecast")(decoded)
seq2seq = keras.Model([encoder_input, decoder_input], forecast, name="seq2seq_states")
save("seq2seq_states", seq2seq, [rng.normal(0, 1, (3, 6, 2)), rng.normal(0, 1, (3, 4, 2))])

# A convolutional autoencoder (functional).
image = keras.Input(shape=(8, 8, 1), name="image")
x = layers.Conv2D(4, 3, padding="same", activation="relu")(image)
x = layers.MaxPooling2D(2)(x)
x = layers.Conv2D(4, 3, padding="same", activation="relu")(x)
x = layers.UpSampling2D(2)(x)
restored = layers.Conv2D(1, 3, padding="same", activation="sigmoid")(x)
autoencoder = keras.Model(image, restored, name="autoencoder")
save("autoencoder", autoencoder, [rng.uniform(0, 1, (2, 8, 8, 1))])

# A model nesting a Sequential with BatchNormalization: legacy .h5 files keep a nested
# model's weights in one group, trainable ones first (moving statistics last). Its own
# generator, so the models above do not depend on it; variances stay positive.
rng = np.random.default_rng(4321)
inner = keras.Sequential([keras.Input((4,)), layers.BatchNormalization(), layers.Dense(3, activation="tanh")], name="inner")
outer_input = keras.Input((4,))
nested = keras.Model(outer_input, layers.Dense(2)(inner(outer_input)), name="nested_bn")
save("nested_bn", nested, [rng.normal(0, 1, (3, 4))])

# Damaged copies.
with open(os.path.join(here, "cnn.keras"), "rb") as f:
    data = bytearray(f.read())
with open(os.path.join(here, "truncated.keras"), "wb") as f:
    f.write(data[: len(data) // 2])
with open(os.path.join(here, "cnn.h5"), "rb") as f:
    data = bytearray(f.read())
with open(os.path.join(here, "truncated.h5"), "wb") as f:
    f.write(data[: len(data) // 3])
corrupt = bytearray(data)
for i in range(len(corrupt) // 4, len(corrupt) // 4 + 64):
    corrupt[i] ^= 0x5A
with open(os.path.join(here, "corrupted.h5"), "wb") as f:
    f.write(corrupt)
