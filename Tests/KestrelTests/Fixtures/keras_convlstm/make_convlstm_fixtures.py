"""Makes the Keras 3 reference cases for ConvLSTM1D and ConvLSTM2D.

Run in a venv with keras, tensorflow-cpu, numpy (not a dependency of Kestrel):
    python make_convlstm_fixtures.py OUTPUT_FOLDER [SEED]
Layer cases (`layer_*.safetensors`): config and class, input `x0`, random weights `w/<i>`,
outputs `y` (and `state/<i>` with return_state), random cotangents `r` (`r_state/<i>`) and
the gradients of S = sum(y·r) + Σ sum(state_i·r_state_i): `dx0` and `dw/<i>`. Cases with
initial states add them as `x1` (h) and `x2` (c) with gradients `dx1`, `dx2`; masked cases
store the (samples, time) `mask` as 1/0.
`model_next_frame.keras` + `.safetensors`: a Sequential next-frame predictor on frames of
unknown count (ConvLSTM2D(return_sequences) → TimeDistributed(Conv2D)) with `x0` and Keras's `y`.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from keras_fixture_common import *  # noqa: E402,F403

out, seed, rng = start()


def layer_case(name, layer, x, initial_state=None, mask=None):
    xt = tf.constant(x)
    states = [tf.constant(s) for s in initial_state] if initial_state is not None else None
    kwargs = {}
    if states is not None:
        kwargs["initial_state"] = states
    if mask is not None:
        kwargs["mask"] = tf.constant(mask.astype(bool))
    layer(xt, **kwargs)
    weights = [rng.normal(scale=0.3, size=w.shape).astype(np.float32) for w in layer.weights]
    for w, value in zip(layer.weights, weights):
        w.assign(value)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        for state in states or []:
            tape.watch(state)
        outputs = layer(xt, **kwargs)
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        cotangents = [rng.normal(size=o.shape).astype(np.float32) for o in outputs]
        s = sum(tf.reduce_sum(o * r) for o, r in zip(outputs, cotangents))
    inputs = [xt] + (states or [])
    grads = tape.gradient(s, inputs + list(layer.trainable_weights))
    tensors = {"y": outputs[0].numpy(), "r": cotangents[0]}
    for i, (value, g) in enumerate(zip(inputs, grads)):
        tensors[f"x{i}"] = value.numpy()
        tensors[f"dx{i}"] = g.numpy()
    if mask is not None:
        tensors["mask"] = mask.astype(np.float32)
    for i, (o, r) in enumerate(zip(outputs[1:], cotangents[1:])):
        tensors[f"state/{i}"] = o.numpy()
        tensors[f"r_state/{i}"] = r
    for i, (w, g) in enumerate(zip(weights, grads[len(inputs):])):
        tensors[f"w/{i}"] = w
        tensors[f"dw/{i}"] = g.numpy()
    write_safetensors(os.path.join(out, f"layer_{name}.safetensors"), tensors,
                      meta(name, seed, layer=type(layer).__name__, config=layer.get_config(), weight_paths=[w.path for w in layer.weights]))
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
write_safetensors(os.path.join(out, "model_next_frame.safetensors"), {"x0": x, "y": model.predict(x, verbose=0)}, meta("next_frame", seed))
print("model written")

layer_case("conv1d_sequences_same", keras.layers.ConvLSTM1D(3, 3, padding="same", return_sequences=True), f32(2, 4, 7, 2))
layer_case("conv1d_strided_states_backwards", keras.layers.ConvLSTM1D(2, 2, strides=2, return_state=True, go_backwards=True),
           f32(2, 3, 9, 3))
layer_case("masked_sequences", keras.layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True), f32(3, 4, 5, 4, 2),
           mask=np.array([[1, 1, 0, 1], [1, 0, 0, 0], [0, 1, 1, 1]]))
layer_case("initial_states", keras.layers.ConvLSTM2D(2, (2, 3), padding="same", return_state=True), f32(2, 3, 4, 5, 2),
           initial_state=[f32(2, 4, 5, 2), f32(2, 4, 5, 2)])
layer_case("conv1d_initial_states_masked", keras.layers.ConvLSTM1D(3, 3, padding="same", return_sequences=True,
                                                                    return_state=True), f32(2, 5, 6, 2),
           initial_state=[f32(2, 6, 3), f32(2, 6, 3)], mask=np.array([[1, 1, 0, 1, 1], [1, 1, 1, 0, 0]]))
