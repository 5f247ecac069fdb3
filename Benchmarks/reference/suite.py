"""Reference timings for `kestrel-bench suite MODEL` in torch and Keras: the same models,
sizes, loss, optimizer and timing spec as Benchmarks/SuiteModels.swift and SuiteBench.swift.

    python suite.py FRAMEWORK MODEL [--modes train,infer]

FRAMEWORK: torch (eager), torch-cl (channels-last convolutions), keras (tf.function graph),
keras-xla (jit_compile=True). MODEL: conv1d-stack, vgg-cifar, text-lstm, gru-large-batch,
k1-kernels, cnn-mnist-functional (W2's CNN; Keras builds it with the functional API),
lstm-64, lstm-128, lstm-256, lstm-512. One JSON line per mode. torch gets its
fastest equivalent where one exists (the two stacked LSTMs as nn.LSTM(num_layers=2)).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sequence_blocks import THREADS, keras_at_threads, time_keras, time_torch  # noqa: E402

TIMING = dict(train=(3, 5, 5), infer=(3, 20, 5))
# batch, per-sample input shape (channels-last), vocabulary (0: float inputs), classes
MODELS = {
    "conv1d-stack": (64, (128, 9), 0, 6),
    "vgg-cifar": (64, (32, 32, 3), 0, 10),
    "text-lstm": (32, (80,), 10_000, 2),
    "gru-large-batch": (512, (32, 16), 0, 4),
    "k1-kernels": (64, (128, 9, 1), 0, 6),
    "cnn-mnist-functional": (128, (28, 28, 1), 0, 10),
    **{f"lstm-{u}": (64, (50, 32), 0, 10) for u in (64, 128, 256, 512)},
}


def data(name):
    batch, shape, vocabulary, classes = MODELS[name]
    rng = np.random.default_rng(0)
    x = (rng.integers(0, vocabulary, size=(batch,) + shape).astype(np.int64) if vocabulary
         else rng.random((batch,) + shape, dtype=np.float32))
    return x, rng.integers(0, classes, size=(batch,), dtype=np.int64)


def torch_model(name, torch):
    nn = torch.nn

    class Last(nn.Module):
        """The last step's output of a batch-first recurrent module."""
        def __init__(self, rnn):
            super().__init__()
            self.rnn = rnn

        def forward(self, x):
            return self.rnn(x)[0][:, -1]

    class Mean(nn.Module):
        def __init__(self, dims):
            super().__init__()
            self.dims = dims

        def forward(self, x):
            return x.mean(dim=self.dims)

    if name == "conv1d-stack":
        return nn.Sequential(nn.Conv1d(9, 32, 5), nn.ReLU(), nn.MaxPool1d(2), nn.Conv1d(32, 64, 5), nn.ReLU(),
                             Mean(2), nn.Linear(64, 6))
    if name == "vgg-cifar":
        return nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                             nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(64 * 8 * 8, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "text-lstm":
        return nn.Sequential(nn.Embedding(10_000, 128), Last(nn.LSTM(128, 256, num_layers=2, batch_first=True)),
                             nn.Linear(256, 2))
    if name == "gru-large-batch":
        return nn.Sequential(Last(nn.GRU(16, 64, batch_first=True)), nn.Linear(64, 4))
    if name == "k1-kernels":
        return nn.Sequential(nn.Conv2d(1, 16, (8, 1)), nn.ReLU(), nn.MaxPool2d((2, 1)), nn.Conv2d(16, 32, (8, 1)),
                             nn.ReLU(), nn.Flatten(), nn.Linear(32 * 53 * 9, 6))
    if name == "cnn-mnist-functional":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))
    units = int(name.split("-")[1])
    return nn.Sequential(Last(nn.LSTM(32, units, batch_first=True)), nn.Linear(units, 10))


def run_torch(framework, name, modes):
    import torch
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    x_np, y_np = data(name)
    if x_np.ndim == 4:
        x_np = x_np.transpose(0, 3, 1, 2)  # NCHW
    elif name == "conv1d-stack":
        x_np = x_np.transpose(0, 2, 1)  # NCL
    x, y = torch.from_numpy(np.ascontiguousarray(x_np)), torch.from_numpy(y_np)
    model = torch_model(name, torch)
    if framework == "torch-cl" and x.ndim == 4:
        model, x = model.to(memory_format=torch.channels_last), x.to(memory_format=torch.channels_last)
    time_torch(torch, framework, name, model, x, y, dict(batch=MODELS[name][0], **TIMING), modes)


def keras_model(name, keras):
    L = keras.layers
    batch, shape, vocabulary, classes = MODELS[name]
    if name == "conv1d-stack":
        body = [L.Conv1D(32, 5, activation="relu"), L.MaxPooling1D(2), L.Conv1D(64, 5, activation="relu"),
                L.GlobalAveragePooling1D(), L.Dense(6)]
    elif name == "vgg-cifar":
        body = [L.Conv2D(32, 3, padding="same", activation="relu"), L.Conv2D(32, 3, padding="same", activation="relu"),
                L.MaxPooling2D(2), L.Conv2D(64, 3, padding="same", activation="relu"),
                L.Conv2D(64, 3, padding="same", activation="relu"), L.MaxPooling2D(2), L.Flatten(),
                L.Dense(128, activation="relu"), L.Dense(10)]
    elif name == "text-lstm":
        body = [L.Embedding(10_000, 128), L.LSTM(256, return_sequences=True), L.LSTM(256), L.Dense(2)]
    elif name == "gru-large-batch":
        body = [L.GRU(64), L.Dense(4)]
    elif name == "k1-kernels":
        body = [L.Conv2D(16, (8, 1), activation="relu"), L.MaxPooling2D((2, 1)), L.Conv2D(32, (8, 1), activation="relu"),
                L.Flatten(), L.Dense(6)]
    elif name == "cnn-mnist-functional":
        inputs = keras.Input(shape)
        x = L.MaxPooling2D(2)(L.Conv2D(32, 3, activation="relu")(inputs))
        x = L.MaxPooling2D(2)(L.Conv2D(64, 3, activation="relu")(x))
        x = L.Dense(128, activation="relu")(L.Flatten()(x))
        return keras.Model(inputs, L.Dense(10)(x))
    else:
        body = [L.LSTM(int(name.split("-")[1])), L.Dense(10)]
    return keras.Sequential([keras.Input(shape, dtype="int32" if vocabulary else "float32")] + body)


def run_keras(framework, name, modes):
    keras = keras_at_threads()
    x, y = data(name)
    time_keras(keras, framework, name, keras_model(name, keras), x, y, dict(batch=MODELS[name][0], **TIMING), modes)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("framework", choices=["torch", "torch-cl", "keras", "keras-xla"])
    parser.add_argument("model", choices=list(MODELS))
    parser.add_argument("--modes", default="train,infer")
    args = parser.parse_args()
    (run_torch if args.framework.startswith("torch") else run_keras)(args.framework, args.model, args.modes.split(","))


if __name__ == "__main__":
    main()
