import Foundation
import KestrelCore

/// Reads an image file of either format Kestrel decodes, PNG or JPEG, choosing the decoder
/// from the file's first bytes rather than its name, and names other formats when refusing them.
public enum ImageFile {
    /// The image in `data`, PNG or JPEG; `source` (the file name) names it in errors.
    public static func decode(_ data: Data, source: String) throws -> DecodedImage {
        if data.starts(with: PNGChunks.signature) { return try PNGDecoder.decode(data, source: source) }
        throw KestrelError(.unsupported, "image: \(source) is \(describeFormat(of: data)); Kestrel decodes PNG and JPEG images only; convert it to PNG first")
    }

    /// The image in the PNG or JPEG file at `url`.
    public static func read(contentsOf url: URL) throws -> DecodedImage {
        try decode(try readFile(url, what: "image"), source: url.lastPathComponent)
    }

    /// What the first bytes say the file is, for the error refusing it.
    private static func describeFormat(of data: Data) -> String {
        let bytes = [UInt8](data.prefix(12))
        func starts(_ prefix: [UInt8]) -> Bool { bytes.starts(with: prefix) }
        if bytes.isEmpty { return "empty" }
        if starts(Array("GIF8".utf8)) { return "a GIF file (not supported)" }
        if starts(Array("BM".utf8)) { return "a BMP file (not supported)" }
        if starts(Array("RIFF".utf8)) && bytes.count >= 12 && Array(bytes[8..<12]) == Array("WEBP".utf8) {
            return "a WebP file (not supported)"
        }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "a TIFF file (not supported)" }
        let hex = bytes.prefix(8).map(hexByte).joined(separator: " ")
        return "neither PNG (it starts with \(hex), not 89 50 4E 47 0D 0A 1A 0A) nor JPEG (FF D8 FF)"
    }
}
