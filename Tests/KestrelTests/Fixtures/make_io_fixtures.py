#!/usr/bin/env python3
"""Writes the small gzip/zip/deflate/npy/npz/idx fixtures that the Kestrel IO tests read.

Run from anywhere: python3 make_io_fixtures.py. Output is deterministic except for
zip/gzip timestamps, which the tests do not check. The real IDX datasets are read from
the repository's Data/ folder; only gzipped copies of two small ones are written here.
"""
import gzip
import io
import json
import os
import struct
import zipfile
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "Data"))


def out(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def corpus():
    """About 24 KB: repetitive text (long matches, overlapping copies) then noise."""
    text = b"".join(b"line %d: the quick brown fox jumps over %d lazy dogs\n" % (i, i * i % 97) for i in range(300))
    runs = b"a" * 700 + b"ab" * 300
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 256, 4000, dtype=np.uint8).tobytes()
    return text + runs + noise + text[:2000]


def raw_deflate(data, level=6, strategy=zlib.Z_DEFAULT_STRATEGY, mem_level=8, zdict=None, flushes=0):
    kwargs = {"zdict": zdict} if zdict else {}
    c = zlib.compressobj(level, zlib.DEFLATED, -15, mem_level, strategy, **kwargs)
    if flushes:
        step = len(data) // (flushes + 1)
        parts = []
        for k in range(flushes):
            parts.append(c.compress(data[k * step:(k + 1) * step]))
            parts.append(c.flush(zlib.Z_FULL_FLUSH))
        parts.append(c.compress(data[flushes * step:]))
        return b"".join(parts) + c.flush()
    return c.compress(data) + c.flush()


def first_block_type(stream):
    """BTYPE of the first block: bits 1-2 of the first byte."""
    return (stream[0] >> 1) & 3


def deflate_fixtures():
    data = corpus()
    out("corpus.bin", data)
    streams = {
        "stored": raw_deflate(data, level=0),
        "fixed": raw_deflate(data, level=6, strategy=zlib.Z_FIXED),
        "dynamic": raw_deflate(data, level=9),
        "dynamic_small_blocks": raw_deflate(data, level=6, mem_level=1),
        "huffman_only": raw_deflate(data, strategy=zlib.Z_HUFFMAN_ONLY),
        "rle": raw_deflate(data, strategy=zlib.Z_RLE),
        "flushed": raw_deflate(data, level=1, flushes=3),
    }
    expected_first = {"stored": 0, "fixed": 1, "dynamic": 2, "dynamic_small_blocks": 2}
    for name, stream in streams.items():
        assert zlib.decompress(stream, -15) == data, name
        if name in expected_first:
            assert first_block_type(stream) == expected_first[name], (name, first_block_type(stream))
        out(name + ".deflate", stream)
    out("empty.deflate", raw_deflate(b""))
    # A stream that refers back into a preset dictionary: without it, distances reach too far.
    out("needs_dictionary.deflate", raw_deflate(b"kestrel kestrel kestrel", zdict=b"kestrel"))


def gzip_header(flags, extra=b"", name=b"", comment=b"", header_crc=False):
    h = b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", 0) + b"\x00\xff"
    if flags & 4:
        h += struct.pack("<H", len(extra)) + extra
    if flags & 8:
        h += name + b"\x00"
    if flags & 16:
        h += comment + b"\x00"
    if header_crc:
        h += struct.pack("<H", zlib.crc32(h) & 0xFFFF)
    return h


def gzip_member(data, flags=0, **kw):
    body = raw_deflate(data)
    return gzip_header(flags, **kw) + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def gzip_fixtures():
    data = corpus()
    out("corpus.bin.gz", gzip.compress(data, mtime=0))
    with open(os.path.join(HERE, "named.txt.gz"), "wb") as f:
        with gzip.GzipFile(filename="named.txt", mode="wb", fileobj=f, mtime=0) as g:
            g.write(b"hello from a named member\n" * 20)
    small = b"".join(b"%d,%d\n" % (i, i * 7 % 13) for i in range(200))
    out("small.txt", small)
    out("small.txt.gz", gzip_member(small))
    all_flags = gzip_member(small, flags=4 | 8 | 16 | 2, extra=b"AB\x02\x00xy", name=b"small.txt",
                            comment=b"a comment", header_crc=True)
    out("all_flags.txt.gz", all_flags)
    multi = gzip_member(small[:300]) + gzip_member(b"") + gzip_member(small[300:])
    assert gzip.decompress(multi) == small
    out("multi_member.txt.gz", multi)


def zip_fixtures():
    small = b"".join(b"%d,%d\n" % (i, i * 7 % 13) for i in range(200))
    path = os.path.join(HERE, "archive.zip")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("stored.txt", (2020, 1, 1, 0, 0, 0)), small, compress_type=zipfile.ZIP_STORED)
        z.writestr(zipfile.ZipInfo("deflated.txt", (2020, 1, 1, 0, 0, 0)), small, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(zipfile.ZipInfo("dir/empty.bin", (2020, 1, 1, 0, 0, 0)), b"", compress_type=zipfile.ZIP_DEFLATED)
        z.comment = b"fixture archive"
    out("zip64.zip", handmade_zip64(small))


def handmade_zip64(content):
    """One deflated entry whose sizes and offset live only in Zip64 fields."""
    name = b"big.txt"
    body = raw_deflate(content)
    crc = zlib.crc32(content)
    local_extra = struct.pack("<HHQQ", 1, 16, len(content), len(body))
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                        len(name), len(local_extra)) + name + local_extra + body
    central_extra = struct.pack("<HHQQQ", 1, 24, len(content), len(body), 0)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                          len(name), len(central_extra), 0, 0, 0, 0, 0xFFFFFFFF) + name + central_extra
    cd_offset = len(local)
    zip64_eocd = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 1, 1, len(central), cd_offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, cd_offset + len(central), 1)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    data = local + central + zip64_eocd + locator + eocd
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read("big.txt") == content
    return data


def npy_bytes(array, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, array)
    else:
        np.lib.format.write_array(buf, array, version=version)
    return buf.getvalue()


def npy_fixtures():
    base = np.arange(12).reshape(3, 4)
    arrays = {
        "f4": (base * 0.5 - 1).astype("<f4"),
        "f8": (base * 0.25 + 0.125).astype("<f8"),
        "i1": (base - 6).astype("<i1"),
        "i2": (base * 1000 - 6000).astype("<i2"),
        "i4": (base * 100000 - 600000).astype("<i4"),
        "i8": (base * 10**12 - 6).astype("<i8"),
        "u1": (base * 20).astype("|u1"),
        "u2": (base * 5000).astype("<u2"),
        "b1": (base % 3 == 0),
        "be_f4": (base * 0.5 - 1).astype(">f4"),
        "be_i4": (base * 100000 - 600000).astype(">i4"),
        "scalar_f4": np.array(3.5, dtype="<f4"),
        "empty_f4": np.zeros((0, 3), dtype="<f4"),
        "vector_f8": np.linspace(-1, 1, 5),
    }
    for name, a in arrays.items():
        out(name + ".npy", npy_bytes(a))
    out("v2_f4.npy", npy_bytes(arrays["f4"], version=(2, 0)))
    out("v3_f4.npy", npy_bytes(arrays["f4"], version=(3, 0)))
    out("fortran_f4.npy", npy_bytes(np.asfortranarray(arrays["f4"])))
    out("c8.npy", npy_bytes(np.zeros(2, dtype=np.complex64)))
    np.savez(os.path.join(HERE, "arrays.npz"), weights=arrays["f4"], bias=np.array([1.5, -2.0], dtype="<f4"),
             ids=arrays["i2"])
    np.savez_compressed(os.path.join(HERE, "arrays_compressed.npz"), weights=arrays["f4"],
                        bias=np.array([1.5, -2.0], dtype="<f4"), ids=arrays["i2"])


def idx_bytes(array, code):
    header = bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.tobytes()


def idx_fixtures():
    base = np.arange(24).reshape(2, 3, 4)
    out("sbyte.idx", idx_bytes((base - 12).astype(">i1"), 0x09))
    out("short.idx", idx_bytes((base * 1000 - 12000).astype(">i2"), 0x0B))
    out("int.idx", idx_bytes((base * 100000 - 1200000).astype(">i4"), 0x0C))
    out("float.idx", idx_bytes((base * 0.5 - 6).astype(">f4"), 0x0D))
    out("double.idx", idx_bytes((base * 0.25 - 3).astype(">f8"), 0x0E))
    expected = {}
    for ds in ["digits", "mnist5k"]:
        for split in ["train", "test"]:
            for kind, rank in [("images", 3), ("labels", 1)]:
                path = os.path.join(DATA, ds, "%s-%s-idx%d-ubyte" % (split, kind, rank))
                raw = open(path, "rb").read()
                dims = struct.unpack(">%dI" % rank, raw[4:4 + 4 * rank])
                values = np.frombuffer(raw[4 + 4 * rank:], dtype=np.uint8)
                expected["%s/%s-%s" % (ds, split, kind)] = {
                    "shape": list(dims), "sum": int(values.sum(dtype=np.int64)), "first": values[:10].tolist(),
                }
    with open(os.path.join(HERE, "idx_expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
    out("digits-train-images-idx3-ubyte.gz",
        gzip.compress(open(os.path.join(DATA, "digits", "train-images-idx3-ubyte"), "rb").read(), mtime=0))
    out("mnist5k-test-labels-idx1-ubyte.gz",
        gzip.compress(open(os.path.join(DATA, "mnist5k", "test-labels-idx1-ubyte"), "rb").read(), mtime=0))


if __name__ == "__main__":
    deflate_fixtures()
    gzip_fixtures()
    zip_fixtures()
    npy_fixtures()
    idx_fixtures()
