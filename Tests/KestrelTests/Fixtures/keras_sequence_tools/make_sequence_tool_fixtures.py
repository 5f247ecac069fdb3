"""Makes the Keras 3 reference outputs of the sequence data tools, as one JSON file.

Run in a venv with keras, tensorflow-cpu, numpy (not a dependency of Kestrel):
    python make_sequence_tool_fixtures.py OUTPUT_FOLDER
timeseries_dataset_from_array (unshuffled: Keras shuffles with NumPy's generator), pad_sequences,
to_categorical, TextVectorization (int output: adapt, vocabulary, ids) and StringLookup.
"""
import json
import os
import sys

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
import numpy as np
import keras

out = sys.argv[1]
cases = {"keras_version": keras.__version__}

data = np.arange(40, dtype=np.float32).reshape(20, 2)
targets = np.arange(100, 120, dtype=np.float32)
series = []
for kwargs in [dict(sequence_length=5), dict(sequence_length=4, sequence_stride=3, sampling_rate=2, batch_size=2),
               dict(sequence_length=3, start_index=4, end_index=15, batch_size=3),
               dict(sequence_length=6, sampling_rate=3, with_targets=False)]:
    with_targets = kwargs.pop("with_targets", True)
    ds = keras.utils.timeseries_dataset_from_array(data, targets if with_targets else None, **kwargs)
    batches = []
    for batch in ds:
        x, y = (batch if with_targets else (batch, None))
        batches.append({"x": np.asarray(x).tolist(), "y": None if y is None else np.asarray(y).tolist()})
    series.append({"kwargs": kwargs, "with_targets": with_targets, "batches": batches})
cases["timeseries"] = series

sequences = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10], [], [11]]
padded = []
for kwargs in [{}, dict(maxlen=4), dict(maxlen=3, padding="post", truncating="post", value=-1),
               dict(maxlen=2, padding="post"), dict(maxlen=4, truncating="post")]:
    padded.append({"kwargs": kwargs, "out": keras.utils.pad_sequences(sequences, **kwargs).tolist()})
cases["pad_sequences"] = {"sequences": sequences, "cases": padded}

cases["to_categorical"] = [
    {"y": [0, 2, 1, 2], "num_classes": None, "out": keras.utils.to_categorical([0, 2, 1, 2]).tolist()},
    {"y": [[1], [0], [3]], "num_classes": 5, "out": keras.utils.to_categorical([[1], [0], [3]], 5).tolist()},
    {"y": [[0, 1], [1, 1]], "num_classes": 3, "out": keras.utils.to_categorical([[0, 1], [1, 1]], 3).tolist()},
]

texts = ["The cat sat on the mat.", "The dog ate my HOMEWORK!!", "a cat, a dog; a bird?", "   spaced   out\ttext\nhere  ",
         "Dog eat dog world", "it's the end (of the world)"]
vectorizers = []
for kwargs in [{}, dict(max_tokens=8), dict(output_sequence_length=4), dict(standardize="lower", max_tokens=12),
               dict(split="character", output_sequence_length=10, max_tokens=15), dict(standardize=None, split="whitespace")]:
    layer = keras.layers.TextVectorization(**kwargs)
    layer.adapt(texts)
    probe = ["the cat ate the bird", "unknown words HERE", "dog"]
    vectorizers.append({"kwargs": kwargs, "vocabulary": layer.get_vocabulary(), "ids": np.asarray(layer(probe)).tolist(),
                        "probe": probe})
cases["text_vectorization"] = {"texts": texts, "cases": vectorizers}

tokens = [["a", "b", "a", "c"], ["b", "a", "d", "e"], ["e", "c", "a"]]
lookups = []
for kwargs in [{}, dict(max_tokens=4), dict(mask_token="", max_tokens=5), dict(num_oov_indices=0)]:
    layer = keras.layers.StringLookup(**kwargs)
    layer.adapt(np.array([t for row in tokens for t in row]))
    probe = [["a", "e", "b"], ["c", "d", "a"]] if kwargs.get("num_oov_indices") == 0 else [["a", "z", "b"], ["c", "", "e"]]
    lookups.append({"kwargs": kwargs, "vocabulary": layer.get_vocabulary(), "probe": probe, "ids": np.asarray(layer(probe)).tolist()})
cases["string_lookup"] = {"tokens": tokens, "cases": lookups}

with open(os.path.join(out, "sequence_tools.json"), "w") as f:
    json.dump(cases, f, indent=1)
print("written")
