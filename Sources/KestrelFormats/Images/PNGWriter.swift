import Foundation
import KestrelCore

/// Writes PNG images, 8-bit grayscale or RGB, deflate-compressed (`Deflate`), for the charts,
/// diagrams and feature-map pictures Kestrel draws without an image library.
public enum PNGWriter {
    /// Encodes row-major grayscale `pixels` (`width`·`height` bytes, 0 = black).
    public static func encode(width: Int, height: Int, pixels: [UInt8]) throws -> Data {
        try encode(width: width, height: height, channels: 1, pixels)
    }

    /// Encodes row-major RGB `pixels` (3·`width`·`height` bytes).
    public static func encode(width: Int, height: Int, rgb pixels: [UInt8]) throws -> Data {
        try encode(width: width, height: height, channels: 3, pixels)
    }

    /// Writes grayscale values in [0, 1] (clamped) as a PNG file (atomic write).
    public static func write(_ values: [Float], width: Int, height: Int, to url: URL) throws {
        let pixels = values.map { UInt8((Swift.min(Swift.max($0, 0), 1) * 255).rounded()) }
        try AtomicFile.write(try encode(width: width, height: height, pixels: pixels), to: url)
    }

    private static func encode(width: Int, height: Int, channels: Int, _ pixels: [UInt8]) throws -> Data {
        guard width > 0, height > 0, width < 1 << 24, height < 1 << 24, pixels.count == width * height * channels else {
            throw KestrelError(.invalidArgument, "PNGWriter: \(pixels.count) bytes for a \(width)×\(height) image of \(channels) channel\(channels == 1 ? "" : "s"); give width·height·channels bytes")
        }
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header.append(contentsOf: [8, channels == 1 ? 0 : 2, 0, 0, 0])  // 8 bits, gray or RGB, deflate, no interlace
        appendChunk("IHDR", header, to: &png)
        // Each scanline starts with its filter type (0: none).
        let stride = width * channels
        var raw = [UInt8]()
        raw.reserveCapacity((stride + 1) * height)
        for r in 0..<height {
            raw.append(0)
            raw.append(contentsOf: pixels[(r * stride)..<((r + 1) * stride)])
        }
        appendChunk("IDAT", Data(Deflate.zlib(raw)), to: &png)
        appendChunk("IEND", Data(), to: &png)
        return png
    }

    private static func appendChunk(_ type: String, _ body: Data, to png: inout Data) {
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
