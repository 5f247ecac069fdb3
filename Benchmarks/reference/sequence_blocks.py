"""Reference timings for kestrel-bench's `mha-block` and `convlstm2d` workloads in torch and
Keras, with the same models, sizes, loss, optimizer and timing spec as
Benchmarks/SequenceBlockModels.swift and Benchmarks/{AttentionBlock,ConvLSTM}Bench.swift.

    python sequence_blocks.py FRAMEWORK WORKLOAD [--modes train,infer]

FRAMEWORK: torch (eager), torch-cl (channels-last convolutions; ConvLSTM only),
torch-hoisted (ConvLSTM with the input convolution of all steps in one call, as Kestrel and
Keras do, instead of the usual per-step conv over cat([x_t, h])), keras (tf.function graph),
keras-xla (jit_compile=True). Prints one JSON line per mode, like kestrel-bench. Run at 2
threads; interleave with kestrel-bench (run_sequence_blocks.sh does). Needs torch or
tensorflow+keras in a venv outside the repository; never a dependency of Kestrel.
"""
import argparse
import json
import os
import platform
import statistics
import time

import numpy as np

THREADS = int(os.environ.get("BENCH_THREADS", "2"))
SPECS = {
    "mha-block": dict(batch=32, train=(3, 5, 5), infer=(3, 20, 5)),
    "convlstm2d": dict(batch=16, train=(3, 5, 5), infer=(3, 10, 5)),
}
STEPS, FEATURES, HEADS, CLASSES = 64, 128, 8, 10
FRAMES, SIDE, FILTERS = 10, 16, 16


def data(workload):
    rng = np.random.default_rng(0)
    b = SPECS[workload]["batch"]
    if workload == "mha-block":
        x = rng.standard_normal((b, STEPS, FEATURES), dtype=np.float32)
    else:
        x = rng.random((b, FRAMES, SIDE, SIDE, 1), dtype=np.float32)
    return x, rng.integers(0, CLASSES, size=(b,), dtype=np.int64)


def measure(step, warmup, steps, repeats, batch):
    for _ in range(warmup):
        step()
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        rates.append(steps * batch / (time.perf_counter() - start))
    return rates


def emit(framework, workload, mode, rates, spec, params):
    print(json.dumps(dict(framework=framework, workload=workload, mode=mode, batch=spec["batch"],
                          samples_per_s=round(statistics.median(rates), 2),
                          repeats=[round(r, 2) for r in rates], params=params, threads=THREADS,
                          machine=platform.processor() or platform.machine())), flush=True)


def torch_model(workload, framework, torch):
    nn = torch.nn

    class AttentionBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.attention = nn.MultiheadAttention(FEATURES, HEADS, batch_first=True)
            self.norm = nn.LayerNorm(FEATURES, eps=1e-5)
            self.dense = nn.Linear(FEATURES, CLASSES)

        def forward(self, x):
            attended, _ = self.attention(x, x, x, need_weights=False)
            return self.dense(self.norm(x + attended).mean(dim=1))

    class ConvLSTM(nn.Module):
        """The usual torch ConvLSTM cell: one conv over cat([x_t, h]) per step, gates i, f, g, o."""
        def __init__(self, hoisted, channels_last):
            super().__init__()
            self.hoisted, self.channels_last = hoisted, channels_last
            if hoisted:
                self.input_conv = nn.Conv2d(1, 4 * FILTERS, 3, padding=1)
                self.recurrent_conv = nn.Conv2d(FILTERS, 4 * FILTERS, 3, padding=1, bias=False)
            else:
                self.conv = nn.Conv2d(1 + FILTERS, 4 * FILTERS, 3, padding=1)
            self.dense = nn.Linear(FILTERS, CLASSES)

        def forward(self, x):  # x: (N, T, 1, H, W)
            n, t = x.shape[0], x.shape[1]
            fmt = torch.channels_last if self.channels_last else torch.contiguous_format
            h = torch.zeros(n, FILTERS, SIDE, SIDE).to(memory_format=fmt)
            c = torch.zeros_like(h)
            if self.hoisted:
                projected = self.input_conv(x.reshape(n * t, 1, SIDE, SIDE).to(memory_format=fmt))
                projected = projected.reshape(n, t, 4 * FILTERS, SIDE, SIDE)
            for step in range(t):
                if self.hoisted:
                    z = projected[:, step] + self.recurrent_conv(h)
                else:
                    z = self.conv(torch.cat([x[:, step].to(memory_format=fmt), h], dim=1))
                i, f, g, o = torch.chunk(z, 4, dim=1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
            return self.dense(h.mean(dim=(2, 3)))

    if workload == "mha-block":
        return AttentionBlock()
    model = ConvLSTM(hoisted=framework == "torch-hoisted", channels_last=framework == "torch-cl")
    return model.to(memory_format=torch.channels_last) if framework == "torch-cl" else model


def run_torch(framework, workload, modes):
    import torch
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    x_np, y_np = data(workload)
    if workload == "convlstm2d":
        x_np = np.ascontiguousarray(x_np.transpose(0, 1, 4, 2, 3))  # (N, T, 1, H, W)
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    time_torch(torch, framework, workload, torch_model(workload, framework, torch), x, y, SPECS[workload], modes)


def time_torch(torch, framework, workload, model, x, y, spec, modes):
    """Times Adam(1e-3, eps 1e-7) training steps on cross-entropy and inference-mode forward
    passes of `model` on the fixed batch; `spec` holds batch and (warm-up, steps, repeats) per mode."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss = torch.nn.CrossEntropyLoss()

    def train():
        optimizer.zero_grad(set_to_none=True)
        loss(model(x), y).backward()
        optimizer.step()

    def infer():
        with torch.inference_mode():
            model(x)

    params = sum(p.numel() for p in model.parameters())
    for mode in modes:
        emit(framework, workload, mode, measure(train if mode == "train" else infer, *spec[mode], spec["batch"]),
             spec, params)


def keras_at_threads():
    """Keras on TensorFlow at THREADS intra- and inter-op threads, seed 0."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(THREADS)
    import keras
    keras.utils.set_random_seed(0)
    return keras


def time_keras(keras, framework, workload, model, x, y, spec, modes):
    """Compiles `model` with Adam(1e-3, eps 1e-7) and sparse cross-entropy on logits (XLA for
    keras-xla) and times train_on_batch and predict_on_batch on the fixed batch."""
    model.compile(optimizer=keras.optimizers.Adam(1e-3, epsilon=1e-7),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=framework == "keras-xla")
    for mode in modes:
        step = (lambda: model.train_on_batch(x, y)) if mode == "train" else (lambda: model.predict_on_batch(x))
        emit(framework, workload, mode, measure(step, *spec[mode], spec["batch"]), spec, model.count_params())


def run_keras(framework, workload, modes):
    keras = keras_at_threads()
    layers = keras.layers
    if workload == "mha-block":
        inputs = keras.Input((STEPS, FEATURES))
        attended = layers.MultiHeadAttention(HEADS, FEATURES // HEADS)(inputs, inputs)
        x = layers.LayerNormalization(epsilon=1e-5)(layers.Add()([inputs, attended]))
        outputs = layers.Dense(CLASSES)(layers.GlobalAveragePooling1D()(x))
    else:
        inputs = keras.Input((FRAMES, SIDE, SIDE, 1))
        x = layers.ConvLSTM2D(FILTERS, 3, padding="same")(inputs)
        outputs = layers.Dense(CLASSES)(layers.GlobalAveragePooling2D()(x))
    x, y = data(workload)
    time_keras(keras, framework, workload, keras.Model(inputs, outputs), x, y, SPECS[workload], modes)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("framework", choices=["torch", "torch-cl", "torch-hoisted", "keras", "keras-xla"])
    parser.add_argument("workload", choices=list(SPECS))
    parser.add_argument("--modes", default="train,infer")
    args = parser.parse_args()
    modes = args.modes.split(",")
    (run_torch if args.framework.startswith("torch") else run_keras)(args.framework, args.workload, modes)


if __name__ == "__main__":
    main()
