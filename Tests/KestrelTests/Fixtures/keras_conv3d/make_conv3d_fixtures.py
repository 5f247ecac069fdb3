"""Makes the Keras 3 reference cases for the 3-D convolution family and the remaining 1-D
convolutions (Conv3D, Conv3DTranspose, 3-D pooling, global 3-D pooling, UpSampling3D,
ZeroPadding3D, Cropping3D, Conv1DTranspose, SeparableConv1D, DepthwiseConv1D, grouped
Conv1D/Conv2D/Conv3D).

Run in a venv with keras, tensorflow-cpu, numpy (not a dependency of Kestrel):
    python make_conv3d_fixtures.py OUTPUT_FOLDER [SEED]
Each `layer_*.safetensors` holds the layer's class (`layer`) and `config` in its metadata,
the input `x0`, random weights `w/<i>` (in `layer.weights` order), the output `y`, a random
cotangent `r` and the gradients of S = sum(y·r): `dx0` and `dw/<i>`.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from keras_fixture_common import *  # noqa: E402,F403

out, seed, rng = start()
L = keras.layers


def case(name, layer, x):
    xt = tf.constant(x)
    layer(xt)
    weights = [rng.normal(scale=0.3, size=w.shape).astype(np.float32) for w in layer.weights]
    for w, value in zip(layer.weights, weights):
        w.assign(value)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt)
        r = rng.normal(size=y.shape).astype(np.float32)
        s = tf.reduce_sum(y * r)
    grads = tape.gradient(s, [xt] + list(layer.trainable_weights))
    tensors = {"x0": x, "y": y.numpy(), "r": r, "dx0": grads[0].numpy()}
    for i, (w, g) in enumerate(zip(weights, grads[1:])):
        tensors[f"w/{i}"] = w
        tensors[f"dw/{i}"] = g.numpy()
    write_safetensors(os.path.join(out, f"layer_{name}.safetensors"), tensors,
                      meta(name, seed, layer=type(layer).__name__, config=layer.get_config()))
    print(name, x.shape, "->", y.shape)


def f32(*shape):
    return rng.normal(size=shape).astype(np.float32)


case("conv3d_valid", L.Conv3D(3, (2, 3, 2)), f32(2, 4, 5, 6, 2))
case("conv3d_same_strided_relu_no_bias", L.Conv3D(4, 3, strides=2, padding="same", activation="relu", use_bias=False),
     f32(2, 5, 4, 7, 3))
case("conv3d_dilated_same", L.Conv3D(2, 2, dilation_rate=2, padding="same"), f32(1, 4, 5, 5, 2))
case("conv3d_groups_tanh", L.Conv3D(4, (1, 3, 3), groups=2, padding="same", activation="tanh"), f32(2, 3, 4, 5, 4))
case("conv3d_transpose_same_strided", L.Conv3DTranspose(3, 3, strides=2, padding="same"), f32(2, 2, 3, 3, 2))
case("conv3d_transpose_valid_output_padding", L.Conv3DTranspose(2, (2, 3, 2), strides=(1, 2, 2), output_padding=(0, 1, 1),
                                                                use_bias=False), f32(1, 3, 3, 2, 3))
case("conv3d_transpose_same_output_padding", L.Conv3DTranspose(2, 3, strides=2, padding="same", output_padding=1,
                                                               activation="sigmoid"), f32(2, 2, 2, 3, 2))
case("max_pool3d_valid", L.MaxPooling3D(2), f32(2, 4, 5, 5, 2))
case("max_pool3d_same_strides", L.MaxPooling3D((2, 3, 2), strides=(1, 2, 2), padding="same"), f32(1, 3, 5, 4, 3))
case("average_pool3d_same", L.AveragePooling3D(3, strides=2, padding="same"), f32(2, 5, 4, 5, 2))
case("average_pool3d_valid", L.AveragePooling3D((2, 2, 3)), f32(1, 4, 5, 6, 2))
case("global_max_pool3d_keepdims", L.GlobalMaxPooling3D(keepdims=True), f32(2, 3, 4, 2, 3))
case("global_average_pool3d", L.GlobalAveragePooling3D(), f32(2, 3, 4, 2, 3))
case("upsampling3d", L.UpSampling3D((1, 2, 3)), f32(2, 2, 3, 2, 2))
case("zero_padding3d", L.ZeroPadding3D(((1, 0), (0, 2), (1, 1))), f32(1, 2, 3, 2, 2))
case("cropping3d", L.Cropping3D(((1, 0), (1, 2), (0, 1))), f32(2, 3, 5, 4, 2))
case("conv1d_transpose_same_strided", L.Conv1DTranspose(3, 3, strides=2, padding="same"), f32(2, 5, 2))
case("conv1d_transpose_valid_output_padding", L.Conv1DTranspose(2, 4, strides=3, output_padding=2, activation="relu"),
     f32(2, 4, 3))
case("separable_conv1d_same_strided", L.SeparableConv1D(4, 3, strides=2, padding="same", depth_multiplier=2), f32(2, 7, 3))
case("separable_conv1d_dilated_no_bias", L.SeparableConv1D(3, 2, dilation_rate=2, use_bias=False, activation="relu"),
     f32(2, 8, 2))
case("depthwise_conv1d_dilated", L.DepthwiseConv1D(3, depth_multiplier=2, dilation_rate=2), f32(2, 9, 3))
case("depthwise_conv1d_same_strided_relu", L.DepthwiseConv1D(2, strides=2, padding="same", activation="relu"), f32(2, 7, 4))
case("conv1d_groups_causal", L.Conv1D(4, 3, groups=2, padding="causal"), f32(2, 7, 4))
case("conv2d_groups_same_strided", L.Conv2D(6, 3, groups=3, strides=2, padding="same"), f32(2, 5, 6, 3))
case("conv2d_groups_dilated", L.Conv2D(4, (2, 3), groups=2, dilation_rate=(2, 1), use_bias=False), f32(1, 6, 5, 4))
