"""For Keras-made model files, compares Keras's predictions of the original with Keras's
predictions of the copies Kestrel wrote (`kestrel convert ORIGINAL.keras OUT/NAME.keras`
and `OUT/NAME.h5`) on random inputs.

    KERAS_BACKEND=tensorflow python check_converted_fixtures.py OUT ORIGINAL.keras…
"""
import sys, glob, os, numpy as np, keras
rng = np.random.default_rng(0)
def sample(model):
    xs = []
    for t in model.inputs:
        shape = [2] + [d if d is not None else 5 for d in t.shape[1:]]
        if 'int' in str(t.dtype): xs.append(rng.integers(0, 3, shape).astype(t.dtype))
        elif 'bool' in str(t.dtype): xs.append(rng.random(shape) > 0.3)
        else: xs.append(rng.standard_normal(shape).astype('float32'))
    return xs
OUT = sys.argv[1]
for original in sys.argv[2:]:
    name = os.path.basename(original).rsplit('.', 1)[0]
    ref = keras.saving.load_model(original, compile=False)
    xs = sample(ref)
    want = ref.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    want = want if isinstance(want, list) else [want]
    for ext in ['keras', 'h5']:
        path = f'{OUT}/{name}.{ext}'
        try:
            m = keras.saving.load_model(path, compile=False)
            got = m.predict(xs if len(xs) > 1 else xs[0], verbose=0)
            got = got if isinstance(got, list) else [got]
            d = max(np.abs(np.asarray(g) - np.asarray(w)).max() for g, w in zip(got, want))
            print(f'{name}.{ext:6s} OK max|diff| {d:.2e}')
        except Exception as e:
            print(f'{name}.{ext:6s} FAIL {type(e).__name__}: {str(e)[:400]}')
