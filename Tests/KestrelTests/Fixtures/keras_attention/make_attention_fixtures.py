"""Makes the Keras 3 reference cases for the attention layers and Dot.

Run in a venv with keras, tensorflow-cpu, numpy (not a dependency of Kestrel):
    python make_attention_fixtures.py OUTPUT_FOLDER [SEED]
Layer cases (`layer_*.safetensors`): the layer's `config` and class, its inputs `x0`, `x1`
(`x2`: the key), random weights `w/<i>` in `layer.weights` order, the output `y`, a random
cotangent `r`, and the gradients of S = sum(y * r): `dx<i>` and `dw/<i>`. Call options
(`use_causal_mask`, an `attention_mask` tensor) are in the metadata and tensors.
Model cases (`model_*.keras` with `model_*.safetensors`): functional models whose masks
(Embedding mask_zero) or causal masks reach the attention layer, saved by Keras, with
inputs `x0`, `x1` and Keras's `predict` output `y`.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from keras_fixture_common import *  # noqa: E402,F403

out, seed, rng = start()


def layer_case(name, layer, inputs, list_input=True, causal=False, attention_mask=None):
    xs = [tf.constant(x) for x in inputs]
    kwargs = {}
    if causal:
        kwargs["use_causal_mask"] = True
    if attention_mask is not None:
        kwargs["attention_mask"] = attention_mask
    call = (lambda: layer(xs, **kwargs)) if list_input else (lambda: layer(*xs, **kwargs))
    call()  # build
    weights = [rng.normal(scale=0.5, size=w.shape).astype(np.float32) for w in layer.weights]
    for w, value in zip(layer.weights, weights):
        w.assign(value)
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = call()
        r = rng.normal(size=y.shape).astype(np.float32)
        s = tf.reduce_sum(y * r)
    grads = tape.gradient(s, xs + list(layer.trainable_weights))
    tensors = {"y": y.numpy(), "r": r}
    for i, (x, g) in enumerate(zip(inputs, grads[:len(xs)])):
        tensors[f"x{i}"] = x
        tensors[f"dx{i}"] = g.numpy()
    for i, (w, g) in enumerate(zip(weights, grads[len(xs):])):
        tensors[f"w/{i}"] = w
        tensors[f"dw/{i}"] = g.numpy()
    if attention_mask is not None:
        tensors["attention_mask"] = attention_mask.astype(np.float32)
    write_safetensors(os.path.join(out, f"layer_{name}.safetensors"), tensors,
                      meta(name, seed, layer=layer.__class__.__name__, config=layer.get_config(), inputs=len(inputs),
                           weight_paths=[w.path for w in layer.weights], use_causal_mask=causal,
                           list_input=list_input))
    print("layer", name, y.shape)


def model_case(name, model, inputs):
    weights = [rng.normal(scale=0.5, size=w.shape).astype(np.float32) for w in model.get_weights()]
    model.set_weights(weights)
    y = model.predict(inputs, verbose=0)
    model.save(os.path.join(out, f"model_{name}.keras"))
    tensors = {f"x{i}": x for i, x in enumerate(inputs)}
    tensors["y"] = y
    write_safetensors(os.path.join(out, f"model_{name}.safetensors"), tensors, meta(name, seed, inputs=len(inputs)))
    print("model", name, y.shape)


def f32(*shape):
    return rng.normal(size=shape).astype(np.float32)


def padded_ids(n, t, vocab):
    x = np.zeros((n, t), dtype=np.int32)
    for i in range(n):
        length = int(rng.integers(1, t + 1))
        x[i, :length] = rng.integers(1, vocab, size=length)
    return x


n, tq, tv, d = 3, 4, 5, 6
layer_case("attention_dot", keras.layers.Attention(), [f32(n, tq, d), f32(n, tv, d)])
layer_case("attention_scale_key", keras.layers.Attention(use_scale=True), [f32(n, tq, d), f32(n, tv, 3), f32(n, tv, d)])
layer_case("attention_concat_scale", keras.layers.Attention(score_mode="concat", use_scale=True), [f32(n, tq, d), f32(n, tv, d)])
layer_case("attention_causal", keras.layers.Attention(), [f32(n, tv, d), f32(n, tv, d)], causal=True)
layer_case("additive", keras.layers.AdditiveAttention(), [f32(n, tq, d), f32(n, tv, 2), f32(n, tv, d)])
layer_case("additive_unscaled_causal", keras.layers.AdditiveAttention(use_scale=False), [f32(n, tv, d), f32(n, tv, d)], causal=True)
layer_case("mha", keras.layers.MultiHeadAttention(num_heads=2, key_dim=3), [f32(n, tq, d), f32(n, tv, 5)], list_input=False)
layer_case("mha_key_value_dim_output", keras.layers.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=4, output_shape=5),
           [f32(n, tq, d), f32(n, tv, 3), f32(n, tv, 7)], list_input=False)
layer_case("mha_causal_no_bias", keras.layers.MultiHeadAttention(num_heads=2, key_dim=4, use_bias=False),
           [f32(n, tv, d), f32(n, tv, d)], list_input=False, causal=True)
allowed = (rng.uniform(size=(n, tq, tv)) > 0.4).astype(np.float32)
allowed[:, :, 0] = 1
layer_case("mha_attention_mask", keras.layers.MultiHeadAttention(num_heads=2, key_dim=3),
           [f32(n, tq, d), f32(n, tv, d)], list_input=False, attention_mask=allowed)
layer_case("dot_2d", keras.layers.Dot(axes=1), [f32(n, d), f32(n, d)])
layer_case("dot_3d_scores", keras.layers.Dot(axes=(2, 2)), [f32(n, tq, d), f32(n, tv, d)])
layer_case("dot_3d_time_normalized", keras.layers.Dot(axes=(1, 1), normalize=True), [f32(n, tv, 3), f32(n, tv, d)])

t, vocab = 6, 8
keras.utils.set_random_seed(seed)
q_ids = keras.Input(shape=(t,), dtype="int32")
v_ids = keras.Input(shape=(t + 1,), dtype="int32")
q = keras.layers.Embedding(vocab, 4, mask_zero=True)(q_ids)
v = keras.layers.Embedding(vocab, 4, mask_zero=True)(v_ids)
model_case("masked_attention", keras.Model([q_ids, v_ids], keras.layers.Attention(use_scale=True)([q, v])),
           [padded_ids(4, t, vocab), padded_ids(4, t + 1, vocab)])

q_ids = keras.Input(shape=(t,), dtype="int32")
v_ids = keras.Input(shape=(t + 1,), dtype="int32")
q = keras.layers.Embedding(vocab, 4, mask_zero=True)(q_ids)
v = keras.layers.Embedding(vocab, 4, mask_zero=True)(v_ids)
model_case("masked_additive_attention", keras.Model([q_ids, v_ids], keras.layers.AdditiveAttention()([q, v, v])),
           [padded_ids(4, t, vocab), padded_ids(4, t + 1, vocab)])

ids = keras.Input(shape=(t,), dtype="int32")
x = keras.layers.Embedding(vocab, 6, mask_zero=True)(ids)
x = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)(x, x)
model_case("masked_self_attention", keras.Model(ids, keras.layers.Dense(3)(x)), [padded_ids(4, t, vocab)])

series = keras.Input(shape=(t, 4))
x = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.1)(series, series, use_causal_mask=True)
model_case("causal_self_attention", keras.Model(series, keras.layers.Dense(2)(x)), [f32(4, t, 4)])

# With dropout Keras takes its masked-Softmax path: a query with no allowed key gets zero weights.
ids = keras.Input(shape=(t,), dtype="int32")
x = keras.layers.Embedding(vocab, 6, mask_zero=True)(ids)
x = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.2)(x, x)
model_case("masked_self_attention_dropout", keras.Model(ids, keras.layers.Dense(3)(x)), [padded_ids(4, t, vocab)])

# An attention_mask tensor argument (a model input) and a separate key tensor argument.
series = keras.Input(shape=(t, 4))
memory = keras.Input(shape=(t + 2, 5))
memory_key = keras.Input(shape=(t + 2, 3))
allowed = keras.Input(shape=(t, t + 2), dtype="bool")
x = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2)(series, memory, key=memory_key,
                                                                          attention_mask=allowed)
pairs = rng.uniform(size=(4, t, t + 2)) > 0.4
pairs[:, :, 0] = True  # every query sees at least one key
model_case("mha_attention_mask_input", keras.Model([series, memory, memory_key, allowed], keras.layers.Dense(2)(x)),
           [f32(4, t, 4), f32(4, t + 2, 5), f32(4, t + 2, 3), pairs])
