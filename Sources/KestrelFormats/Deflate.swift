import Foundation

/// A small DEFLATE compressor (RFC 1951): greedy LZ77 matching over a 32 KiB window with a
/// hash of the next three bytes, coded with the fixed Huffman tables. It is what Kestrel's
/// PNG writer needs — charts and image grids are mostly runs and repeats, which this
/// shrinks many times over — not a rival to zlib's ratios.
package enum Deflate {
    /// The raw deflate stream of `bytes` (one final fixed-Huffman block).
    package static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var out = BitWriter()
        out.write(1, bits: 1)  // BFINAL
        out.write(1, bits: 2)  // BTYPE 01: fixed Huffman codes
        let n = bytes.count
        let hashSize = 1 << 15
        var head = [Int](repeating: -1, count: hashSize)
        var previous = [Int](repeating: -1, count: 1 << 15)
        func hash(_ i: Int) -> Int {
            (Int(bytes[i]) << 10 ^ Int(bytes[i + 1]) << 5 ^ Int(bytes[i + 2])) & (hashSize - 1)
        }
        func insert(_ i: Int) {
            guard i + 2 < n else { return }
            let h = hash(i)
            previous[i & 0x7FFF] = head[h]
            head[h] = i
        }
        var i = 0
        while i < n {
            var bestLength = 0, bestDistance = 0
            if i + 2 < n {
                var candidate = head[hash(i)]
                var tries = 32
                while candidate >= 0, i - candidate <= 32_768, tries > 0 {
                    var length = 0
                    while length < 258, i + length < n, bytes[candidate + length] == bytes[i + length] { length += 1 }
                    if length > bestLength { (bestLength, bestDistance) = (length, i - candidate) }
                    if length == 258 { break }
                    let next = previous[candidate & 0x7FFF]
                    guard next < candidate else { break }
                    candidate = next
                    tries -= 1
                }
            }
            if bestLength >= 3 {
                out.writeLength(bestLength)
                out.writeDistance(bestDistance)
                for k in 0..<bestLength { insert(i + k) }
                i += bestLength
            } else {
                out.writeLiteral(Int(bytes[i]))
                insert(i)
                i += 1
            }
        }
        out.writeLiteral(256)  // end of block
        return out.finish()
    }

    /// The zlib stream (RFC 1950) of `bytes`: header, deflate data, Adler-32.
    package static func zlib(_ bytes: [UInt8]) -> [UInt8] {
        let sum = bytes.withUnsafeBytes { HDF5Checksum.adler32($0) }
        return [0x78, 0x01] + compress(bytes) + [UInt8(sum >> 24), UInt8((sum >> 16) & 0xFF), UInt8((sum >> 8) & 0xFF), UInt8(sum & 0xFF)]
    }
}

/// Bits packed least-significant first, Huffman codes most-significant first, as DEFLATE has them.
private struct BitWriter {
    private var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var count = 0

    mutating func write(_ value: Int, bits: Int) {
        buffer |= UInt64(value) << UInt64(count)
        count += bits
        while count >= 8 {
            bytes.append(UInt8(buffer & 0xFF))
            buffer >>= 8
            count -= 8
        }
    }

    /// A Huffman code of `length` bits, sent most-significant bit first.
    mutating func writeCode(_ code: Int, length: Int) {
        var reversed = 0
        for k in 0..<length where code & (1 << k) != 0 { reversed |= 1 << (length - 1 - k) }
        write(reversed, bits: length)
    }

    /// A literal/length symbol in the fixed code.
    mutating func writeLiteral(_ symbol: Int) {
        switch symbol {
        case 0...143: writeCode(0x30 + symbol, length: 8)
        case 144...255: writeCode(0x190 + symbol - 144, length: 9)
        case 256...279: writeCode(symbol - 256, length: 7)
        default: writeCode(0xC0 + symbol - 280, length: 8)
        }
    }

    private static let lengthBases = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBases = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                                        2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    mutating func writeLength(_ length: Int) {
        let index = Self.lengthBases.lastIndex { $0 <= length }!
        writeLiteral(257 + index)
        write(length - Self.lengthBases[index], bits: Self.lengthExtra[index])
    }

    mutating func writeDistance(_ distance: Int) {
        let index = Self.distanceBases.lastIndex { $0 <= distance }!
        writeCode(index, length: 5)
        write(distance - Self.distanceBases[index], bits: Self.distanceExtra[index])
    }

    mutating func finish() -> [UInt8] {
        if count > 0 { bytes.append(UInt8(buffer & 0xFF)) }
        return bytes
    }
}
