import Foundation
import KestrelCore

/// The chunks of a PNG file that decoding needs, read in order with every CRC verified: IHDR
/// first, PLTE and tRNS before the image data, the IDAT chunks one after another (their bytes
/// are one zlib stream), IEND last. Ancillary chunks (text, gamma, APNG frames …) are checked
/// and skipped; an unknown critical chunk is refused, since the image cannot be drawn without
/// it. Bytes after IEND are ignored, as libpng ignores them.
struct PNGChunks {
    /// The eight bytes every PNG file starts with.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    let header: PNGHeader
    /// PLTE's RGB triples, empty when the file has none.
    let palette: [UInt8]
    /// tRNS's bytes (palette alphas, or the transparent gray or RGB colour), nil when absent.
    let transparency: [UInt8]?
    /// The IDAT chunks' data, concatenated.
    let imageData: [UInt8]

    init(_ bytes: UnsafeRawBufferPointer, source: String) throws {
        func invalid(_ why: String) -> KestrelError { KestrelError(.invalidFile, "PNG: \(source): \(why)") }
        guard bytes.count >= 8, bytes.prefix(8).elementsEqual(Self.signature) else {
            throw invalid("the file does not start with the PNG signature 89 50 4E 47 0D 0A 1A 0A")
        }
        func bigEndian(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
        }
        var header: PNGHeader?
        var palette: [UInt8]?
        var transparency: [UInt8]?
        var imageData = [UInt8]()
        var imageDataSeen = false, imageDataEnded = false, ended = false
        var offset = 8
        while !ended {
            guard bytes.count - offset >= 12 else {
                throw invalid("the file ends at byte \(bytes.count) before its IEND chunk (truncated?)")
            }
            let length = Int(bigEndian(offset))
            let typeBytes = UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<(offset + 8)])
            guard typeBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                throw invalid("the bytes \(typeBytes.map(hexByte).joined(separator: " ")) at byte \(offset + 4) are not a chunk type, which is four letters (corrupted?)")
            }
            let name = String(decoding: typeBytes, as: UTF8.self)
            guard length <= Int(Int32.max), bytes.count - offset - 12 >= length else {
                throw invalid("chunk \(name) at byte \(offset) declares \(length) bytes but only \(bytes.count - offset - 12) follow (truncated?)")
            }
            let stored = bigEndian(offset + 8 + length)
            let computed = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<(offset + 8 + length)]))
            guard stored == computed else {
                throw invalid("chunk \(name) at byte \(offset) has CRC \(String(stored, radix: 16)) but its bytes give \(String(computed, radix: 16)) (the file is corrupted)")
            }
            let body = UnsafeRawBufferPointer(rebasing: bytes[(offset + 8)..<(offset + 8 + length)])
            if imageDataSeen && name != "IDAT" { imageDataEnded = true }
            if name == "IHDR" {
                guard header == nil else { throw invalid("a second IHDR chunk at byte \(offset); a PNG file has one") }
                header = try PNGHeader(body, source: source)
                offset += 12 + length
                continue
            }
            guard let known = header else { throw invalid("the first chunk is \(name); a PNG file starts with IHDR") }
            let colorType = known.colorType
            switch name {
            case "PLTE":
                guard palette == nil else { throw invalid("a second PLTE chunk at byte \(offset); a PNG file has at most one") }
                guard !imageDataSeen else { throw invalid("the PLTE chunk comes after the image data; it must come before IDAT") }
                guard colorType != .gray, colorType != .grayAlpha else {
                    throw invalid("a PLTE chunk in a \(colorType.name) image; only palette and colour images may have one")
                }
                let entries = length / 3
                let allowed = colorType == .palette ? 1 << known.bitDepth : 256
                guard length % 3 == 0, entries >= 1, entries <= min(allowed, 256) else {
                    throw invalid("PLTE holds \(length) bytes; it must hold 1 to \(min(allowed, 256)) RGB entries of 3 bytes\(colorType == .palette ? " for a \(known.bitDepth)-bit palette image" : "")")
                }
                palette = Array(body)
            case "tRNS":
                guard transparency == nil else { throw invalid("a second tRNS chunk at byte \(offset); a PNG file has at most one") }
                guard !imageDataSeen else { throw invalid("the tRNS chunk comes after the image data; it must come before IDAT") }
                switch colorType {
                case .grayAlpha, .rgba:
                    throw invalid("a tRNS chunk, but colour type \(colorType.rawValue) (\(colorType.name)) has an alpha channel already")
                case .gray, .rgb:
                    let needed = colorType == .gray ? 2 : 6
                    guard length == needed else {
                        throw invalid("tRNS holds \(length) bytes; a \(colorType.name) image's transparent colour takes \(needed)")
                    }
                case .palette:
                    guard let palette else { throw invalid("the tRNS chunk comes before PLTE; a palette's alphas follow it") }
                    guard length >= 1, length <= palette.count / 3 else {
                        throw invalid("tRNS holds \(length) alphas for a palette of \(palette.count / 3) entries; it must hold 1 to \(palette.count / 3)")
                    }
                }
                transparency = Array(body)
            case "IDAT":
                guard !imageDataEnded else {
                    throw invalid("an IDAT chunk at byte \(offset) after other chunks followed the image data; IDAT chunks must be consecutive")
                }
                guard colorType != .palette || palette != nil else {
                    throw invalid("the image data comes before any PLTE chunk; a palette image needs its palette first")
                }
                imageData.append(contentsOf: body)
                imageDataSeen = true
            case "IEND":
                guard length == 0 else { throw invalid("the IEND chunk holds \(length) bytes; it must be empty") }
                guard imageDataSeen else { throw invalid("the file has no IDAT chunk, so no image data") }
                ended = true
            default:
                guard typeBytes[0] & 0x20 != 0 else {
                    throw KestrelError(.unsupported, "PNG: \(source): critical chunk \(name) at byte \(offset) is not one of the PNG specification's (IHDR, PLTE, IDAT, IEND), so the image cannot be decoded without knowing it; save it as a standard PNG")
                }
            }
            offset += 12 + length
        }
        guard let header else { throw invalid("the file has no IHDR chunk") }
        self.header = header
        self.palette = palette ?? []
        self.transparency = transparency
        self.imageData = imageData
    }
}
