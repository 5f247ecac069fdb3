"""Writes layers_keras3.json (and layers_keras2.json when tf_keras is installed): the
get_config() of every layer class Kestrel reads, built by real Keras with default arguments
and with common non-default ones, after the layer is built on a small input. Kestrel must read
every one of them; KerasConfigKeyTests adds an unknown key to each and expects an error.

Run with the reference venv:  python make_keras_configs.py
"""
import json
import sys

import numpy as np


def cases(layers, legacy):
    L = layers
    seq = (2, 5, 3)
    img = (2, 6, 6, 3)
    yield "Dense", L.Dense(4), (2, 3)
    yield "Dense", L.Dense(4, activation="relu", use_bias=False, kernel_regularizer="l2"), (2, 3)
    yield "Activation", L.Activation("tanh"), (2, 3)
    yield "ReLU", L.ReLU(max_value=6.0), (2, 3)
    yield "LeakyReLU", L.LeakyReLU(), (2, 3)
    yield "ELU", L.ELU(), (2, 3)
    yield "Softmax", L.Softmax(), (2, 3)
    yield "Dropout", L.Dropout(0.3), (2, 3)
    yield "Dropout", L.Dropout(0.3, seed=7), (2, 3)
    yield "Flatten", L.Flatten(), img
    yield "Reshape", L.Reshape((3, 5)), seq
    yield "Permute", L.Permute((2, 1)), seq
    yield "RepeatVector", L.RepeatVector(3), (2, 3)
    yield "Conv1D", L.Conv1D(4, 3), seq
    yield "Conv1D", L.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu"), seq
    yield "Conv2D", L.Conv2D(4, 3), img
    yield "Conv2D", L.Conv2D(4, (3, 1), strides=(2, 1), padding="same"), img
    yield "Conv2DTranspose", L.Conv2DTranspose(4, 3, strides=2), img
    yield "DepthwiseConv2D", L.DepthwiseConv2D(3), img
    yield "SeparableConv2D", L.SeparableConv2D(4, 3), img
    yield "MaxPooling1D", L.MaxPooling1D(), seq
    yield "AveragePooling1D", L.AveragePooling1D(2, strides=1, padding="same"), seq
    yield "MaxPooling2D", L.MaxPooling2D(), img
    yield "AveragePooling2D", L.AveragePooling2D(3, strides=1), img
    yield "GlobalMaxPooling1D", L.GlobalMaxPooling1D(), seq
    yield "GlobalAveragePooling1D", L.GlobalAveragePooling1D(), seq
    yield "GlobalMaxPooling2D", L.GlobalMaxPooling2D(), img
    yield "GlobalAveragePooling2D", L.GlobalAveragePooling2D(keepdims=True), img
    yield "ZeroPadding1D", L.ZeroPadding1D(2), seq
    yield "ZeroPadding2D", L.ZeroPadding2D(((1, 2), (0, 1))), img
    yield "Cropping1D", L.Cropping1D(1), seq
    yield "Cropping2D", L.Cropping2D(1), img
    yield "UpSampling1D", L.UpSampling1D(2), seq
    yield "UpSampling2D", L.UpSampling2D(2), img
    yield "UpSampling2D", L.UpSampling2D(2, interpolation="bilinear"), img
    yield "BatchNormalization", L.BatchNormalization(), img
    yield "LayerNormalization", L.LayerNormalization(), seq
    yield "SimpleRNN", L.SimpleRNN(4), seq
    yield "LSTM", L.LSTM(4), seq
    yield "LSTM", L.LSTM(4, return_sequences=True, dropout=0.1, recurrent_dropout=0.2, unroll=True), seq
    yield "GRU", L.GRU(4), seq
    yield "GRU", L.GRU(4, reset_after=False, go_backwards=True), seq
    yield "Bidirectional", L.Bidirectional(L.LSTM(4)), seq
    yield "Bidirectional", L.Bidirectional(L.GRU(4, return_sequences=True), merge_mode="sum"), seq
    yield "TimeDistributed", L.TimeDistributed(L.Dense(4)), seq
    yield "Masking", L.Masking(), seq
    yield "RNN", L.RNN(L.LSTMCell(4)), seq
    yield "RNN", L.RNN(L.StackedRNNCells([L.GRUCell(4), L.SimpleRNNCell(3)])), seq
    yield "Embedding", L.Embedding(10, 4), "ids"
    yield "Embedding", L.Embedding(10, 4, mask_zero=True), "ids"
    yield "ConvLSTM1D", L.ConvLSTM1D(2, 3), (2, 4, 6, 3)
    yield "ConvLSTM2D", L.ConvLSTM2D(2, 3, padding="same"), (2, 3, 5, 5, 2)
    if not legacy:
        yield "MultiHeadAttention", L.MultiHeadAttention(2, 4), "mha"


def built(layer, shape, keras):
    if shape == "ids":
        layer(np.zeros((2, 5), dtype="int32"))
    elif shape == "mha":
        x = np.zeros((2, 5, 3), dtype="float32")
        layer(x, x)
    else:
        layer(np.zeros(shape, dtype="float32"))
    return layer


def main():
    import keras
    records = []
    for class_name, layer, shape in cases(keras.layers, legacy=False):
        config = keras.saving.serialize_keras_object(built(layer, shape, keras))["config"]
        records.append({"class_name": class_name, "config": config})
    for class_name, layer in [("Add", keras.layers.Add()), ("Concatenate", keras.layers.Concatenate(axis=-1)),
                              ("Attention", keras.layers.Attention()),
                              ("AdditiveAttention", keras.layers.AdditiveAttention()),
                              ("Dot", keras.layers.Dot(axes=(2, 2))), ("Average", keras.layers.Average())]:
        records.append({"class_name": class_name, "config": keras.saving.serialize_keras_object(layer)["config"]})
    records.append({"class_name": "InputLayer", "config": keras.saving.serialize_keras_object(keras.layers.InputLayer(shape=(5, 3)))["config"]})
    with open("layers_keras3.json", "w") as f:
        json.dump({"keras": keras.__version__, "layers": records}, f, indent=1, sort_keys=True)
    print(f"wrote {len(records)} Keras {keras.__version__} layer configs")
    write_others(keras, "others_keras3.json")

    try:
        import tf_keras
    except ImportError:
        print("tf_keras not installed: no Keras 2 configs", file=sys.stderr)
        return
    records = []
    for class_name, layer, shape in cases(tf_keras.layers, legacy=True):
        config = tf_keras.layers.serialize(built(layer, shape, tf_keras))["config"]
        records.append({"class_name": class_name, "config": config})
    model = tf_keras.Sequential([tf_keras.layers.Dense(4, input_shape=(3,))])
    records.append({"class_name": "InputLayer", "config": model.get_config()["layers"][0]["config"]})
    records.append({"class_name": "Dense", "config": model.get_config()["layers"][1]["config"]})
    with open("layers_keras2.json", "w") as f:
        json.dump({"keras": tf_keras.__version__, "layers": records}, f, indent=1, sort_keys=True)
    print(f"wrote {len(records)} tf_keras {tf_keras.__version__} layer configs")
    write_others(tf_keras, "others_keras2.json")


def write_others(keras, path):
    """Optimizers, losses, initializers and schedules, as {kind, class_name, config}."""
    o, l, i, s = keras.optimizers, keras.losses, keras.initializers, keras.optimizers.schedules
    objects = {
        "optimizer": [o.SGD(), o.SGD(0.1, momentum=0.9, nesterov=True), o.Adam(), o.Adam(amsgrad=True, clipnorm=1.0),
                      o.AdamW(), o.RMSprop(centered=True), o.Adagrad(),
                      o.Adam(s.ExponentialDecay(0.01, 100, 0.9))],
        "loss": [l.MeanSquaredError(), l.MeanAbsoluteError(), l.Huber(delta=2.0), l.BinaryCrossentropy(from_logits=True),
                 l.CategoricalCrossentropy(label_smoothing=0.1), l.SparseCategoricalCrossentropy(from_logits=True)],
        "initializer": [i.Zeros(), i.Ones(), i.Constant(2.0), i.RandomUniform(), i.RandomNormal(seed=3), i.TruncatedNormal(),
                        i.Orthogonal(), i.GlorotUniform(), i.GlorotNormal(), i.HeUniform(), i.HeNormal(), i.LecunUniform(),
                        i.LecunNormal(), i.VarianceScaling(2.0, "fan_out", "uniform")],
        "schedule": [s.ExponentialDecay(0.01, 100, 0.9, staircase=True), s.CosineDecay(0.01, 100),
                     s.PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001])],
    }
    records = [{"kind": kind, "class_name": type(obj).__name__, "config": obj.get_config()}
               for kind, items in objects.items() for obj in items]
    with open(path, "w") as f:
        json.dump({"keras": keras.__version__, "objects": records}, f, indent=1, sort_keys=True,
                  default=lambda value: value.item() if hasattr(value, "item") else str(value))
    print(f"wrote {len(records)} optimizer, loss, initializer and schedule configs to {path}")


if __name__ == "__main__":
    main()
