import Foundation
import KestrelCore
import KestrelNN

/// A local heap ("HEAP"): the names of a symbol-table group's links, as null-terminated
/// strings at offsets into one data segment.
package struct HDF5LocalHeap {
    package let reader: HDF5Reader
    package let segment: Range<Int>

    package init(_ reader: HDF5Reader, address: Int) throws {
        self.reader = reader
        var c = try reader.cursor(at: address, "local heap at \(hex(address))")
        try c.expectSignature("HEAP")
        let version = try c.u8("version")
        guard version == 0 else { throw c.fail("version \(version) is not 0") }
        try c.skip(3, "reserved")
        let size = try c.length("data segment size")
        _ = try c.length("free list offset")
        let start = try c.definedAddress("data segment address")
        segment = try reader.cursor(at: start, count: size, "local heap data segment at \(hex(start))").position..<(start + size)
    }

    /// The null-terminated string at `offset` in the data segment.
    package func string(at offset: Int) throws -> String {
        guard offset >= 0, offset < segment.count else {
            throw reader.invalid("local heap at \(hex(segment.lowerBound)): name offset \(offset) lies outside its \(segment.count) bytes")
        }
        let start = segment.lowerBound + offset
        guard let nul = reader.data[start..<segment.upperBound].firstIndex(of: 0) else {
            throw reader.invalid("local heap at \(hex(segment.lowerBound)): the name at offset \(offset) is not null-terminated")
        }
        return String(decoding: reader.data[start..<nul], as: UTF8.self)
    }
}

/// Global heap collections ("GCOL"): where variable-length strings are stored.
package enum HDF5GlobalHeap {
    /// The bytes of object `index` in the collection at `address` (collections are cached).
    package static func object(_ reader: HDF5Reader, collection address: Int, index: Int) throws -> Range<Int> {
        let what = "global heap collection at \(hex(address))"
        if reader.globalHeaps[address] == nil {
            var c = try reader.cursor(at: address, what)
            try c.expectSignature("GCOL")
            let version = try c.u8("version")
            guard version == 1 else { throw c.fail("version \(version) is not 1") }
            try c.skip(3, "reserved")
            let size = try c.length("collection size")
            var body = try reader.cursor(at: address, count: size, what)
            // The collection header and each object header are padded to 8 bytes.
            let headerSize = (8 + reader.lengthSize + 7) / 8 * 8
            try body.skip(headerSize, "collection header")
            var objects: [Int: Range<Int>] = [:]
            while body.remaining >= headerSize {
                let objectIndex = try body.u16("object index")
                try body.skip(6, "reference count")
                let objectSize = try body.length("object size")
                try body.skip(headerSize - 8 - reader.lengthSize, "object header padding")
                if objectIndex == 0 { break }  // free space: the rest of the collection
                objects[objectIndex] = try body.range(objectSize, "heap object \(objectIndex)")
                try body.skip(min(body.remaining, (8 - objectSize % 8) % 8), "object padding")
            }
            reader.globalHeaps[address] = objects
        }
        guard let range = reader.globalHeaps[address]?[index] else {
            throw reader.invalid("\(what): no object with index \(index)")
        }
        return range
    }
}

/// A fractal heap ("FRHP"): where dense groups keep their link messages and dense attribute
/// storage its attribute messages. Managed objects live in direct blocks reached through a
/// doubling table of indirect blocks; tiny objects live in the heap ID itself.
package struct HDF5FractalHeap {
    package let reader: HDF5Reader
    package let address: Int
    private let idLength: Int
    private let checksummedBlocks: Bool
    private let tableWidth: Int
    private let startBlockSize: Int
    private let maxDirectBlockSize: Int
    private let maxDirectRows: Int
    private let firstRowBits: Int
    private let offsetBytes: Int
    private let lengthBytes: Int
    private let rootBlock: Int?
    private let rootRows: Int

    package init(_ reader: HDF5Reader, address: Int) throws {
        self.reader = reader
        self.address = address
        let what = "fractal heap at \(hex(address))"
        var c = try reader.cursor(at: address, what)
        try c.expectSignature("FRHP")
        let version = try c.u8("version")
        guard version == 0 else { throw c.fail("version \(version) is not 0") }
        idLength = try c.u16("heap ID length")
        let filterLength = try c.u16("I/O filter length")
        guard filterLength == 0 else { throw reader.unsupported("\(what): fractal heap with I/O filters") }
        checksummedBlocks = try c.u8("flags") & 0x02 != 0
        let maxManagedSize = try c.u32("maximum managed object size")
        try c.skip(reader.lengthSize + reader.offsetSize + reader.lengthSize + reader.offsetSize + 8 * reader.lengthSize,
                   "heap statistics")
        tableWidth = try c.u16("table width")
        startBlockSize = try c.length("starting block size")
        maxDirectBlockSize = try c.length("maximum direct block size")
        let maxHeapBits = try c.u16("maximum heap size")
        _ = try c.u16("starting row count")
        rootBlock = try c.address("root block address")
        rootRows = try c.u16("current root row count")
        try reader.verifyChecksum(at: address, count: c.position - address, what)
        func isPowerOfTwo(_ n: Int) -> Bool { n > 0 && n & (n - 1) == 0 }
        func log2(_ n: Int) -> Int { Int.bitWidth - 1 - n.leadingZeroBitCount }
        guard isPowerOfTwo(tableWidth), isPowerOfTwo(startBlockSize), isPowerOfTwo(maxDirectBlockSize),
              startBlockSize <= maxDirectBlockSize, (1...62).contains(maxHeapBits),
              log2(startBlockSize) + log2(tableWidth) <= maxHeapBits,
              rootRows <= maxHeapBits - log2(startBlockSize) - log2(tableWidth) + 1 else {
            throw c.fail("inconsistent doubling table (width \(tableWidth), block sizes \(startBlockSize)…\(maxDirectBlockSize), \(maxHeapBits) bits, \(rootRows) rows)")
        }
        maxDirectRows = log2(maxDirectBlockSize) - log2(startBlockSize) + 2
        firstRowBits = log2(startBlockSize) + log2(tableWidth)
        offsetBytes = (maxHeapBits + 7) / 8
        lengthBytes = min((log2(maxDirectBlockSize) + 7) / 8, log2(max(maxManagedSize, 1)) / 8 + 1)
    }

    /// Size of the blocks in doubling-table row `row`.
    private func rowBlockSize(_ row: Int) -> Int { row == 0 ? startBlockSize : startBlockSize << (row - 1) }

    /// The file bytes of the object whose heap ID is at `id` (`idLength` bytes in the file).
    package func object(id: Range<Int>) throws -> Range<Int> {
        let what = "fractal heap at \(hex(address))"
        guard id.count >= 1 else { throw reader.invalid("\(what): empty heap ID") }
        var c = try reader.cursor(at: id.lowerBound, count: id.count, "\(what): heap ID")
        let flags = try c.u8("heap ID flags")
        guard flags >> 6 == 0 else { throw c.fail("heap ID version \(flags >> 6) is not 0") }
        switch (flags >> 4) & 3 {
        case 0:
            let offset = try c.int(offsetBytes, "object offset"), length = try c.int(lengthBytes, "object length")
            return try managedObject(offset: offset, length: length)
        case 2:
            // Tiny object: the data follows the length in the heap ID.
            var length = (flags & 0x0F) + 1
            if idLength > 18 { length = ((flags & 0x0F) << 8 | (try c.u8("tiny object length"))) + 1 }
            return try c.range(length, "tiny object")
        case 1:
            throw reader.unsupported("\(what): huge objects (stored outside the heap's blocks)")
        default:
            throw c.fail("heap ID type 3 is not defined")
        }
    }

    private func managedObject(offset: Int, length: Int) throws -> Range<Int> {
        let what = "fractal heap at \(hex(address))"
        guard let rootBlock else { throw reader.invalid("\(what): object at offset \(offset) but the heap has no blocks") }
        guard rootRows > 0 else {
            return try directObject(block: rootBlock, blockOffset: 0, blockSize: startBlockSize, offset: offset, length: length)
        }
        var block = rootBlock, rows = rootRows, blockOffset = 0
        // Descend through indirect blocks until the direct block holding `offset`.
        for _ in 0..<64 {
            let blockWhat = "fractal heap indirect block at \(hex(block)) (of \(what))"
            var c = try reader.cursor(at: block, blockWhat)
            try c.expectSignature("FHIB")
            let version = try c.u8("version")
            guard version == 0 else { throw c.fail("version \(version) is not 0") }
            guard try c.definedAddress("heap header address") == address else { throw c.fail("belongs to another heap") }
            let storedOffset = try c.int(offsetBytes, "block offset")
            guard storedOffset == blockOffset else { throw c.fail("block offset \(storedOffset), expected \(blockOffset)") }
            let entriesStart = c.position
            let entryCount = rows.multipliedReportingOverflow(by: tableWidth)
            guard !entryCount.overflow, entryCount.partialValue <= c.remaining / reader.offsetSize else {
                throw c.fail("\(rows) rows of \(tableWidth) entries run past the end of the file")
            }
            try reader.verifyChecksum(at: block, count: entriesStart - block + entryCount.partialValue * reader.offsetSize, blockWhat)
            // Find the row and column whose block covers `offset`.
            var row = 0, rowStart = 0
            while true {
                guard row < rows else { throw c.fail("object offset \(offset) lies beyond its \(rows) rows") }
                let span = rowBlockSize(row).multipliedReportingOverflow(by: tableWidth)
                guard !span.overflow else { throw c.fail("row \(row) is too large") }
                if offset - blockOffset < rowStart + span.partialValue { break }
                rowStart += span.partialValue
                row += 1
            }
            let size = rowBlockSize(row)
            let column = (offset - blockOffset - rowStart) / size
            c.position = entriesStart + (row * tableWidth + column) * reader.offsetSize
            guard let child = try c.address("child block address") else {
                throw c.fail("object offset \(offset) falls in a block that was never allocated")
            }
            blockOffset += rowStart + column * size
            block = child
            if row < maxDirectRows {
                return try directObject(block: child, blockOffset: blockOffset, blockSize: size, offset: offset, length: length)
            }
            rows = Int.bitWidth - 1 - size.leadingZeroBitCount - firstRowBits + 1
            guard rows >= 1 else { throw c.fail("row \(row) holds indirect blocks with no rows") }
        }
        throw reader.invalid("\(what): indirect blocks nested too deeply")
    }

    private func directObject(block: Int, blockOffset: Int, blockSize: Int, offset: Int, length: Int) throws -> Range<Int> {
        let what = "fractal heap direct block at \(hex(block)) (of fractal heap at \(hex(address)))"
        var c = try reader.cursor(at: block, count: blockSize, what)
        try c.expectSignature("FHDB")
        let version = try c.u8("version")
        guard version == 0 else { throw c.fail("version \(version) is not 0") }
        guard try c.definedAddress("heap header address") == address else { throw c.fail("belongs to another heap") }
        let storedOffset = try c.int(offsetBytes, "block offset")
        guard storedOffset == blockOffset else { throw c.fail("block offset \(storedOffset), expected \(blockOffset)") }
        if checksummedBlocks, reader.verifiedBlocks[block] != blockSize {
            // The checksum covers the whole block with the checksum field itself zeroed.
            let stored = UInt32(try c.u32("checksum"))
            var image = reader.bytes(block..<(block + blockSize))
            for k in 0..<4 { image[c.position - 4 - block + k] = 0 }
            let computed = image.withUnsafeBytes { HDF5Checksum.lookup3($0) }
            guard stored == computed else { throw c.fail("checksum mismatch; the file is corrupted") }
            reader.verifiedBlocks[block] = blockSize
        }
        let start = offset - blockOffset
        guard start >= c.position - block, length >= 0, start <= blockSize - length else {
            throw c.fail("object of \(length) bytes at heap offset \(offset) does not fit in the block")
        }
        return (block + start)..<(block + start + length)
    }
}
