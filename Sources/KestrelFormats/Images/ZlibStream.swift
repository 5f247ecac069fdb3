import Foundation
import KestrelCore

/// zlib streams (RFC 1950) whose inflated size is known exactly, such as a PNG's image data:
/// the two-byte header checked, the DEFLATE data inflated no further than that size (so a
/// small file cannot make the decoder allocate without bound), the size compared, and the
/// Adler-32 trailer verified.
enum ZlibStream {
    /// The `exactSize` bytes `bytes` inflates to; `what` names the stream in errors.
    static func inflate(_ bytes: UnsafeRawBufferPointer, exactSize: Int, what: String) throws -> Data {
        func invalid(_ why: String) -> KestrelError { KestrelError(.invalidFile, "\(what): \(why)") }
        guard bytes.count >= 2 else {
            throw invalid("the zlib stream holds \(bytes.count) bytes, too few for its 2-byte header (truncated?)")
        }
        let method = bytes[0], flags = bytes[1]
        guard method & 0x0F == 8, method >> 4 <= 7 else {
            throw invalid("the zlib header names compression method \(method & 0x0F) with window code \(method >> 4); only method 8 (deflate) with window codes 0 to 7 exists")
        }
        guard (Int(method) << 8 | Int(flags)) % 31 == 0 else {
            throw invalid("the zlib header \(String(method, radix: 16)) \(String(flags, radix: 16)) fails its check bits (corrupted)")
        }
        guard flags & 0x20 == 0 else { throw invalid("the zlib stream needs a preset dictionary, which this format does not allow") }
        let body = UnsafeRawBufferPointer(rebasing: bytes[2...])
        let inflater = Inflater(input: body, capacityHint: Inflate.presize(exactSize, inputCount: body.count))
        inflater.outputLimit = exactSize
        do {
            try inflater.inflateStream()
        } catch let error as KestrelError {
            throw invalid(error.message)
        }
        guard inflater.outputCount == exactSize else {
            throw invalid("the data inflates to \(inflater.outputCount) bytes but exactly \(exactSize) are needed (truncated or corrupted)")
        }
        let trailer = 2 + inflater.inputPosition
        guard bytes.count - trailer >= 4 else { throw invalid("the zlib stream ends without its Adler-32 checksum (truncated?)") }
        let stored = UInt32(bytes[trailer]) << 24 | UInt32(bytes[trailer + 1]) << 16 | UInt32(bytes[trailer + 2]) << 8 | UInt32(bytes[trailer + 3])
        let computed = HDF5Checksum.adler32(inflater.outputBytes(from: 0))
        guard stored == computed else {
            throw invalid("the zlib Adler-32 is \(String(stored, radix: 16)) but the inflated data gives \(String(computed, radix: 16)) (corrupted)")
        }
        return inflater.takeOutput()
    }
}
