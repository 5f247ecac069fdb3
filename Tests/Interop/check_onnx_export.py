"""Exports each model with `kestrel convert MODEL OUT.onnx`, checks the file with
onnx.checker, runs it in ONNX Runtime (CPU) on random inputs and compares with
`kestrel predict` on the same inputs.

    pip install onnx onnxruntime numpy
    python check_onnx_export.py path/to/kestrel MODEL.keras…   (files go to /tmp/onnx)
"""
import sys, os, glob, subprocess, numpy as np, onnx, onnxruntime as ort
K = sys.argv[1]; files = sys.argv[2:]
rng = np.random.default_rng(2)
os.makedirs('/tmp/onnx', exist_ok=True)
for src in files:
    name = os.path.basename(src).rsplit('.', 1)[0]
    out = f'/tmp/onnx/{name}.onnx'
    r = subprocess.run([K, 'convert', src, out], capture_output=True, text=True)
    if r.returncode: print(f'{name:40s} EXPORT REFUSED: {r.stderr.strip()[:220]}'); continue
    try:
        onnx.checker.check_model(onnx.load(out), full_check=True)
        sess = ort.InferenceSession(out, providers=['CPUExecutionProvider'])
        feeds, args = {}, []
        for i, inp in enumerate(sess.get_inputs()):
            shape = [3] + [d if isinstance(d, int) else 6 for d in inp.shape[1:]]
            x = rng.integers(1, 5, shape).astype('float32') if 'embedding' in open(src,'rb').read(200000).decode('latin1') else rng.standard_normal(shape).astype('float32')
            np.save(f'/tmp/onnx/{name}_x{i}.npy', x); feeds[inp.name] = x; args += ['--input', f'/tmp/onnx/{name}_x{i}.npy']
        outs = [f'/tmp/onnx/{name}_y{j}.npy' for j in range(len(sess.get_outputs()))]
        r = subprocess.run([K, 'predict', src] + args + sum([['--output', o] for o in outs], []), capture_output=True, text=True)
        if r.returncode: print(name, 'kestrel predict failed', r.stderr[:200]); continue
        got = sess.run(None, feeds)
        d = max(float(np.abs(g - np.load(o)).max()) for g, o in zip(got, outs))
        ref = max(float(np.abs(np.load(o)).max()) for o in outs)
        print(f'{name:40s} ORT vs Kestrel max|diff| {d:.2e} (max |y| {ref:.2f})')
    except Exception as e:
        print(f'{name:40s} FAIL {type(e).__name__}: {str(e)[:400]}')
