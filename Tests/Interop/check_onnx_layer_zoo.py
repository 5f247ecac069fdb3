"""A zoo of Keras 3 models covering every layer Kestrel exports to ONNX (causal and dilated
Conv1D, transposed convolutions with stride above and below the kernel, depthwise and
separable convolution, padding, cropping, nearest and bilinear upsampling, reshaping, merges,
recurrent layers with states, go_backwards, every Bidirectional merge, TimeDistributed):
Kestrel converts each .keras to .onnx and ONNX Runtime must predict what Keras predicts.

    KERAS_BACKEND=tensorflow python check_onnx_layer_zoo.py path/to/kestrel   (files go to /tmp/zoo)
"""
import os
os.makedirs('/tmp/zoo', exist_ok=True)
import numpy as np, keras
L = keras.layers
keras.utils.set_random_seed(3)
def seq(name, shape, layers, ints=False):
    m = keras.Sequential([keras.Input(shape, dtype='int32' if ints else 'float32')] + layers, name=name)
    m.save(f'/tmp/zoo/{name}.keras')
seq('conv1d_causal_dilated', (12, 3), [L.Conv1D(4, 3, padding='causal', dilation_rate=2, activation='gelu'), L.Conv1D(5, 2, strides=2, padding='same'), L.MaxPooling1D(2, padding='same'), L.AveragePooling1D(2, strides=1), L.GlobalAveragePooling1D()])
seq('conv2d_transpose', (5, 5, 3), [L.Conv2DTranspose(4, 3, strides=2, padding='same', activation='relu'), L.Conv2DTranspose(2, (2, 3), strides=(1, 2), padding='valid')])
seq('depthwise_separable', (9, 9, 3), [L.DepthwiseConv2D(3, depth_multiplier=2, padding='same', activation='relu6'), L.SeparableConv2D(4, 3, strides=2, activation='swish'), L.BatchNormalization(), L.GlobalMaxPooling2D(keepdims=True), L.Flatten()])
seq('padding_cropping_upsampling', (6, 7, 2), [L.ZeroPadding2D(((1, 2), (0, 3))), L.Cropping2D(((2, 0), (1, 1))), L.UpSampling2D((2, 3)), L.UpSampling2D(2, interpolation='bilinear'), L.Conv2D(2, (8, 1), activation='elu'), L.AveragePooling2D(3, strides=2, padding='same')])
seq('reshape_permute_repeat', (4, 6), [L.Permute((2, 1)), L.Reshape((3, 8)), L.Flatten(), L.Dense(5, activation='selu'), L.RepeatVector(3), L.LayerNormalization(), L.LeakyReLU(0.1), L.Softmax()])
seq('stacked_recurrent', (7, 3), [L.SimpleRNN(4, return_sequences=True, activation='relu'), L.GRU(5, return_sequences=True, reset_after=False, go_backwards=True), L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode='ave'), L.Bidirectional(L.GRU(2), merge_mode='mul'), L.Dense(2, activation='hard_sigmoid')])
seq('embedding_bilstm_sum', (9,), [L.Embedding(20, 6), L.Bidirectional(L.LSTM(4, return_sequences=True), merge_mode='sum'), L.TimeDistributed(L.Dense(3, activation='softplus')), L.GlobalMaxPooling1D()], ints=True)
a = keras.Input((5, 4)); b = keras.Input((5, 4))
x = L.Add()([a, b]); y = L.Subtract()([a, b]); z = L.Multiply()([x, y]); w = L.Maximum()([x, z]); v = L.Minimum()([y, w]); u = L.Average()([v, a])
c = L.Concatenate(axis=1)([u, b])
o, h, cc = L.LSTM(3, return_sequences=True, return_state=True)(c)
o2 = L.GRU(3)(o, initial_state=[h])
keras.Model([a, b], [L.Dense(2)(o2), cc], name='merges_and_states').save('/tmp/zoo/merges_and_states.keras')
i = keras.Input((6, 3)); t = L.TimeDistributed(L.Conv1D(2, 2))(L.Reshape((6, 3, 1))(i))
keras.Model(i, L.Flatten()(t), name='timedistributed_conv').save('/tmp/zoo/timedistributed_conv.keras')

m = keras.Sequential([keras.Input((4, 5, 3)), L.Conv2DTranspose(3, 2, strides=3, padding='same'), L.Conv2DTranspose(2, 4, strides=2, padding='same'),
                      L.Conv2DTranspose(2, (1, 2), strides=(3, 2), padding='valid')], name='conv2d_transpose_more')
m.save('/tmp/zoo/conv2d_transpose_more.keras')
import sys, glob, subprocess, onnxruntime as ort
K = sys.argv[1]; rng = np.random.default_rng(5)
for path in sorted(glob.glob('/tmp/zoo/*.keras')):
    name = os.path.basename(path)[:-6]
    m = keras.saving.load_model(path)
    xs = [rng.integers(0, 20, [3] + list(t.shape[1:])).astype('int32') if 'int' in str(t.dtype) else rng.standard_normal([3] + list(t.shape[1:])).astype('float32') for t in m.inputs]
    want = m.predict(xs if len(xs) > 1 else xs[0], verbose=0); want = want if isinstance(want, list) else [want]
    r = subprocess.run([K, 'convert', path, f'/tmp/zoo/{name}.onnx'], capture_output=True, text=True)
    if r.returncode: print(f'{name:30s} REFUSED {r.stderr.strip()[:250]}'); continue
    try:
        s = ort.InferenceSession(f'/tmp/zoo/{name}.onnx', providers=['CPUExecutionProvider'])
        got = s.run(None, {i.name: x.astype('float32') for i, x in zip(s.get_inputs(), xs)})
        d = max(float(np.abs(g - w).max()) for g, w in zip(got, want))
        print(f'{name:30s} ORT vs Keras max|diff| {d:.2e}  shapes {[g.shape for g in got]}')
    except Exception as e:
        print(f'{name:30s} FAIL {type(e).__name__}: {str(e)[:300]}')
