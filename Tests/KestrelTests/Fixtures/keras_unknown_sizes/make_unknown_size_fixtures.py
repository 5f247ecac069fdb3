"""Makes Keras 3 models with unknown sizes (None) in their input shapes.

Run in a venv with keras, tensorflow-cpu, numpy (not a dependency of Kestrel):
    python make_unknown_size_fixtures.py OUTPUT_FOLDER [SEED]
Each case is `<name>.keras` (saved by Keras, random weights) and `<name>.safetensors` with
two batches of different sizes on the unknown axes, `a` and `b`, and Keras's predictions
for them, `y_a` and `y_b`. The `summary` metadata is Keras's output-shape column.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from keras_fixture_common import *  # noqa: E402,F403

out, seed, rng = start()


def case(name, model, a, b):
    model.set_weights([rng.normal(scale=0.5, size=w.shape).astype(np.float32) for w in model.get_weights()])
    model.save(os.path.join(out, name + ".keras"))
    shapes = [str(tuple(layer.output.shape)).replace("None", "None") for layer in model.layers]
    tensors = {"a": a, "b": b, "y_a": model.predict(a, verbose=0), "y_b": model.predict(b, verbose=0)}
    write_safetensors(os.path.join(out, name + ".safetensors"), tensors,
                      {"case": name, "output_shapes": json.dumps(shapes), "keras_version": keras.__version__,
                       "seed": str(seed), "tolerance": json.dumps({"atol": 1e-5, "rtol": 1e-4})})
    print(name, shapes)


def f32(*shape):
    return rng.normal(size=shape).astype(np.float32)


def ids(n, t, vocab):
    x = np.zeros((n, t), dtype=np.int32)
    for i in range(n):
        length = int(rng.integers(1, t + 1))
        x[i, :length] = rng.integers(1, vocab, size=length)
    return x


case("sequential_lstm_tagger",
     keras.Sequential([keras.Input(shape=(None, 3)), keras.layers.LSTM(5, return_sequences=True), keras.layers.Dense(2)]),
     f32(2, 4, 3), f32(3, 9, 3))

x = keras.Input(shape=(None, 2))
y = keras.layers.Conv1D(4, 3, padding="same", activation="relu")(x)
y = keras.layers.MaxPooling1D(2)(y)
y = keras.layers.GRU(3)(y)
case("functional_conv_gru", keras.Model(x, keras.layers.Dense(1)(y)), f32(2, 8, 2), f32(2, 13, 2))

case("images_of_any_size",
     keras.Sequential([keras.Input(shape=(None, None, 1)), keras.layers.Conv2D(2, 3, activation="relu"),
                       keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)]),
     f32(2, 6, 7, 1), f32(2, 9, 5, 1))

case("masked_embedding_lstm",
     keras.Sequential([keras.Input(shape=(None,), dtype="int32"), keras.layers.Embedding(7, 4, mask_zero=True),
                       keras.layers.Bidirectional(keras.layers.LSTM(3)), keras.layers.Dense(2)]),
     ids(3, 5, 7), ids(2, 8, 7))
