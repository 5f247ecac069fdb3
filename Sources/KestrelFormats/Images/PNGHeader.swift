import Foundation
import KestrelCore

/// A PNG file's IHDR chunk, validated: a size within Kestrel's limits, a colour type and bit
/// depth pair the PNG specification allows, and its only compression and filter methods.
struct PNGHeader {
    /// PNG's colour types, as the IHDR byte numbers them.
    enum ColorType: UInt8 {
        case gray = 0, rgb = 2, palette = 3, grayAlpha = 4, rgba = 6

        /// The samples a pixel stores in the file (a palette index is one).
        var storedChannels: Int {
            switch self {
            case .gray, .palette: 1
            case .grayAlpha: 2
            case .rgb: 3
            case .rgba: 4
            }
        }

        /// The bit depths the specification allows for this colour type.
        var legalBitDepths: [Int] {
            switch self {
            case .gray: [1, 2, 4, 8, 16]
            case .palette: [1, 2, 4, 8]
            case .rgb, .grayAlpha, .rgba: [8, 16]
            }
        }

        var name: String {
            switch self {
            case .gray: "gray"
            case .rgb: "RGB"
            case .palette: "palette"
            case .grayAlpha: "gray + alpha"
            case .rgba: "RGBA"
            }
        }
    }

    /// The largest width or height decoded.
    static let maximumSide = 1 << 24
    /// The most samples (width × height × decoded channels) an image may have.
    static let maximumSamples = 1 << 28

    let width: Int
    let height: Int
    let bitDepth: Int
    let colorType: ColorType
    let interlaced: Bool

    /// Reads the 13 bytes of IHDR's `body`.
    init(_ body: UnsafeRawBufferPointer, source: String) throws {
        func invalid(_ why: String) -> KestrelError { KestrelError(.invalidFile, "PNG: \(source): IHDR: \(why)") }
        guard body.count == 13 else { throw invalid("the chunk holds \(body.count) bytes; it must hold 13") }
        func bigEndian(_ at: Int) -> Int {
            Int(body[at]) << 24 | Int(body[at + 1]) << 16 | Int(body[at + 2]) << 8 | Int(body[at + 3])
        }
        width = bigEndian(0)
        height = bigEndian(4)
        guard width > 0, height > 0 else {
            throw invalid("the image is \(width)×\(height) pixels; width and height must be at least 1")
        }
        guard width <= Self.maximumSide, height <= Self.maximumSide else {
            throw KestrelError(.unsupported, "PNG: \(source): the image is \(width)×\(height) pixels; Kestrel decodes images up to \(Self.maximumSide) pixels on a side; resize it first")
        }
        guard let colorType = ColorType(rawValue: body[9]) else {
            throw invalid("colour type \(body[9]) is not one of PNG's 0 (gray), 2 (RGB), 3 (palette), 4 (gray + alpha), 6 (RGBA)")
        }
        self.colorType = colorType
        bitDepth = Int(body[8])
        guard colorType.legalBitDepths.contains(bitDepth) else {
            throw invalid("bit depth \(bitDepth) is not allowed for colour type \(colorType.rawValue) (\(colorType.name)), which takes \(colorType.legalBitDepths.map(String.init).joined(separator: ", "))")
        }
        guard body[10] == 0 else { throw invalid("compression method \(body[10]) is not PNG's only one, 0 (deflate)") }
        guard body[11] == 0 else { throw invalid("filter method \(body[11]) is not PNG's only one, 0 (adaptive)") }
        guard body[12] <= 1 else { throw invalid("interlace method \(body[12]) is neither 0 (none) nor 1 (Adam7)") }
        interlaced = body[12] == 1
    }

    /// Bits one pixel occupies in a row.
    var bitsPerPixel: Int { colorType.storedChannels * bitDepth }

    /// The bytes the filters treat as one pixel: whole bytes, at least one.
    var filterBytesPerPixel: Int { max(1, bitsPerPixel / 8) }

    /// Bytes of a row `pixels` wide, without its filter-type byte.
    func rowBytes(pixels: Int) -> Int { (pixels * bitsPerPixel + 7) / 8 }
}
