"""Makes Keras 3 models built from the RNN cell API, saved as .keras files.

Run in a venv with keras, tensorflow-cpu, numpy (not a dependency of Kestrel):
    python make_rnn_cell_fixtures.py OUTPUT_FOLDER [SEED]
Each case is `<name>.keras` (random weights) and `<name>.safetensors` with an input `x0`
and Keras's prediction `y`.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from keras_fixture_common import *  # noqa: E402,F403

out, seed, rng = start()


def case(name, layers, x):
    model = keras.Sequential([keras.Input(shape=x.shape[1:])] + layers)
    model.set_weights([rng.normal(scale=0.5, size=w.shape).astype(np.float32) for w in model.get_weights()])
    model.save(os.path.join(out, name + ".keras"))
    write_safetensors(os.path.join(out, name + ".safetensors"), {"x0": x, "y": model.predict(x, verbose=0)},
                      {"case": name, "keras_version": keras.__version__, "seed": str(seed),
                       "tolerance": json.dumps({"atol": 1e-5, "rtol": 1e-4})})
    print(name)


x = rng.normal(size=(3, 6, 4)).astype(np.float32)
case("rnn_lstm_cell", [keras.layers.RNN(keras.layers.LSTMCell(5)), keras.layers.Dense(2)], x)
case("rnn_gru_cell_sequences_backwards",
     [keras.layers.RNN(keras.layers.GRUCell(4), return_sequences=True, go_backwards=True), keras.layers.Dense(1)], x)
case("rnn_gru_cell_reset_before", [keras.layers.RNN(keras.layers.GRUCell(3, reset_after=False))], x)
case("rnn_simple_cell_relu", [keras.layers.RNN(keras.layers.SimpleRNNCell(4, activation="relu"), return_sequences=True)], x)
case("rnn_stacked_cells", [keras.layers.RNN([keras.layers.LSTMCell(4), keras.layers.GRUCell(3)]), keras.layers.Dense(2)], x)
