"""Makes the Keras 3 reference cases for ConvLSTM2D.

Run in a venv with keras, tensorflow-cpu, numpy (not a dependency of Kestrel):
    python make_convlstm_fixtures.py OUTPUT_FOLDER [SEED]
Layer cases (`layer_*.safetensors`): config and class, input `x0`, random weights `w/<i>`,
outputs `y` (and `state/<i>` with return_state), random cotangents `r` (`r_state/<i>`) and
the gradients of S = sum(y·r) + Σ sum(state_i·r_state_i): `dx0` and `dw/<i>`.
`model_next_frame.keras` + `.safetensors`: a Sequential next-frame predictor on frames of
unknown count (ConvLSTM2D(return_sequences) → TimeDistributed(Conv2D)) with `x0` and Keras's `y`.
"""
import json
import os
import sys

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np
import keras
import tensorflow as tf
from safetensors_writer import write_safetensors

tf.config.experimental.enable_op_determinism()
out = sys.argv[1]
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1234
rng = np.random.default_rng(seed)
keras.utils.set_random_seed(seed)
os.makedirs(out, exist_ok=True)


def meta(name, **extra):
    m = {"case": name, "keras_version": keras.__version__, "backend": keras.backend.backend(), "seed": str(seed),
         "tolerance": json.dumps({"atol": 1e-5, "rtol": 1e-4})}
    m.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in extra.items()})
    return m


def layer_case(name, layer, x):
    xt = tf.constant(x)
    layer(xt)
    weights = [rng.normal(scale=0.3, size=w.shape).astype(np.float32) for w in layer.weights]
    for w, value in zip(layer.weights, weights):
        w.assign(value)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        outputs = layer(xt)
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        cotangents = [rng.normal(size=o.shape).astype(np.float32) for o in outputs]
        s = sum(tf.reduce_sum(o * r) for o, r in zip(outputs, cotangents))
    grads = tape.gradient(s, [xt] + list(layer.trainable_weights))
    tensors = {"x0": x, "dx0": grads[0].numpy(), "y": outputs[0].numpy(), "r": cotangents[0]}
    for i, (o, r) in enumerate(zip(outputs[1:], cotangents[1:])):
        tensors[f"state/{i}"] = o.numpy()
        tensors[f"r_state/{i}"] = r
    for i, (w, g) in enumerate(zip(weights, grads[1:])):
        tensors[f"w/{i}"] = w
        tensors[f"dw/{i}"] = g.numpy()
    write_safetensors(os.path.join(out, f"layer_{name}.safetensors"), tensors,
                      meta(name, layer="ConvLSTM2D", config=layer.get_config(), weight_paths=[w.path for w in layer.weights]))
    print(name, [o.shape for o in outputs])


def f32(*shape):
    return rng.normal(size=shape).astype(np.float32)


layer_case("last_valid", keras.layers.ConvLSTM2D(3, (3, 3)), f32(2, 4, 6, 5, 2))
layer_case("sequences_same", keras.layers.ConvLSTM2D(2, (3, 2), padding="same", return_sequences=True), f32(2, 3, 5, 4, 3))
layer_case("strided_states_backwards", keras.layers.ConvLSTM2D(2, 3, strides=2, padding="same", return_state=True,
                                                                 go_backwards=True), f32(1, 3, 7, 6, 1))
layer_case("dilated_relu_no_forget_bias", keras.layers.ConvLSTM2D(2, 2, dilation_rate=2, activation="relu",
                                                                    unit_forget_bias=False, use_bias=True), f32(2, 2, 6, 6, 2))

model = keras.Sequential([keras.Input(shape=(None, 8, 8, 1)),
                          keras.layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True),
                          keras.layers.TimeDistributed(keras.layers.Conv2D(1, 3, padding="same", activation="sigmoid"))])
model.set_weights([rng.normal(scale=0.3, size=w.shape).astype(np.float32) for w in model.get_weights()])
x = rng.uniform(size=(2, 5, 8, 8, 1)).astype(np.float32)
model.save(os.path.join(out, "model_next_frame.keras"))
write_safetensors(os.path.join(out, "model_next_frame.safetensors"), {"x0": x, "y": model.predict(x, verbose=0)}, meta("next_frame"))
print("model written")
