"""Makes the Keras 3 reference cases for masked and weighted losses and metrics.

Run in a venv with keras, tensorflow-cpu, numpy (not a dependency of Kestrel):
    python make_weighted_fixtures.py OUTPUT_FOLDER [SEED]
Each case is one safetensors file (two cases also save the compiled model as `.keras` and `.h5`): the model config, its weights `w/<i>`, the inputs `x`,
targets `y`, optional `sample_weight`, optional `class_weight` (metadata), and what Keras
computes for them:
  * `train_loss`, `train_<metric>`: `model.train_on_batch(x, y, ...)` on the whole batch
    (the values before the update), and `w_after/<i>`: the weights after that SGD step;
  * `eval_loss`, `eval_<metric>`: `model.evaluate(x, y, ..., batch_size=eval_batch_size)`
    on fresh copies of the stored weights, so several batches are aggregated.
Cases compiled with `weighted_metrics` list them in the compile config; a metric in both
lists is logged as `<name>` (unweighted) and `weighted_<name>`.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from keras_fixture_common import *  # noqa: E402,F403

out, seed, rng = start()


def padded_ids(n, t, vocab, pad_side):
    """Integer sequences of random lengths 1..t, zero-padded (0 is the mask value)."""
    x = np.zeros((n, t), dtype=np.int32)
    for i in range(n):
        length = int(rng.integers(1, t + 1))
        ids = rng.integers(1, vocab, size=length)
        if pad_side == "post":
            x[i, :length] = ids
        else:
            x[i, t - length:] = ids
    return x


def padded_series(n, t, f):
    x = rng.normal(size=(n, t, f)).astype(np.float32)
    for i in range(n):
        length = int(rng.integers(1, t + 1))
        x[i, length:] = 0
    return x


def case(name, build, x, y, loss, metrics, sample_weight=None, class_weight=None, eval_batch_size=3, note="",
         save_keras=False, weighted_metrics=None):
    keras.utils.set_random_seed(seed)
    model = build()
    # Random weights (biases too), never Keras's initial values.
    weights = [rng.normal(scale=0.5, size=w.shape).astype(np.float32) for w in model.get_weights()]
    model.set_weights(weights)
    optimizer = keras.optimizers.SGD(learning_rate=0.1)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics, weighted_metrics=weighted_metrics)
    kwargs = {}
    if sample_weight is not None:
        kwargs["sample_weight"] = sample_weight
    train = model.train_on_batch(x, y, class_weight=class_weight, return_dict=True, **kwargs)
    after = [w.copy() for w in model.get_weights()]
    model.set_weights(weights)
    evaluated = model.evaluate(x, y, batch_size=eval_batch_size, verbose=0, return_dict=True, **kwargs)
    if save_keras:
        # The compiled model with the stored weights, for `kestrel evaluate` (compile_config included).
        model.save(os.path.join(out, name + ".keras"))
        model.save(os.path.join(out, name + ".h5"))  # the legacy format, with its training_config

    tensors = {"x": x, "y": y}
    if sample_weight is not None:
        tensors["sample_weight"] = sample_weight.astype(np.float32)
    for i, (w, a) in enumerate(zip(weights, after)):
        tensors[f"w/{i}"] = w
        tensors[f"w_after/{i}"] = a
    for key, value in train.items():
        tensors[f"train_{key}"] = np.array(value, dtype=np.float32)
    for key, value in evaluated.items():
        tensors[f"eval_{key}"] = np.array(value, dtype=np.float32)
    compile_config = {
        "loss": keras.saving.serialize_keras_object(model.loss),
        "metrics": metrics,
        "optimizer": keras.saving.serialize_keras_object(optimizer),
    }
    if weighted_metrics is not None:
        compile_config["weighted_metrics"] = weighted_metrics
    metadata = {
        "case": name,
        "model_config": json.dumps(model.get_config()),
        "model_class": model.__class__.__name__,
        "compile_config": json.dumps(compile_config),
        "class_weight": json.dumps(class_weight) if class_weight is not None else "",
        "eval_batch_size": str(eval_batch_size),
        "train_logs": json.dumps(sorted(train.keys())),
        "eval_logs": json.dumps(sorted(evaluated.keys())),
        "note": note,
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "seed": str(seed),
        "tolerance": json.dumps({"atol": 1e-5, "rtol": 1e-4}),
    }
    write_safetensors(os.path.join(out, name + ".safetensors"), tensors, metadata)
    print(name, {k: float(v) for k, v in train.items()}, {k: float(v) for k, v in evaluated.items()})


n, t, vocab = 7, 6, 9

def embedding_lstm(units=5, classes=3, activation=None):
    return lambda: keras.Sequential([
        keras.Input(shape=(t,), dtype="int32"),
        keras.layers.Embedding(vocab, 4, mask_zero=True),
        keras.layers.LSTM(units, return_sequences=True),
        keras.layers.Dense(classes, activation=activation),
    ])

x = padded_ids(n, t, vocab, "post")
y = rng.integers(0, 3, size=(n, t)).astype(np.int32)
case("masked_lstm_tagger", embedding_lstm(), x, y,
     keras.losses.SparseCategoricalCrossentropy(from_logits=True), ["accuracy"],
     note="Embedding(mask_zero) -> LSTM(return_sequences) -> Dense: the mask reaches the output, so padded steps add nothing to loss or accuracy and the loss is divided by the number of valid steps",
     save_keras=True)

x = padded_ids(n, t, vocab, "pre")
y = rng.integers(0, 3, size=(n, t)).astype(np.int32)
# Keras 3 needs a weight per step for sequence outputs ((N,) weights do not broadcast).
sw = rng.uniform(0.2, 2.0, size=(n, t)).astype(np.float32)
case("masked_lstm_tagger_sample_weight", embedding_lstm(), x, y,
     keras.losses.SparseCategoricalCrossentropy(from_logits=True), ["accuracy"], sample_weight=sw,
     note="the mask and a weight per step together")

xs = rng.normal(size=(n, t, 3)).astype(np.float32)
y = rng.integers(0, 4, size=(n, t)).astype(np.int32)
sw = rng.uniform(0.0, 2.0, size=(n, t)).astype(np.float32)
sw[0, :2] = 0
case("per_step_sample_weight",
     lambda: keras.Sequential([keras.Input(shape=(t, 3)), keras.layers.SimpleRNN(6, return_sequences=True),
                               keras.layers.Dense(4)]),
     xs, y, keras.losses.SparseCategoricalCrossentropy(from_logits=True), ["accuracy"], sample_weight=sw,
     note="a weight per sample and time step, no mask")

xs = padded_series(n, t, 2)
y = rng.normal(size=(n, t, 2)).astype(np.float32)
sw = rng.uniform(0.2, 2.0, size=(n, t)).astype(np.float32)
case("masking_gru_regression",
     lambda: keras.Sequential([keras.Input(shape=(t, 2)), keras.layers.Masking(mask_value=0.0),
                               keras.layers.GRU(5, return_sequences=True), keras.layers.Dense(2)]),
     xs, y, keras.losses.MeanSquaredError(), ["mae"], sample_weight=sw,
     note="Masking(0) -> GRU(return_sequences) -> Dense with MSE, MAE and a weight per step", save_keras=True)

x = padded_ids(n, t, vocab, "post")
y = rng.integers(0, 2, size=(n, t, 1)).astype(np.float32)
case("masked_binary_tagger", embedding_lstm(units=4, classes=1, activation="sigmoid"), x, y,
     keras.losses.BinaryCrossentropy(), ["binary_accuracy"],
     note="masked binary cross-entropy per step on targets (N, T, 1)")

xf = rng.normal(size=(11, 4)).astype(np.float32)
y = rng.integers(0, 3, size=(11,)).astype(np.int32)
case("class_weight_classifier",
     lambda: keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"),
                               keras.layers.Dense(3)]),
     xf, y, keras.losses.SparseCategoricalCrossentropy(from_logits=True), ["accuracy"],
     class_weight={0: 1.0, 1: 2.5, 2: 0.5}, eval_batch_size=4,
     note="class_weight turns into a weight per sample from its label (train_on_batch only; evaluate is unweighted)")

yo = np.eye(3, dtype=np.float32)[rng.integers(0, 3, size=(11,))]
sw = rng.uniform(0.0, 3.0, size=(11,)).astype(np.float32)
case("sample_weight_categorical",
     lambda: keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="softmax")]),
     xf, yo, keras.losses.CategoricalCrossentropy(), ["categorical_accuracy"], sample_weight=sw, eval_batch_size=4,
     note="per-sample weights on a softmax classifier with one-hot targets")

x = padded_ids(n, t, vocab, "post")
y = rng.integers(0, 3, size=(n, t)).astype(np.int32)
sw = rng.uniform(0.2, 2.0, size=(n, t)).astype(np.float32)
case("weighted_metrics_tagger", embedding_lstm(), x, y,
     keras.losses.SparseCategoricalCrossentropy(from_logits=True), ["accuracy"], sample_weight=sw,
     weighted_metrics=["accuracy"],
     note="weighted_metrics: the mask and the weight per step weigh them; the plain accuracy sees the mask only",
     save_keras=True)

y = rng.integers(0, 3, size=(11,)).astype(np.int32)
case("weighted_metrics_class_weight",
     lambda: keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"),
                               keras.layers.Dense(3)]),
     xf, y, keras.losses.SparseCategoricalCrossentropy(from_logits=True), ["accuracy"],
     class_weight={0: 0.5, 1: 3.0, 2: 1.0}, eval_batch_size=4, weighted_metrics=["accuracy"],
     note="class_weight weighs the weighted accuracy in train_on_batch; evaluate has no weights")
