import Foundation
import KestrelCore
import KestrelNN

/// Decodes DEFLATE streams (RFC 1951) from one input buffer into one growing output
/// buffer; gzip members and zip entries drive it. Every read is bounds-checked against
/// the input and every back-reference against the output of the current stream.
package final class Inflater {
    private let input: UnsafePointer<UInt8>
    private let inputCount: Int
    /// The next input byte not yet in the bit buffer.
    private var position: Int
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0
    private var output: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var outputCount = 0
    private var streamStart = 0
    /// The most output bytes a caller that knows the exact size (a PNG's rows) accepts: past
    /// it, inflating throws instead of growing the buffer. Checked when the buffer grows, so
    /// the output can pass it by up to the first capacity; callers compare the final size.
    package var outputLimit = Int.max

    private let literalTable = HuffmanTable()
    private let distanceTable = HuffmanTable()
    private lazy var codeLengthTable = HuffmanTable()
    private var fixedTables: (literal: HuffmanTable, distance: HuffmanTable)?

    /// `input` must stay valid for the inflater's lifetime.
    package init(input: UnsafeRawBufferPointer, capacityHint: Int) {
        self.input = input.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? UnsafePointer(bitPattern: 1)!
        inputCount = input.count
        position = 0
        capacity = max(capacityHint, 1024)
        output = malloc(capacity)!.assumingMemoryBound(to: UInt8.self)
    }

    deinit { free(output) }

    /// Moves to a byte offset in the input, e.g. the start of the next gzip member.
    package func seek(to offset: Int) {
        position = offset
        bitBuffer = 0
        bitCount = 0
    }

    /// Byte offset in the input just after the last stream inflated.
    package var inputPosition: Int { position - bitCount / 8 }

    /// Output bytes of the stream(s) inflated so far.
    package func outputBytes(from start: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: output + start, count: outputCount - start)
    }

    /// Hands over the output, leaving the inflater empty.
    package func takeOutput() -> Data {
        let data = Data(bytesNoCopy: output, count: outputCount, deallocator: .free)
        capacity = 1024
        output = malloc(capacity)!.assumingMemoryBound(to: UInt8.self)
        outputCount = 0
        return data
    }

    private func fail(_ why: String) -> KestrelError {
        KestrelError(.invalidFile, "deflate: \(why) (near input byte \(inputPosition))")
    }

    private var truncated: KestrelError { fail("the compressed data ends in the middle of a block (truncated?)") }

    @inline(__always) private func refill() {
        if inputCount - position >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(input + position).loadUnaligned(as: UInt64.self))
            bitBuffer |= word << UInt64(bitCount)
            let bytes = (63 - bitCount) >> 3
            position += bytes
            bitCount += bytes << 3
        } else {
            while bitCount <= 56 && position < inputCount {
                bitBuffer |= UInt64(input[position]) << UInt64(bitCount)
                position += 1
                bitCount += 8
            }
        }
    }

    @inline(__always) private func bits(_ n: Int) throws -> Int {
        if bitCount < n {
            refill()
            guard bitCount >= n else { throw truncated }
        }
        let value = Int(bitBuffer & ((1 << UInt64(n)) - 1))
        bitBuffer >>= UInt64(n)
        bitCount -= n
        return value
    }

    @inline(__always) private func decode(_ table: HuffmanTable) throws -> UInt32 {
        if bitCount < 15 { refill() }
        var entry = table.entries[Int(bitBuffer & UInt64(HuffmanTable.primarySize - 1))]
        if entry & HuffmanTable.subtableFlag != 0 {
            entry = table.entries[Int(entry >> 16) + Int((bitBuffer >> UInt64(HuffmanTable.primaryBits)) & table.subtableMask)]
        }
        let length = Int(entry & 31)
        guard length != 0 else {
            throw bitCount >= 15 ? fail("a bit pattern matches no Huffman code") : truncated
        }
        guard length <= bitCount else { throw truncated }
        bitBuffer >>= UInt64(length)
        bitCount -= length
        return entry
    }

    @inline(__always) private func reserve(_ n: Int) throws {
        if outputCount + n > capacity {
            guard outputCount + n <= outputLimit else {
                throw fail("the data inflates to more than the \(outputLimit) bytes expected")
            }
            capacity = min(max(capacity * 2, outputCount + n), outputLimit)
            output = realloc(output, capacity)!.assumingMemoryBound(to: UInt8.self)
        }
    }

    /// Inflates one complete DEFLATE stream starting at the current input position.
    package func inflateStream() throws {
        streamStart = outputCount
        var isFinal = false
        while !isFinal {
            let header = try bits(3)
            isFinal = header & 1 == 1
            switch header >> 1 {
            case 0: try storedBlock()
            case 1:
                let fixed = try fixedCodes()
                try compressedBlock(literals: fixed.literal, distances: fixed.distance)
            case 2:
                try readDynamicCodes()
                try compressedBlock(literals: literalTable, distances: distanceTable)
            default: throw fail("block type 3 is reserved")
            }
        }
        // Return whole unread bytes to the input so the caller sees where the stream ended.
        position -= bitCount / 8
        bitBuffer = 0
        bitCount = 0
    }

    private func storedBlock() throws {
        position -= bitCount / 8
        bitBuffer = 0
        bitCount = 0
        guard inputCount - position >= 4 else { throw truncated }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        position += 4
        guard length == complement ^ 0xFFFF else {
            throw fail("stored block length \(length) does not match its complement \(complement)")
        }
        guard inputCount - position >= length else { throw truncated }
        try reserve(length)
        (output + outputCount).update(from: input + position, count: length)
        outputCount += length
        position += length
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                     35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                      3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                       257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                       8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                        7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private static func literalMeaning(_ symbol: Int) -> UInt32 {
        switch symbol {
        case 0..<256: return HuffmanTable.entry(kind: HuffmanTable.literal, value: symbol)
        case 256: return HuffmanTable.entry(kind: HuffmanTable.endOfBlock, value: 0)
        case 257...285:
            return HuffmanTable.entry(kind: HuffmanTable.lengthOrDistance, value: lengthBase[symbol - 257],
                                      extraBits: lengthExtra[symbol - 257])
        default: return HuffmanTable.entry(kind: HuffmanTable.invalidSymbol, value: symbol)
        }
    }

    private static func distanceMeaning(_ symbol: Int) -> UInt32 {
        symbol < 30
            ? HuffmanTable.entry(kind: HuffmanTable.lengthOrDistance, value: distanceBase[symbol], extraBits: distanceExtra[symbol])
            : HuffmanTable.entry(kind: HuffmanTable.invalidSymbol, value: symbol)
    }

    private func fixedCodes() throws -> (literal: HuffmanTable, distance: HuffmanTable) {
        if let fixedTables { return fixedTables }
        let literal = HuffmanTable(), distance = HuffmanTable()
        let literalLengths = (0..<288).map { UInt8($0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8) }
        try literalLengths.withUnsafeBufferPointer {
            try literal.build(lengths: $0, allowsSingleCode: false, name: "fixed literal/length", meaning: Self.literalMeaning)
        }
        try [UInt8](repeating: 5, count: 32).withUnsafeBufferPointer {
            try distance.build(lengths: $0, allowsSingleCode: true, name: "fixed distance", meaning: Self.distanceMeaning)
        }
        fixedTables = (literal, distance)
        return (literal, distance)
    }

    private func readDynamicCodes() throws {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw fail("dynamic block declares \(literalCount) literal/length and \(distanceCount) distance codes (at most 286 and 30)")
        }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount { codeLengthLengths[Self.codeLengthOrder[i]] = UInt8(try bits(3)) }
        try codeLengthLengths.withUnsafeBufferPointer {
            try codeLengthTable.build(lengths: $0, allowsSingleCode: false, name: "code length") {
                HuffmanTable.entry(kind: HuffmanTable.literal, value: $0)
            }
        }
        let total = literalCount + distanceCount
        var lengths = [UInt8](repeating: 0, count: total)
        var i = 0
        while i < total {
            let symbol = Int(try decode(codeLengthTable) >> 16)
            if symbol < 16 {
                lengths[i] = UInt8(symbol)
                i += 1
                continue
            }
            var value: UInt8 = 0
            let repeatCount: Int
            switch symbol {
            case 16:
                guard i > 0 else { throw fail("code length repeat (16) with no previous length") }
                value = lengths[i - 1]
                repeatCount = 3 + (try bits(2))
            case 17: repeatCount = 3 + (try bits(3))
            default: repeatCount = 11 + (try bits(7))
            }
            guard i + repeatCount <= total else {
                throw fail("code length repeat runs past the \(total) declared lengths")
            }
            for j in i..<(i + repeatCount) { lengths[j] = value }
            i += repeatCount
        }
        guard lengths[256] != 0 else { throw fail("dynamic block has no end-of-block code") }
        try lengths.withUnsafeBufferPointer { all in
            try literalTable.build(lengths: UnsafeBufferPointer(rebasing: all[0..<literalCount]), allowsSingleCode: true,
                                   name: "literal/length", meaning: Self.literalMeaning)
            try distanceTable.build(lengths: UnsafeBufferPointer(rebasing: all[literalCount...]), allowsSingleCode: true,
                                    name: "distance", meaning: Self.distanceMeaning)
        }
    }

    private func compressedBlock(literals: HuffmanTable, distances: HuffmanTable) throws {
        while true {
            let entry = try decode(literals)
            let kind = (entry >> 5) & 3
            if kind == HuffmanTable.literal {
                try reserve(1)
                output[outputCount] = UInt8(truncatingIfNeeded: entry >> 16)
                outputCount += 1
                continue
            }
            if kind == HuffmanTable.endOfBlock { return }
            guard kind == HuffmanTable.lengthOrDistance else {
                throw fail("literal/length symbol \(entry >> 16) is not defined")
            }
            let length = Int(entry >> 16) + (try bits(Int((entry >> 8) & 31)))
            let distanceEntry = try decode(distances)
            guard (distanceEntry >> 5) & 3 == HuffmanTable.lengthOrDistance else {
                throw fail("distance symbol \(distanceEntry >> 16) is not defined")
            }
            let distance = Int(distanceEntry >> 16) + (try bits(Int((distanceEntry >> 8) & 31)))
            guard distance <= outputCount - streamStart else {
                throw fail("a back-reference reaches \(distance) bytes back but only \(outputCount - streamStart) have been written")
            }
            try reserve(length)
            let destination = output + outputCount
            let source = destination - distance
            if distance >= length {
                destination.update(from: source, count: length)
            } else {
                for k in 0..<length { destination[k] = source[k] }
            }
            outputCount += length
        }
    }
}
