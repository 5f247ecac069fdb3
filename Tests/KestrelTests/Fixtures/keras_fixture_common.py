"""What the Keras fixture generators in the folders beside this file share: the TensorFlow
and Keras settings every case is made with (CPU float32, oneDNN off, op determinism), the
command line `OUTPUT_FOLDER [SEED]`, the common metadata, and a minimal safetensors writer
(F32 and I32), so the generators need nothing beyond keras, tensorflow-cpu and numpy.

A generator imports it with
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from keras_fixture_common import *
"""
import json
import os
import struct
import sys

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np
import keras
import tensorflow as tf

__all__ = ["json", "os", "sys", "np", "keras", "tf", "start", "meta", "write_safetensors"]


def start():
    """Reads `OUTPUT_FOLDER [SEED]` (seed 1234 by default), creates the folder, fixes TF's and
    Keras's randomness; returns (folder, seed, a NumPy generator for the inputs and weights)."""
    tf.config.experimental.enable_op_determinism()
    out = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1234
    keras.utils.set_random_seed(seed)
    os.makedirs(out, exist_ok=True)
    return out, seed, np.random.default_rng(seed)


def meta(name, seed, **extra):
    """The metadata every case carries, plus `extra` (non-strings as JSON)."""
    m = {"case": name, "keras_version": keras.__version__, "backend": keras.backend.backend(), "seed": str(seed),
         "tolerance": json.dumps({"atol": 1e-5, "rtol": 1e-4})}
    m.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in extra.items()})
    return m


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    body = b""
    for name in sorted(tensors):
        array = np.require(np.asarray(tensors[name]), requirements="C")
        if array.dtype == np.int32:
            dtype, data = "I32", array.astype("<i4").tobytes()
        else:
            dtype, data = "F32", array.astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [len(body), len(body) + len(data)]}
        body += data
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + body)
