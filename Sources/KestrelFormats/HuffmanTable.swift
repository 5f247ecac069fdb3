import KestrelCore
import KestrelNN

/// A lookup table for one canonical Huffman code of a DEFLATE block: a 10-bit primary
/// table plus equally sized second-level tables for longer codes. Each entry packs the
/// code length and what the symbol means, so decoding needs no further table lookups.
package final class HuffmanTable {
    package static let primaryBits = 10
    package static let primarySize = 1 << primaryBits
    /// Entry layout: bits 0-4 code length (0 = no code has these bits), bits 5-6 kind,
    /// bit 7 second-level pointer, bits 8-12 extra bits, bits 16-31 value or table offset.
    package static let literal: UInt32 = 0, lengthOrDistance: UInt32 = 1, endOfBlock: UInt32 = 2, invalidSymbol: UInt32 = 3
    package static let subtableFlag: UInt32 = 0x80

    package let entries: UnsafeMutablePointer<UInt32>
    private(set) var subtableMask: UInt64 = 0

    package init() {
        // Worst case: every primary slot points to a second-level table of 2^(15-10) entries.
        let capacity = Self.primarySize + Self.primarySize << (15 - Self.primaryBits)
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: 0, count: capacity)
    }

    deinit { entries.deallocate() }

    package static func entry(kind: UInt32, value: Int, extraBits: Int = 0) -> UInt32 {
        kind << 5 | UInt32(extraBits) << 8 | UInt32(value) << 16
    }

    /// Builds the table from per-symbol code lengths; `meaning` gives the entry (without
    /// its length) for a symbol. An incomplete code is accepted only when
    /// `allowsSingleCode` and it is a single one-bit code, as zlib does.
    package func build(lengths: UnsafeBufferPointer<UInt8>, allowsSingleCode: Bool, name: String,
               meaning: (Int) -> UInt32) throws {
        var lengthCount = [Int](repeating: 0, count: 16)
        for l in lengths { lengthCount[Int(l)] += 1 }
        lengthCount[0] = 0
        var maxLength = 0
        var left = 1
        for l in 1...15 {
            if lengthCount[l] > 0 { maxLength = l }
            left = left << 1 - lengthCount[l]
            guard left >= 0 else {
                throw KestrelError(.invalidFile, "deflate: the \(name) code lengths are over-subscribed (more codes than bit patterns)")
            }
        }
        if left > 0 && maxLength > 0 && !(allowsSingleCode && maxLength == 1) {
            throw KestrelError(.invalidFile, "deflate: the \(name) code lengths are incomplete (some bit patterns have no code)")
        }
        entries.update(repeating: 0, count: Self.primarySize)
        let subtableBits = max(0, maxLength - Self.primaryBits)
        let subtableSize = 1 << subtableBits
        subtableMask = UInt64(subtableSize - 1)
        var nextSubtable = Self.primarySize

        var nextCode = [Int](repeating: 0, count: 16)
        var code = 0
        for bits in 1...15 {
            code = (code + lengthCount[bits - 1]) << 1
            nextCode[bits] = code
        }
        for symbol in 0..<lengths.count {
            let length = Int(lengths[symbol])
            if length == 0 { continue }
            let code = nextCode[length]
            nextCode[length] += 1
            var reversed = 0
            for b in 0..<length where code & (1 << b) != 0 { reversed |= 1 << (length - 1 - b) }
            let entry = meaning(symbol) | UInt32(length)
            if length <= Self.primaryBits {
                var i = reversed
                while i < Self.primarySize {
                    entries[i] = entry
                    i += 1 << length
                }
            } else {
                let slot = reversed & (Self.primarySize - 1)
                if entries[slot] & Self.subtableFlag == 0 {
                    entries[slot] = Self.subtableFlag | UInt32(nextSubtable) << 16
                    (entries + nextSubtable).update(repeating: 0, count: subtableSize)
                    nextSubtable += subtableSize
                }
                let offset = Int(entries[slot] >> 16)
                var i = reversed >> Self.primaryBits
                while i < subtableSize {
                    entries[offset + i] = entry
                    i += 1 << (length - Self.primaryBits)
                }
            }
        }
    }
}
