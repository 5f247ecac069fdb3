"""Opens the models the demos train, saved by Kestrel as .keras and converted to .h5, in
Keras 3 and compares Keras's predictions with `kestrel predict` on random inputs.

    for d in $(kestrel demo --help | …); do kestrel demo $d --epochs 1 --save /tmp/demo/$d.keras; done
    KERAS_BACKEND=tensorflow python check_demo_models.py [/tmp/demo] [path/to/kestrel]
"""
import sys, os, glob, subprocess, numpy as np, keras
rng = np.random.default_rng(1)
FOLDER = sys.argv[1] if len(sys.argv) > 1 else '/tmp/demo'
K = sys.argv[2] if len(sys.argv) > 2 else '.build/release/kestrel'
for path in sorted(glob.glob(f'{FOLDER}/*.keras')):
    name = os.path.basename(path)[:-6]
    subprocess.run([K, 'convert', path, f'{FOLDER}/{name}.h5'], check=True, capture_output=True)
    try:
        m = keras.saving.load_model(path, compile=False)
        xs = []
        for i, t in enumerate(m.inputs):
            shape = [3] + [d if d is not None else 6 for d in t.shape[1:]]
            x = rng.integers(1, 5, shape).astype('float32') if 'int' in str(t.dtype) or any(isinstance(l, keras.layers.Embedding) for l in m.layers) else rng.random(shape).astype('float32')
            np.save(f'{FOLDER}/{name}_x{i}.npy', x); xs.append(x)
        outs = [f'{FOLDER}/{name}_k{j}.npy' for j in range(len(m.outputs))]
        cmd = [K, 'predict', path] + sum([['--input', f'{FOLDER}/{name}_x{i}.npy'] for i in range(len(xs))], []) + sum([['--output', o] for o in outs], [])
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode: print(name, 'kestrel predict failed', r.stderr[:300]); continue
        kestrel = [np.load(o) for o in outs]
        for ext in ['keras', 'h5']:
            mm = keras.saving.load_model(f'{FOLDER}/{name}.{ext}', compile=True)
            got = mm.predict(xs if len(xs) > 1 else xs[0], verbose=0)
            got = got if isinstance(got, list) else [got]
            d = max(np.abs(g - k).max() for g, k in zip(got, kestrel))
            print(f'{name}.{ext:5s} Keras vs Kestrel max|diff| {d:.2e}  compiled={mm.optimizer is not None and mm.compiled}')
    except Exception as e:
        print(f'{name} FAIL {type(e).__name__}: {str(e)[:500]}')
