import Foundation
import Kestrel

/// A minimal PNG encoder for the demos' pictures: 8-bit grayscale, no filtering, the image
/// data in zlib *stored* (uncompressed) deflate blocks with an Adler-32 trailer, every
/// chunk closed by its CRC-32. Small pictures only need correctness, not compression, and
/// this keeps the demos free of image libraries.
public enum PNGWriter {
    /// Encodes `pixels` (row-major, `width`·`height` bytes, 0 = black) as a PNG file.
    public static func encode(width: Int, height: Int, pixels: [UInt8]) -> Data {
        checkedPrecondition(width > 0 && height > 0 && pixels.count == width * height, "PNGWriter: \(pixels.count) pixels for \(width)×\(height)")
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header.append(contentsOf: [8, 0, 0, 0, 0])  // 8 bits, grayscale, deflate, no filter method, no interlace
        appendChunk("IHDR", header, to: &png)
        // Each scanline starts with its filter type (0: none).
        var raw = [UInt8]()
        raw.reserveCapacity((width + 1) * height)
        for r in 0..<height {
            raw.append(0)
            raw.append(contentsOf: pixels[(r * width)..<((r + 1) * width)])
        }
        appendChunk("IDAT", zlibStored(raw), to: &png)
        appendChunk("IEND", Data(), to: &png)
        return png
    }

    /// Writes grayscale values in [0, 1] (clamped) as a PNG file.
    public static func write(_ values: [Float], width: Int, height: Int, to url: URL) throws {
        let pixels = values.map { UInt8((Swift.min(Swift.max($0, 0), 1) * 255).rounded()) }
        try AtomicFile.write(encode(width: width, height: height, pixels: pixels), to: url)
    }

    /// A zlib stream of stored deflate blocks (at most 65 535 bytes each).
    static func zlibStored(_ bytes: [UInt8]) -> Data {
        var out = Data([0x78, 0x01])
        var offset = 0
        repeat {
            let n = Swift.min(65_535, bytes.count - offset)
            out.append(offset + n == bytes.count ? 1 : 0)  // BFINAL, BTYPE = 00 (stored)
            out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)])
            out.append(contentsOf: bytes[offset..<(offset + n)])
            offset += n
        } while offset < bytes.count
        out.appendBigEndian(adler32(bytes))
        return out
    }

    /// zlib's Adler-32 checksum.
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        while i < bytes.count {
            // 5552 bytes keep the sums below 2^32 before the modulo.
            let end = Swift.min(bytes.count, i + 5552)
            while i < end {
                a += UInt32(bytes[i])
                b += a
                i += 1
            }
            a %= 65_521
            b %= 65_521
        }
        return b << 16 | a
    }

    static func appendChunk(_ type: String, _ body: Data, to png: inout Data) {
        png.appendBigEndian(UInt32(body.count))
        let typed = Data(type.utf8) + body
        png.append(typed)
        png.appendBigEndian(CRC32.checksum(typed))
    }
}

extension Data {
    mutating func appendBigEndian(_ v: UInt32) {
        append(contentsOf: [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)])
    }
}

/// Tiles equally sized grayscale images into one picture with 1-pixel gaps.
struct ImageGrid {
    let rows: Int, cols: Int, tileHeight: Int, tileWidth: Int
    private(set) var pixels: [Float]

    init(rows: Int, cols: Int, tileHeight: Int, tileWidth: Int) {
        self.rows = rows
        self.cols = cols
        self.tileHeight = tileHeight
        self.tileWidth = tileWidth
        pixels = [Float](repeating: 1, count: (rows * (tileHeight + 1) + 1) * (cols * (tileWidth + 1) + 1))
    }

    var width: Int { cols * (tileWidth + 1) + 1 }
    var height: Int { rows * (tileHeight + 1) + 1 }

    /// Places one tile (row-major values) rescaled so its range spans [0, 1] when `normalize`.
    mutating func place(_ tile: [Float], row: Int, col: Int, normalize: Bool = false) {
        var values = tile
        if normalize, let lo = tile.min(), let hi = tile.max() {
            values = tile.map { hi > lo ? ($0 - lo) / (hi - lo) : 0 }
        }
        for r in 0..<tileHeight {
            for c in 0..<tileWidth {
                pixels[(row * (tileHeight + 1) + 1 + r) * width + col * (tileWidth + 1) + 1 + c] = values[r * tileWidth + c]
            }
        }
    }

    func write(to url: URL) throws { try PNGWriter.write(pixels, width: width, height: height, to: url) }
}
