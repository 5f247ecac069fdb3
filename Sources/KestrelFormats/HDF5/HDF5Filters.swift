import Foundation
import KestrelCore
import KestrelNN

extension HDF5Filter {
    /// Undoes `pipeline` on one stored chunk: filters run in reverse order, skipping those
    /// whose bit is set in `mask`. Supported: deflate (zlib-wrapped, Adler-32 checked),
    /// shuffle and fletcher32 (checksum verified); anything else throws `.unsupported`.
    package static func decode(_ stored: [UInt8], pipeline: [HDF5Filter], mask: UInt32, reader: HDF5Reader,
                       what: @autoclosure () -> String) throws -> [UInt8] {
        var bytes = stored
        for (position, filter) in pipeline.enumerated().reversed() {
            if position < 32, mask & (1 << UInt32(position)) != 0 { continue }
            switch filter.id {
            case 1: bytes = try inflateZlib(bytes, reader: reader, what: what())
            case 2:
                guard let width = filter.clientData.first, width > 0 else {
                    throw reader.invalid("\(what()): shuffle filter without an element size")
                }
                bytes = unshuffle(bytes, width: width)
            case 3:
                guard bytes.count >= 4 else { throw reader.invalid("\(what()): fletcher32 chunk shorter than its checksum") }
                let payload = bytes[0..<(bytes.count - 4)]
                let stored = UInt32(bytes[bytes.count - 4]) | UInt32(bytes[bytes.count - 3]) << 8
                    | UInt32(bytes[bytes.count - 2]) << 16 | UInt32(bytes[bytes.count - 1]) << 24
                let sum = HDF5Checksum.fletcher32(payload)
                // Files from HDF5 before 1.6.3 stored the sum with the bytes of each half swapped.
                let swapped = (sum & 0xFF00_FF00) >> 8 | (sum & 0x00FF_00FF) << 8
                guard stored == sum || stored == swapped else {
                    throw reader.invalid("\(what()): fletcher32 checksum mismatch (corrupted)")
                }
                bytes = Array(payload)
            default:
                let names = [4: "szip", 5: "nbit", 6: "scaleoffset", 32000: "lzf", 32001: "blosc", 32004: "lz4",
                             32008: "bitshuffle", 32015: "zstd"]
                let name = filter.name.isEmpty ? names[filter.id] ?? "unnamed" : filter.name
                throw reader.unsupported("\(what()): filter \(filter.id) (\(name)); supported filters: deflate, shuffle, fletcher32")
            }
        }
        return bytes
    }

    /// Inflates a zlib stream (RFC 1950: 2-byte header, raw DEFLATE, big-endian Adler-32).
    private static func inflateZlib(_ bytes: [UInt8], reader: HDF5Reader, what: String) throws -> [UInt8] {
        guard bytes.count >= 6 else { throw reader.invalid("\(what): deflate chunk of \(bytes.count) bytes is too short for zlib") }
        let cmf = Int(bytes[0]), flg = Int(bytes[1])
        guard cmf & 0x0F == 8, cmf >> 4 <= 7, (cmf << 8 | flg) % 31 == 0 else {
            throw reader.invalid("\(what): deflate chunk lacks a valid zlib header")
        }
        guard flg & 0x20 == 0 else { throw reader.unsupported("\(what): zlib stream with a preset dictionary") }
        return try bytes.withUnsafeBytes { raw -> [UInt8] in
            let body = UnsafeRawBufferPointer(rebasing: raw[2...])
            let result: (data: Data, consumed: Int)
            do {
                result = try Inflate.decompress(body, expectedSize: nil)
            } catch let error as KestrelError {
                throw reader.invalid("\(what): \(error.message)")
            }
            let trailer = 2 + result.consumed
            guard trailer + 4 <= bytes.count else { throw reader.invalid("\(what): zlib stream lacks its Adler-32 trailer") }
            let stored = UInt32(bytes[trailer]) << 24 | UInt32(bytes[trailer + 1]) << 16
                | UInt32(bytes[trailer + 2]) << 8 | UInt32(bytes[trailer + 3])
            let computed = result.data.withUnsafeBytes { HDF5Checksum.adler32($0) }
            guard stored == computed else { throw reader.invalid("\(what): zlib Adler-32 mismatch (corrupted)") }
            return [UInt8](result.data)
        }
    }

    /// Reverses HDF5's byte shuffle: byte k of every element was stored in plane k.
    /// Trailing bytes that do not fill an element were stored unshuffled.
    package static func unshuffle(_ bytes: [UInt8], width: Int) -> [UInt8] {
        guard width > 1 else { return bytes }
        let count = bytes.count / width
        var out = bytes
        bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for k in 0..<width {
                    let plane = k * count
                    for i in 0..<count { dst[i * width + k] = src[plane + i] }
                }
            }
        }
        return out
    }
}
