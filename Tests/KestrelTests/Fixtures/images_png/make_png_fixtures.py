#!/usr/bin/env python3
"""Writes the PNG decoder's fixtures: PNG files of every colour type and bit depth, plain and
Adam7-interlaced, with and without tRNS, and `expected.npz`, the samples each must decode to.

Run from anywhere: python3 make_png_fixtures.py (needs numpy and pillow). Deterministic.

Most files are encoded here byte by byte (numpy packs the samples, zlib compresses them), so
each row's filter is chosen: rows cycle through all five (None, Sub, Up, Average, Paeth),
starting at a different filter in each file and each Adam7 pass. Sizes 5×7 and 13×3 keep
sub-byte rows from ending on a byte boundary. A few files are written by Pillow instead
(`pil_*`), with its own filter choice and compression.

The expected samples of a file are an array (height, width, channels) of uint16 under the
file's stem in expected.npz: what libpng gives with png_set_expand (palette to RGB, or RGBA
when a tRNS chunk is present; gray below 8 bits scaled by 255 / (2^depth - 1)) and
png_set_tRNS_to_alpha (gray or RGB plus an alpha channel that is 0 where the pixel equals
the tRNS colour and 255, or 65535 at 16 bits, elsewhere); 16-bit samples stay 16-bit. Every
file is opened with Pillow and its pixels (np.asarray, palette converted with convert())
asserted equal to the expected ones; Pillow reads 16-bit gray+alpha (as RGBA) and RGB(A) at
8 bits, so there the check is against the expected samples shifted right by 8. Files whose name
contains `_16bit` have maximumValue 65535, the others 255.

It also refreshes the fuzzing seeds: copies of a few of these files in Fuzz/corpus/png and
two small Pillow-written JPEGs (baseline colour 4:2:0, progressive gray) in Fuzz/corpus/jpeg.
"""
import io
import os
import shutil
import struct
import zlib

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Adam7 passes: first column, first row, column step, row step.
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
NAMES = {0: "gray", 2: "rgb", 3: "palette", 4: "grayalpha", 6: "rgba"}
LEGAL_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}

rng = np.random.default_rng(2024)
expected = {}
next_first_filter = [0]


def chunk(kind, body):
    data = kind + body
    return struct.pack(">I", len(body)) + data + struct.pack(">I", zlib.crc32(data) & 0xFFFFFFFF)


def pack_rows(samples, depth):
    """The rows of `samples` (height, width, channels) as PNG stores them, unfiltered."""
    rows = []
    for row in samples:
        flat = row.reshape(-1).astype(np.int64)
        if depth == 16:
            rows.append(flat.astype(">u2").tobytes())
        elif depth == 8:
            rows.append(flat.astype(np.uint8).tobytes())
        else:
            bits = np.zeros(len(flat) * depth, dtype=np.uint8)
            for b in range(depth):
                bits[b::depth] = (flat >> (depth - 1 - b)) & 1
            rows.append(np.packbits(bits).tobytes())  # most significant bit first, zero padded
    return rows


def filter_rows(rows, bpp, first_filter):
    """Each row preceded by its filter type, filter types cycling from `first_filter`."""
    out = b""
    previous = np.zeros(len(rows[0]), np.int32)
    for i, row in enumerate(rows):
        kind = (first_filter + i) % 5
        current = np.frombuffer(row, np.uint8).astype(np.int32)
        left = np.concatenate([np.zeros(bpp, np.int32), current[:-bpp]])[: len(current)]
        up_left = np.concatenate([np.zeros(bpp, np.int32), previous[:-bpp]])[: len(current)]
        if kind == 0:
            predictor = np.zeros_like(current)
        elif kind == 1:
            predictor = left
        elif kind == 2:
            predictor = previous
        elif kind == 3:
            predictor = (left + previous) // 2
        else:
            p = left + previous - up_left
            pa, pb, pc = np.abs(p - left), np.abs(p - previous), np.abs(p - up_left)
            predictor = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, previous, up_left))
        out += bytes([kind]) + ((current - predictor) % 256).astype(np.uint8).tobytes()
        previous = current
    return out


def encode(samples, color_type, depth, interlace=False, palette=None, trns=None, before_idat=(), after_idat=(),
           idat_pieces=1):
    height, width, channels = samples.shape
    bpp = max(1, depth * channels // 8)
    first = next_first_filter[0]
    next_first_filter[0] += 1
    if interlace:
        raw = b""
        for k, (x0, y0, dx, dy) in enumerate(ADAM7):
            sub = samples[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                raw += filter_rows(pack_rows(sub, depth), bpp, first + k)
    else:
        raw = filter_rows(pack_rows(samples, depth), bpp, first)
    z = zlib.compress(raw, 9)
    png = SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, int(interlace)))
    png += b"".join(before_idat)
    if palette is not None:
        png += chunk(b"PLTE", palette.astype(np.uint8).tobytes())
    if trns is not None:
        png += chunk(b"tRNS", trns)
    cuts = sorted({0, len(z)} | set(int(c) for c in rng.integers(1, len(z), idat_pieces - 1)))
    if idat_pieces > 1:
        cuts.insert(1, cuts[0])  # an empty IDAT chunk among the others
    for a, b in zip(cuts, cuts[1:]):
        png += chunk(b"IDAT", z[a:b])
    png += b"".join(after_idat)
    return png + chunk(b"IEND", b"")


def random_samples(height, width, channels, depth, count=None):
    top = count if count is not None else 1 << depth
    samples = rng.integers(0, top, (height, width, channels), dtype=np.int64)
    samples.flat[0] = 0
    samples.flat[-1] = top - 1
    return samples


def pillow_pixels(png):
    """What Pillow reads: uint16 (height, width, channels), palette converted to RGB(A)."""
    image = Image.open(io.BytesIO(png))
    image.load()
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    pixels = np.asarray(image)
    if image.mode == "1":
        pixels = pixels.astype(np.uint16) * 255
    pixels = pixels.astype(np.uint16)
    return pixels if pixels.ndim == 3 else pixels[:, :, None]


def save(name, png, want, pillow_check):
    """Writes `name`.png, records `want` and checks Pillow agrees (`pillow_check` maps
    the expected samples to what Pillow shows of them)."""
    want = np.asarray(want, dtype=np.uint16)
    got = pillow_pixels(png)
    np.testing.assert_array_equal(got, pillow_check(want), err_msg=name)
    with open(os.path.join(HERE, name + ".png"), "wb") as f:
        f.write(png)
    expected[name] = want


def alpha_where_not(mask, maximum):
    return np.where(mask, 0, maximum)[:, :, None]


def direct_case(name, color_type, depth, width, height, interlace, **options):
    samples = random_samples(height, width, CHANNELS[color_type], depth)
    png = encode(samples, color_type, depth, interlace, **options)
    want = samples * (255 // ((1 << depth) - 1)) if color_type == 0 and depth < 8 else samples
    shown = (lambda w: w >> 8) if depth == 16 and color_type != 0 else (lambda w: w)
    if depth == 16 and color_type == 4:  # Pillow reads 16-bit gray + alpha as 8-bit RGBA
        shown = lambda w: (w >> 8)[:, :, [0, 0, 0, 1]]
    save(name, png, want, shown)


def palette_case(name, depth, width, height, interlace, count, transparent=None, **options):
    palette = rng.integers(0, 256, (count, 3))
    indices = random_samples(height, width, 1, depth, count)
    trns = None
    rgb = palette[indices[:, :, 0]]
    want = rgb
    if transparent is not None:
        alphas = rng.integers(0, 256, transparent)
        alphas[0] = 0
        trns = alphas.astype(np.uint8).tobytes()
        table = np.full(count, 255)
        table[:transparent] = alphas
        want = np.concatenate([rgb, table[indices[:, :, 0]][:, :, None]], axis=2)
    save(name, encode(indices, 3, depth, interlace, palette=palette, trns=trns, **options), want, lambda w: w)


def gray_key_case(name, depth, width, height, interlace, key=None):
    samples = random_samples(height, width, 1, depth)
    key = int(samples[height // 2, width // 2, 0]) if key is None else key
    samples[0, width - 1, 0] = key if key < (1 << depth) else samples[0, width - 1, 0]
    png = encode(samples, 0, depth, interlace, trns=struct.pack(">H", key))
    maximum = 65535 if depth == 16 else 255
    gray = samples * (255 // ((1 << depth) - 1)) if depth < 8 else samples
    want = np.concatenate([gray, alpha_where_not(samples[:, :, 0] == key, maximum)], axis=2)
    save(name, png, want, lambda w: w[:, :, :1])


def rgb_key_case(name, depth, width, height, interlace):
    samples = random_samples(height, width, 3, depth)
    key = samples[1, 1].copy()
    samples[height - 1, 0] = key
    samples[0, width - 1] = key
    near = key.copy()
    near[2] ^= 1  # differs from the key in one channel only: stays opaque
    samples[height - 1, width - 1] = near
    png = encode(samples, 2, depth, interlace, trns=struct.pack(">HHH", *(int(v) for v in key)))
    maximum = 65535 if depth == 16 else 255
    want = np.concatenate([samples, alpha_where_not(np.all(samples == key, axis=2), maximum)], axis=2)
    save(name, png, want, (lambda w: w[:, :, :3] >> 8) if depth == 16 else (lambda w: w[:, :, :3]))


def pillow_case(name, image, **save_options):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **save_options)
    png = buffer.getvalue()
    save(name, png, pillow_pixels(png), lambda w: w)


def write_fuzz_seeds():
    png_seeds = os.path.join(REPOSITORY, "Fuzz", "corpus", "png")
    jpeg_seeds = os.path.join(REPOSITORY, "Fuzz", "corpus", "jpeg")
    os.makedirs(png_seeds, exist_ok=True)
    os.makedirs(jpeg_seeds, exist_ok=True)
    for name in ["rgb_8bit_chunked", "palette_4bit_trns_interlaced", "gray_16bit_13x3", "grayalpha_8bit_5x7_interlaced"]:
        shutil.copy(os.path.join(HERE, name + ".png"), png_seeds)
    y, x = np.mgrid[0:16, 0:16]
    colour = np.stack([x * 16, y * 16, (x + y) * 8], axis=2).astype(np.uint8)
    Image.fromarray(colour).save(os.path.join(jpeg_seeds, "colour_420.jpg"), quality=90, subsampling=2)
    gray = ((x[:9, :12] * 20 + y[:9, :12] * 7) % 256).astype(np.uint8)
    Image.fromarray(gray).save(os.path.join(jpeg_seeds, "gray_progressive.jpg"), quality=85, progressive=True)


def main():
    for name in os.listdir(HERE):
        if name.endswith(".png"):
            os.remove(os.path.join(HERE, name))
    for color_type, depths in LEGAL_DEPTHS.items():
        for depth in depths:
            for width, height in ((5, 7), (13, 3)):
                for interlace in (False, True):
                    name = f"{NAMES[color_type]}_{depth}bit_{width}x{height}" + ("_interlaced" if interlace else "")
                    if color_type == 3:
                        count = {1: 2, 2: 4, 4: 11, 8: 180}[depth]
                        palette_case(name, depth, width, height, interlace, count)
                    else:
                        direct_case(name, color_type, depth, width, height, interlace)
    for depth in (1, 2, 4, 8, 16):
        gray_key_case(f"gray_{depth}bit_trns", depth, 5, 7, False)
    gray_key_case("gray_2bit_trns_interlaced", 2, 13, 3, True)
    gray_key_case("gray_2bit_trns_out_of_range", 2, 5, 7, False, key=7)  # no 2-bit sample equals 7
    for depth in (8, 16):
        rgb_key_case(f"rgb_{depth}bit_trns", depth, 5, 7, False)
        rgb_key_case(f"rgb_{depth}bit_trns_interlaced", depth, 13, 3, True)
    for depth, count, transparent in ((1, 2, 1), (2, 4, 3), (4, 11, 5), (8, 180, 120)):
        palette_case(f"palette_{depth}bit_trns", depth, 5, 7, False, count, transparent)
        palette_case(f"palette_{depth}bit_trns_interlaced", depth, 13, 3, True, count, transparent)
    # Ancillary chunks (known, unknown, before and after IDAT) and IDAT split in pieces.
    text = chunk(b"tEXt", b"Comment\x00made by make_png_fixtures.py")
    direct_case("rgb_8bit_chunked", 2, 8, 8, 5, False, idat_pieces=4,
                before_idat=[chunk(b"gAMA", struct.pack(">I", 45455)), text], after_idat=[chunk(b"prVt", b"\x01\x02"), text])
    direct_case("rgb_8bit_suggested_palette", 2, 8, 4, 3, False,
                palette=rng.integers(0, 256, (3, 3)), before_idat=[chunk(b"sRGB", b"\x00")])
    direct_case("rgba_8bit_1x1", 6, 8, 1, 1, False)
    direct_case("gray_1bit_1x1_interlaced", 0, 1, 1, 1, True)
    direct_case("rgb_8bit_3x2_interlaced", 2, 8, 3, 2, True)  # passes 2, 3 and 5 are empty
    direct_case("gray_4bit_9x1_interlaced", 0, 4, 9, 1, True)
    direct_case("rgb_16bit_2x9_interlaced", 2, 16, 2, 9, True)
    # Files Pillow writes, with its own filters and compression.
    y, x = np.mgrid[0:6, 0:11]
    pillow_case("pil_rgb", Image.fromarray(np.stack([x * 23, y * 40, (x * y) % 256], axis=2).astype(np.uint8)), optimize=True)
    pillow_case("pil_gray_16bit", Image.fromarray((x * 6000 + y * 97).astype(np.uint16)))
    pillow_case("pil_grayalpha", Image.fromarray(np.stack([x * 20, y * 50], axis=2).astype(np.uint8), mode="LA"))
    paletted = Image.fromarray(((x + y) % 5).astype(np.uint8), mode="P")
    paletted.putpalette([10, 20, 30, 200, 0, 0, 0, 200, 0, 0, 0, 200, 255, 255, 255])
    pillow_case("pil_palette_transparency", paletted, transparency=bytes([0, 128]))
    np.savez_compressed(os.path.join(HERE, "expected.npz"), **expected)
    write_fuzz_seeds()
    print(f"{len(expected)} PNG files")


if __name__ == "__main__":
    main()
