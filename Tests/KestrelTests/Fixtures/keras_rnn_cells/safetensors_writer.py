"""A minimal safetensors writer (F32 and I32), so the generator needs no extra package."""
import json
import struct

import numpy as np


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
