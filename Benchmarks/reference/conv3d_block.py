"""Reference timings for kestrel-bench's `conv3d` workload in torch and Keras: the same
model (Conv3D(8, 3, same, relu) → MaxPooling3D(2) → Conv3D(16, 3, same, relu) → global
average → Dense(10)), sizes, loss, optimizer and timing spec as Benchmarks/Conv3DBench.swift.

    python conv3d_block.py FRAMEWORK [--modes train,infer]

FRAMEWORK: torch (eager, NCDHW), torch-cl (eager, channels_last_3d), keras (tf.function graph), keras-xla (jit_compile=True).
Prints one JSON line per mode, like kestrel-bench. Shares the timing helpers of
sequence_blocks.py (run beside it); BENCH_THREADS threads (2 by default).
"""
import argparse

import numpy as np

from sequence_blocks import THREADS, keras_at_threads, time_keras, time_torch

SPEC = dict(batch=8, train=(3, 5, 5), infer=(3, 10, 5))
DEPTH, SIDE, CLASSES = 12, 16, 10


def data():
    rng = np.random.default_rng(0)
    x = rng.random((SPEC["batch"], DEPTH, SIDE, SIDE, 1), dtype=np.float32)
    return x, rng.integers(0, CLASSES, size=(SPEC["batch"],), dtype=np.int64)


def run_torch(framework, modes):
    import torch
    nn = torch.nn
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv3d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool3d(2),
                          nn.Conv3d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool3d(1), nn.Flatten(),
                          nn.Linear(16, CLASSES))
    x_np, y_np = data()
    x = torch.from_numpy(np.ascontiguousarray(x_np.transpose(0, 4, 1, 2, 3)))
    if framework == "torch-cl":
        model = model.to(memory_format=torch.channels_last_3d)
        x = x.contiguous(memory_format=torch.channels_last_3d)
    time_torch(torch, framework, "conv3d", model, x, torch.from_numpy(y_np), SPEC, modes)


def run_keras(framework, modes):
    keras = keras_at_threads()
    layers = keras.layers
    inputs = keras.Input((DEPTH, SIDE, SIDE, 1))
    x = layers.Conv3D(8, 3, padding="same", activation="relu")(inputs)
    x = layers.Conv3D(16, 3, padding="same", activation="relu")(layers.MaxPooling3D(2)(x))
    outputs = layers.Dense(CLASSES)(layers.GlobalAveragePooling3D()(x))
    x_np, y_np = data()
    time_keras(keras, framework, "conv3d", keras.Model(inputs, outputs), x_np, y_np, SPEC, modes)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("framework", choices=["torch", "torch-cl", "keras", "keras-xla"])
    parser.add_argument("--modes", default="train,infer")
    args = parser.parse_args()
    modes = args.modes.split(",")
    run_torch(args.framework, modes) if args.framework.startswith("torch") else run_keras(args.framework, modes)


if __name__ == "__main__":
    main()
