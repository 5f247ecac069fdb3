"""Writes the HDF5 test fixtures for HDF5Tests.swift and the values they hold.

    python make_hdf5_fixtures.py            # earliest.h5, latest.h5: h5py built on HDF5 2.x
    python make_hdf5_fixtures.py --keras    # keras3.weights.h5, keras2_legacy.h5 and
                                            # chunk_indexes_v4.h5: keras, h5py built on HDF5 1.14

HDF5 2.x writes version-5 data layout messages under libver "latest", HDF5 1.14 version 4;
the chunk indexes are written by both so the reader is tested on both encodings.

Each fixture is stored gzipped as X.h5.gz (HDF5 files are mostly padding; the tests gunzip
them) with an X.json next to it: for every dataset its shape, element type and flattened
values, for every group its sorted member names and kinds, and for every object its
attributes, so the Swift tests compare everything the reader returns with what was written.
"""
import atexit
import gzip
import json
import os
import shutil
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = tempfile.mkdtemp()
atexit.register(shutil.rmtree, WORK, True)


def h5_path(name):
    """Where fixture `name` is written before it is described and gzipped."""
    return os.path.join(WORK, name + ".h5")


def describe(f):
    """The expected-values document of an open h5py file."""
    doc = {"groups": {}, "datasets": {}, "attributes": {}, "skipped_attributes": {}}

    def attrs(obj, key):
        out = {}
        for name, value in obj.attrs.items():
            if isinstance(value, np.void):
                doc["skipped_attributes"].setdefault(key, []).append(name)
            elif isinstance(value, (bytes, np.bytes_)):
                out[name] = {"string": value.decode()}
            elif isinstance(value, str):
                out[name] = {"string": value}
            elif isinstance(value, np.ndarray) and value.dtype.kind in "SO":
                out[name] = {"strings": [v.decode() if isinstance(v, bytes) else v for v in value.ravel()]}
            elif isinstance(value, np.ndarray) and value.dtype.kind in "iub":
                out[name] = {"integers": [int(v) for v in value.ravel()]}
            elif isinstance(value, np.ndarray):
                out[name] = {"reals": [float(v) for v in value.ravel()]}
            elif isinstance(value, (np.integer, np.bool_, int)):
                out[name] = {"integer": int(value)}
            else:
                out[name] = {"real": float(value)}
        return out

    def visit(path, obj):
        key = "/" + path if path else "/"
        doc["attributes"][key] = attrs(obj, key)
        if isinstance(obj, h5py.Group):
            members = {}
            for name in obj:
                link = obj.get(name, getlink=True)
                if isinstance(link, h5py.SoftLink):
                    members[name] = "soft:" + link.path
                elif isinstance(link, h5py.ExternalLink):
                    members[name] = "external:" + link.filename + ":" + link.path
                else:
                    members[name] = "group" if isinstance(obj[name], h5py.Group) else "dataset"
            doc["groups"][key] = dict(sorted(members.items(), key=lambda kv: kv[0].encode()))
            return
        entry = {"shape": list(obj.shape) if obj.shape is not None else [0],
                 "dtype": obj.dtype.str if obj.dtype.kind not in "SO" else obj.dtype.kind}
        if obj.shape is None:
            entry["reals"] = []
        elif obj.dtype.names is not None:
            entry["unsupported"] = "compound"
        elif obj.compression == "lzf":
            entry["unsupported"] = "filter 32000 (lzf)"
        else:
            data = obj[()]
            if obj.dtype.kind in "SO":
                flat = np.array(data, dtype=object).ravel()
                entry["strings"] = [v.decode() if isinstance(v, bytes) else v for v in flat]
            elif obj.dtype.kind in "iub":
                entry["integers"] = [int(v) for v in np.ravel(data)]
            else:
                entry["reals"] = [float(v) for v in np.ravel(data)]
        doc["datasets"][key] = entry

    visit("", f)
    f.visititems(lambda path, obj: visit(path, obj))
    return doc


def common_content(f):
    rng = np.random.RandomState(7)
    f.attrs["fixed_string"] = np.bytes_(b"kestrel")
    f.attrs["vlen_string"] = "h\u00e9llo, HDF5"
    f.attrs["fixed_strings"] = np.array([b"dense", b"dense_1", b"out"], dtype="S7")
    f.attrs.create("vlen_strings", ["alpha", "\u03b2eta", ""], dtype=h5py.string_dtype())
    f.attrs["int_scalar"] = np.int64(-42)
    f.attrs["float_scalar"] = np.float64(2.5)
    f.attrs["int_array"] = np.array([1, -2, 3], dtype="<i4")
    f.attrs["float_array"] = np.array([0.5, -1.25], dtype="<f4")
    f.attrs["flag"] = np.bool_(True)
    pair = np.dtype([("a", "<i4"), ("b", "<f4")])
    f.attrs["pair"] = np.array((1, 2.0), dtype=pair)
    f.create_dataset("compound", data=np.array([(1, 2.0), (3, 4.0)], dtype=pair))
    f.create_dataset("lzf", data=np.zeros(64, dtype="<f4"), chunks=(64,), compression="lzf")

    f.create_dataset("f32", data=rng.standard_normal((3, 4)).astype("<f4"))
    f.create_dataset("f64", data=rng.standard_normal(5))
    f.create_dataset("f16", data=np.array([0.5, -2, 65504, 1e-3], dtype="<f2"))
    f.create_dataset("i8", data=np.array([-128, -1, 0, 1, 127], dtype="i1"))
    f.create_dataset("u8", data=np.array([0, 1, 200, 255], dtype="u1"))
    f.create_dataset("i32", data=np.arange(-6, 6, dtype="<i4").reshape(2, 3, 2))
    f.create_dataset("i64", data=np.array([-(2**40), 0, 2**40 + 3], dtype="<i8"))
    f.create_dataset("u16_be", data=np.array([1, 258, 65535], dtype=">u2"))
    f.create_dataset("f64_be", data=np.array([1.5, -3.25e10], dtype=">f8"))
    f.create_dataset("scalar_f64", data=np.float64(3.75))
    f.create_dataset("scalar_i32", data=np.int32(-7))
    f.create_dataset("bools", data=np.array([True, False, True]))
    f.create_dataset("empty", data=h5py.Empty("f4"))
    f.create_dataset("zero_rows", data=np.zeros((0, 3), dtype="<f4"))
    f.create_dataset("vlen_strings", data=["x", "yy", "z\u00e9\u00e9"], dtype=h5py.string_dtype())
    f.create_dataset("fixed_strings", data=np.array([b"ab", b"cde"], dtype="S4"))

    grid = np.arange(35, dtype="<f4").reshape(5, 7) / 4
    f.create_dataset("chunked", data=grid, chunks=(2, 3))
    f.create_dataset("shuffle_gzip_fletcher", data=grid, chunks=(2, 3), compression="gzip", compression_opts=6, shuffle=True,
                     fletcher32=True)
    partial = f.create_dataset("partial_fill", shape=(4, 6), chunks=(2, 2), dtype="<f4", fillvalue=7.5)
    partial[0:2, 0:2] = np.array([[1, 2], [3, 4]])
    partial[3, 5] = -1
    f.create_dataset("unwritten", shape=(3,), dtype="<i4", fillvalue=9)

    # Compact layout (the data lives in the object header).
    space = h5py.h5s.create_simple((4,))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    compact = h5py.h5d.create(f.id, b"compact", h5py.h5t.STD_I16LE, space, dcpl)
    compact.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([5, -6, 7, -8], dtype="<i2"))

    vars_group = f.create_group("layers/dense/vars")
    vars_group.create_dataset("0", data=rng.standard_normal((3, 2)).astype("<f4"))
    vars_group.create_dataset("1", data=np.array([0.25, -0.5], dtype="<f4"))
    vars_group.attrs["note"] = "weights"

    # 25 members force dense link storage under libver "latest"; soft links keep the file small.
    many = f.create_group("many")
    for i in range(3):
        many.create_dataset("d%02d" % i, data=np.array([i], dtype="<i4"))
    for i in range(3, 25):
        many["s%02d" % i] = h5py.SoftLink("/many/d%02d" % (i % 3))
    tagged = f.create_dataset("tagged", data=np.array([1.0], dtype="<f4"))
    for i in range(12):
        tagged.attrs["a%02d" % i] = np.int32(i * 10)

    f["soft"] = h5py.SoftLink("/f32")
    f["external"] = h5py.ExternalLink("other.h5", "/data")


def chunk_indexes(f, paged):
    """Chunk indexes that only libver 'latest' writes; `paged` adds a fixed array of more
    than 1024 chunks, which HDF5 splits into pages."""
    data = np.arange(24, dtype="<f4").reshape(4, 6)
    f.create_dataset("gzip_i16", data=np.arange(-50, 50, dtype="<i2").reshape(10, 10), chunks=(4, 4), compression="gzip")
    f.create_dataset("fletcher", data=np.arange(12, dtype="<i4"), chunks=(5,), fletcher32=True)
    f.create_dataset("single_chunk", data=data, chunks=(4, 6))
    f.create_dataset("single_chunk_gzip", data=data, chunks=(4, 6), compression="gzip")
    f.create_dataset("fixed_array_gzip", data=data, chunks=(3, 4), compression="gzip", shuffle=True)
    if paged:
        array = f.create_dataset("fixed_array_paged", shape=(1100,), chunks=(1,), dtype="i1", fillvalue=-3)
        array[:1030] = (np.arange(1030) % 100).astype("i1")
    f.create_dataset("btree2", data=data, chunks=(3, 4), maxshape=(None, None))
    f.create_dataset("btree2_gzip", data=data, chunks=(3, 4), maxshape=(None, None), compression="gzip")
    f.create_dataset("extensible_array", data=data, chunks=(3, 4), maxshape=(None, 6))
    f.create_dataset("extensible_array_gzip", data=data, chunks=(3, 4), maxshape=(6, None), compression="gzip")
    # Larger than the maximum shape's chunk grid, and than the index block's 4 elements.
    grown = f.create_dataset("extensible_grown", shape=(0, 5), chunks=(1, 5), maxshape=(None, 9), dtype="<i4", fillvalue=-1)
    grown.resize((70, 5))
    grown[:, :] = np.arange(350, dtype="<i4").reshape(70, 5)
    grown[40:45] = -1
    fixed_max = f.create_dataset("fixed_array_below_max", shape=(3, 5), chunks=(2, 2), maxshape=(8, 8), dtype="<i2")
    fixed_max[...] = np.arange(15, dtype="<i2").reshape(3, 5)
    space = h5py.h5s.create_simple((4, 6))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((2, 3))
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    implicit = h5py.h5d.create(f.id, b"implicit", h5py.h5t.IEEE_F32LE, space, dcpl)
    implicit.write(h5py.h5s.ALL, h5py.h5s.ALL, data * 2)


def write_expected(name):
    """Writes name.json from the h5py view of the file, and name.h5.gz."""
    with h5py.File(h5_path(name), "r") as f:
        doc = describe(f)
    with open(os.path.join(HERE, name + ".json"), "w") as out:
        json.dump(doc, out, ensure_ascii=False, separators=(",", ":"))
    with open(h5_path(name), "rb") as src, open(os.path.join(HERE, name + ".h5.gz"), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as out:
            out.write(src.read())


def write_h5py_fixtures():
    assert h5py.version.hdf5_version_tuple[0] >= 2, "earliest.h5 and latest.h5 are written with HDF5 2.x"
    # earliest.h5: 4-byte addresses and lengths; 70 chunks overflow a chunk B-tree leaf
    # (64 entries), so that B-tree has two levels.
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_sizes(4, 4)
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_EARLIEST, h5py.h5f.LIBVER_LATEST)
    fapl.set_meta_block_size(512)
    fid = h5py.h5f.create(h5_path("earliest").encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    with h5py.File(fid) as f:
        common_content(f)
        f.create_dataset("many_chunks", data=np.arange(70, dtype="u1"), chunks=(1,))
    write_expected("earliest")
    # latest.h5: superblock 3 after a 512-byte user block.
    with h5py.File(h5_path("latest"), "w", libver="latest", meta_block_size=512, userblock_size=512) as f:
        common_content(f)
        chunk_indexes(f, paged=False)
    write_expected("latest")


def write_keras_fixtures():
    import tempfile
    import zipfile

    import keras

    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu", name="hidden"),
                              keras.layers.Dense(2, name="out")])
    rng = np.random.RandomState(5)
    model.set_weights([rng.standard_normal(w.shape).astype("float32") for w in model.get_weights()])
    with tempfile.TemporaryDirectory() as tmp:
        archive = os.path.join(tmp, "tiny.keras")
        model.save(archive)
        with zipfile.ZipFile(archive) as z, open(h5_path("keras3.weights"), "wb") as out:
            out.write(z.read("model.weights.h5"))
    keras.saving.save_model(model, h5_path("keras2_legacy"))
    for name in ["keras3.weights", "keras2_legacy"]:
        write_expected(name)
    assert h5py.version.hdf5_version_tuple[:2] == (1, 14), "chunk_indexes_v4.h5 is written with HDF5 1.14"
    with h5py.File(h5_path("chunk_indexes_v4"), "w", libver="latest", meta_block_size=512) as f:
        chunk_indexes(f, paged=True)
    write_expected("chunk_indexes_v4")


if __name__ == "__main__":
    if "--keras" in sys.argv:
        write_keras_fixtures()
    else:
        write_h5py_fixtures()
