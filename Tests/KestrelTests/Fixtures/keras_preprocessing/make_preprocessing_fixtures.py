"""Keras 3 reference cases for Kestrel's preprocessing layers (Rescaling, Normalization,
Resizing, CenterCrop) and the resize op behind them: one channels-last batch `x` of 2×7×9×3
values in [0, 255), and for each case Keras's layer config, its output `<case>/y`, where
TensorFlow has a gradient the gradient `<case>/dx` of 0.5·Σy² with respect to the input,
and for an adapted Normalization its weights `<case>/w/<i>`. The cases (class, config, input,
adaptation, tolerance) are the JSON list in the metadata key `cases`.

    python make_preprocessing_fixtures.py OUTPUT_FOLDER [SEED]
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from keras_fixture_common import *

out, seed, rng = start()
x = rng.uniform(0, 255, (2, 7, 9, 3)).astype("float32")
inputs = {"x": x, "x_first": x[:1], "x_hwc": x[0]}
tensors = {"x": x}
cases = []
# Outputs on [0, 255) data are compared with atol 1e-5 × 255; values of order 1 with 1e-5.
PIXELS, UNIT = 1e-5 * 255, 1e-5


def add(name, layer, input="x_first", adapt=None, atol=PIXELS, gradient=True):
    data = inputs[input]
    if adapt == "whole":
        layer.adapt(data)
    elif adapt == "batches":
        layer.adapt([data[:1], data[1:]])
    xt = tf.constant(data)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt)
        loss = 0.5 * tf.reduce_sum(y * y)
    tensors[f"{name}/y"] = y.numpy()
    if gradient:
        tensors[f"{name}/dx"] = tape.gradient(loss, xt).numpy()
    if adapt:
        for i, w in enumerate(layer.get_weights()):
            tensors[f"{name}/w/{i}"] = np.asarray(w, dtype="float32")
    # The dtype policy is left out (Kestrel computes in float32 and ignores it) to keep the file small.
    config = {k: v for k, v in layer.get_config().items() if k != "dtype"}
    cases.append({"case": name, "layer": type(layer).__name__, "config": config, "input": input,
                  "adapt": adapt, "atol": atol})


R = keras.layers
add("rescaling_scalar", R.Rescaling(1 / 255.0), atol=UNIT, gradient=False)
add("rescaling_per_channel", R.Rescaling([0.5, 1.0, 2.0], [0.1, 0.2, 0.3]), gradient=False)
add("rescaling_numpy_scale", R.Rescaling(np.array([1 / 127.5, 1 / 255.0, 2 / 255.0], "float32"), offset=-1.0),
    atol=UNIT, gradient=False)

add("normalization_given_channels", R.Normalization(mean=[100.0, 120.0, 140.0], variance=[900.0, 1600.0, 2500.0]),
    atol=UNIT, gradient=False)
add("normalization_given_scalar_axes_1_2_invert", R.Normalization(axis=(1, 2), mean=0.5, variance=2.0, invert=True),
    gradient=False)
add("normalization_given_trailing_axes_2_3", R.Normalization(axis=(2, 3), mean=[10.0, 20.0, 30.0], variance=[4.0, 9.0, 16.0]),
    atol=UNIT * 10, gradient=False)
add("normalization_adapted_channels", R.Normalization(), input="x", adapt="whole", atol=UNIT, gradient=False)
add("normalization_adapted_axes_1_2_batches", R.Normalization(axis=(1, 2)), input="x", adapt="batches", atol=UNIT,
    gradient=False)
add("normalization_adapted_every_axis", R.Normalization(axis=None), adapt="whole", atol=UNIT, gradient=False)
add("normalization_adapted_invert", R.Normalization(invert=True), input="x", adapt="batches", gradient=False)

for method in ["bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5"]:
    differentiable = method != "area"  # TensorFlow has no gradient for ResizeArea
    add(f"resizing_{method}_down", R.Resizing(4, 5, interpolation=method), gradient=differentiable)
    add(f"resizing_{method}_up", R.Resizing(9, 11, interpolation=method), gradient=differentiable)
    add(f"resizing_{method}_mixed", R.Resizing(5, 12, interpolation=method), gradient=False)
add("resizing_lanczos3_same_size", R.Resizing(7, 9, interpolation="lanczos3"), gradient=False)
add("resizing_bilinear_batch", R.Resizing(4, 6), input="x", gradient=False)
add("resizing_bicubic_unbatched", R.Resizing(5, 6, interpolation="bicubic"), input="x_hwc")
add("resizing_crop_square", R.Resizing(4, 4, crop_to_aspect_ratio=True))
add("resizing_crop_tall_nearest", R.Resizing(8, 3, interpolation="nearest", crop_to_aspect_ratio=True), gradient=False)
add("resizing_pad_square", R.Resizing(4, 4, pad_to_aspect_ratio=True))
add("resizing_pad_tall_bicubic_fill", R.Resizing(5, 2, interpolation="bicubic", pad_to_aspect_ratio=True, fill_value=17.5),
    gradient=False)

add("center_crop_smaller", R.CenterCrop(4, 5), gradient=False)
add("center_crop_odd_margins", R.CenterCrop(6, 8), gradient=False)
add("center_crop_same_size", R.CenterCrop(7, 9), gradient=False)
add("center_crop_larger", R.CenterCrop(10, 12))
add("center_crop_taller", R.CenterCrop(8, 5), gradient=False)

write_safetensors(os.path.join(out, "preprocessing_cases.safetensors"), tensors,
                  meta("preprocessing", seed, cases=cases, tolerance={"rtol": 1e-4}))
print(f"{len(cases)} cases, {sum(np.asarray(t).size for t in tensors.values())} values")
