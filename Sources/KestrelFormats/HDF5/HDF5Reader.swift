import Foundation
import KestrelCore
import KestrelNN

/// The bytes of one HDF5 file plus what every structure needs to decode them: the widths
/// of addresses and lengths from the superblock, the base address, error construction that
/// names the file, and caches of heap collections. Every other HDF5 type reads through it.
package final class HDF5Reader {
    package let data: Data
    package let source: String
    /// Bytes per file address ("size of offsets") and per length ("size of lengths").
    package var offsetSize = 8
    package var lengthSize = 8
    /// Added to every address read from the file (non-zero when a user block precedes the superblock).
    package var baseAddress = 0
    /// The most bytes one dataset or attribute may expand to: generous for real files
    /// (DEFLATE expands at most ~1032×) but bounded, so a corrupt shape cannot allocate terabytes.
    package let maxDecodedBytes: Int
    /// Parsed global heap collections by address: object index → byte range.
    package var globalHeaps: [Int: [Int: Range<Int>]] = [:]
    /// Metadata blocks whose checksum has already been verified: start → checked byte count.
    package var verifiedBlocks: [Int: Int] = [:]

    package init(data: Data, source: String) {
        self.data = data.startIndex == 0 ? data : Data(data)
        self.source = source
        maxDecodedBytes = max(1 << 24, data.count.multipliedReportingOverflow(by: 1100).partialValue)
    }

    package func invalid(_ why: String) -> KestrelError {
        KestrelError(.invalidFile, "hdf5: \(source): \(why)")
    }

    package func unsupported(_ what: String) -> KestrelError {
        KestrelError(.unsupported, "hdf5: \(source): \(what)")
    }

    /// A cursor over `count` bytes at absolute file offset `start`, or an error naming
    /// `what` when that range is not inside the file.
    package func cursor(at start: Int, count: Int, _ what: @autoclosure () -> String) throws -> HDF5Cursor {
        guard start >= 0, count >= 0, start <= data.count, count <= data.count - start else {
            throw invalid("\(what()): \(count) bytes at \(hex(start)) lie outside the \(data.count)-byte file (truncated?)")
        }
        return HDF5Cursor(reader: self, start: start, end: start + count, context: what())
    }

    /// A cursor from absolute offset `start` to the end of the file, for structures whose
    /// size is only known once their header is read.
    package func cursor(at start: Int, _ what: @autoclosure () -> String) throws -> HDF5Cursor {
        guard start >= 0, start < data.count else {
            throw invalid("\(what()): address \(hex(start)) lies outside the \(data.count)-byte file (truncated?)")
        }
        return HDF5Cursor(reader: self, start: start, end: data.count, context: what())
    }

    /// The absolute file offset of a relative address read from the file.
    package func absolute(_ address: UInt64) -> Int? {
        guard address <= UInt64(Int.max - baseAddress) else { return nil }
        return baseAddress + Int(address)
    }

    /// A copy of `count` bytes at absolute offset `start`, which the caller has range-checked.
    package func bytes(_ range: Range<Int>) -> [UInt8] {
        [UInt8](data[range])
    }

    /// Verifies the Jenkins lookup3 checksum that follows the `count` bytes at `start`
    /// (HDF5's checksum for version-2 metadata), once per block.
    package func verifyChecksum(at start: Int, count: Int, _ what: @autoclosure () -> String) throws {
        guard verifiedBlocks[start] != count else { return }
        var c = try cursor(at: start, count: count + 4, what())
        c.position = start + count
        let stored = UInt32(try c.uint(4))
        let computed = data.withUnsafeBytes { raw in
            HDF5Checksum.lookup3(UnsafeRawBufferPointer(rebasing: raw[start..<(start + count)]))
        }
        guard stored == computed else {
            throw invalid("\(what()): checksum mismatch (stored \(hex(Int(stored))), computed \(hex(Int(computed)))); the file is corrupted")
        }
        verifiedBlocks[start] = count
    }
}

/// `0x…` text for an offset in error messages.
package func hex(_ value: Int) -> String { "0x" + String(value, radix: 16) }

/// A bounds-checked little-endian reader over one structure inside an HDF5 file: every read
/// checks that it stays before `end`, and failures name the structure (`context`).
package struct HDF5Cursor {
    package let reader: HDF5Reader
    package var position: Int
    package let end: Int
    package let context: String

    package init(reader: HDF5Reader, start: Int, end: Int, context: String) {
        self.reader = reader
        self.position = start
        self.end = end
        self.context = context
    }

    package var remaining: Int { end - position }

    package func fail(_ why: String) -> KestrelError {
        reader.invalid("\(context): \(why)")
    }

    private mutating func need(_ count: Int, _ field: String) throws {
        guard count >= 0, count <= end - position else {
            throw fail("\(field) (\(count) bytes at \(hex(position))) runs past the end of the structure at \(hex(end)) (truncated or corrupted)")
        }
    }

    /// An unsigned little-endian integer of `width` (1…8) bytes.
    package mutating func uint(_ width: Int, _ field: String = "field") throws -> UInt64 {
        try need(width, field)
        var value: UInt64 = 0
        let data = reader.data
        for k in 0..<width { value |= UInt64(data[position + k]) << (8 * UInt64(k)) }
        position += width
        return value
    }

    package mutating func u8(_ field: String = "field") throws -> Int { Int(try uint(1, field)) }
    package mutating func u16(_ field: String = "field") throws -> Int { Int(try uint(2, field)) }
    package mutating func u32(_ field: String = "field") throws -> Int { Int(try uint(4, field)) }

    /// An unsigned integer of `width` bytes that must fit in Int.
    package mutating func int(_ width: Int, _ field: String) throws -> Int {
        let v = try uint(width, field)
        guard v <= UInt64(Int.max) else { throw fail("\(field) \(v) is out of range") }
        return Int(v)
    }

    /// A "size of lengths" value.
    package mutating func length(_ field: String) throws -> Int { try int(reader.lengthSize, field) }

    /// A "size of offsets" address converted to an absolute offset; nil for the undefined
    /// address (all bits set).
    package mutating func address(_ field: String) throws -> Int? {
        let width = reader.offsetSize
        let raw = try uint(width, field)
        let undefined: UInt64 = width == 8 ? .max : (1 << UInt64(8 * width)) - 1
        if raw == undefined { return nil }
        guard let a = reader.absolute(raw) else { throw fail("\(field) \(raw) is out of range") }
        return a
    }

    /// Like `address`, but the structure requires it to be defined.
    package mutating func definedAddress(_ field: String) throws -> Int {
        guard let a = try address(field) else { throw fail("\(field) is undefined") }
        return a
    }

    package mutating func skip(_ count: Int, _ field: String = "field") throws {
        try need(count, field)
        position += count
    }

    /// The byte range of the next `count` bytes, consumed.
    package mutating func range(_ count: Int, _ field: String) throws -> Range<Int> {
        try need(count, field)
        position += count
        return (position - count)..<position
    }

    package mutating func bytes(_ count: Int, _ field: String) throws -> [UInt8] {
        reader.bytes(try range(count, field))
    }

    /// Checks a 4-byte ASCII signature such as "OHDR".
    package mutating func expectSignature(_ signature: String) throws {
        let start = position
        guard let raw = try? bytes(4, "signature"), raw == Array(signature.utf8) else {
            throw reader.invalid("\(context): bad signature at \(hex(start)) (expected \(signature))")
        }
    }
}
