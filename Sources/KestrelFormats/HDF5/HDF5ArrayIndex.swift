import Foundation
import KestrelCore
import KestrelNN

/// The two array-shaped chunk indexes of layout version 4: the fixed array ("FAHD"/"FADB",
/// for datasets without unlimited dimensions) and the extensible array ("EAHD", "EAIB",
/// "EASB", "EADB", for one unlimited dimension). Both hold one entry per linear chunk
/// number; data blocks of many entries are split into checksummed pages.
package enum HDF5ArrayIndex {
    /// Reads one entry: the chunk address (nil if never written), stored size and filter mask.
    private static func entry(_ c: inout HDF5Cursor, _ g: HDF5ChunkGeometry, entrySize: Int) throws -> (Int?, Int, UInt32) {
        let address = try c.address("chunk address")
        guard g.filtered else { return (address, g.chunkBytes, 0) }
        let size = try c.int(entrySize - c.reader.offsetSize - 4, "chunk size")
        return (address, size, UInt32(try c.u32("filter mask")))
    }

    private static func checkEntrySize(_ c: HDF5Cursor, _ g: HDF5ChunkGeometry, _ entrySize: Int) throws {
        let sizeWidth = entrySize - c.reader.offsetSize - 4
        guard g.filtered ? (1...8).contains(sizeWidth) : entrySize == c.reader.offsetSize else {
            throw c.fail("entries of \(entrySize) bytes do not match the chunk index")
        }
    }

    /// Whether bit `index` (most significant bit first) is set in a page-initialized bitmap.
    private static func bit(_ bitmap: [UInt8], _ index: Int) -> Bool {
        bitmap[index / 8] & (0x80 >> UInt8(index % 8)) != 0
    }

    package static func fixedArray(_ reader: HDF5Reader, address: Int, _ g: HDF5ChunkGeometry) throws -> [HDF5Chunk] {
        let what = "fixed array header at \(hex(address))"
        var h = try reader.cursor(at: address, what)
        try h.expectSignature("FAHD")
        let version = try h.u8("version"), client = try h.u8("client ID")
        guard version == 0, client == (g.filtered ? 1 : 0) else { throw h.fail("version \(version) / client \(client) is not the expected chunk index") }
        let entrySize = try h.u8("entry size"), pageBits = try h.u8("page bits")
        let entryCount = try h.length("entry count")
        let block = try h.address("data block address")
        try reader.verifyChecksum(at: address, count: h.position - address, what)
        try checkEntrySize(h, g, entrySize)
        let (chunkCount, origin) = try g.linearOrigins(reader)
        guard entryCount == chunkCount else { throw h.fail("\(entryCount) entries for \(chunkCount) chunks") }
        guard let block, chunkCount > 0 else { return [] }
        guard pageBits < 32 else { throw h.fail("page bits \(pageBits) is out of range") }
        let blockWhat = "fixed array data block at \(hex(block))"
        var c = try reader.cursor(at: block, blockWhat)
        try c.expectSignature("FADB")
        let blockVersion = try c.u8("version"), blockClient = try c.u8("client ID")
        guard blockVersion == 0, blockClient == client else { throw c.fail("version \(blockVersion) / client \(blockClient) does not match the header") }
        guard try c.definedAddress("header address") == address else { throw c.fail("belongs to another fixed array") }
        var chunks: [HDF5Chunk] = []
        func read(_ start: Int, _ first: Int, _ count: Int, checksumFrom: Int, _ pageWhat: String) throws {
            var p = try reader.cursor(at: start, count: count * entrySize, pageWhat)
            try reader.verifyChecksum(at: checksumFrom, count: p.end - checksumFrom, pageWhat)
            for i in first..<(first + count) {
                let (chunkAddress, size, mask) = try entry(&p, g, entrySize: entrySize)
                if let chunkAddress, let o = origin(i) { chunks.append(HDF5Chunk(origin: o, address: chunkAddress, size: size, filterMask: mask)) }
            }
        }
        let pageSize = 1 << pageBits
        if entryCount <= pageSize {
            try read(c.position, 0, entryCount, checksumFrom: block, blockWhat)
            return chunks
        }
        let pageCount = (entryCount + pageSize - 1) / pageSize
        let bitmap = try c.bytes((pageCount + 7) / 8, "page bitmap")
        try reader.verifyChecksum(at: block, count: c.position - block, blockWhat)
        var start = c.position + 4
        for page in 0..<pageCount {
            let count = min(pageSize, entryCount - page * pageSize)
            if bit(bitmap, page) { try read(start, page * pageSize, count, checksumFrom: start, "\(blockWhat): page \(page)") }
            start += count * entrySize + 4
            guard start <= reader.data.count else { throw c.fail("page \(page) runs past the end of the file") }
        }
        return chunks
    }

    package static func extensibleArray(_ reader: HDF5Reader, address: Int, _ g: HDF5ChunkGeometry) throws -> [HDF5Chunk] {
        let what = "extensible array header at \(hex(address))"
        var h = try reader.cursor(at: address, what)
        try h.expectSignature("EAHD")
        let version = try h.u8("version"), client = try h.u8("client ID")
        guard version == 0, client == (g.filtered ? 1 : 0) else { throw h.fail("version \(version) / client \(client) is not the expected chunk index") }
        let entrySize = try h.u8("element size"), maxBits = try h.u8("maximum element bits")
        let indexElements = try h.u8("index block elements"), dataBlockMin = try h.u8("data block minimum elements")
        let superBlockMinPointers = try h.u8("super block minimum data block pointers"), pageBits = try h.u8("page bits")
        try h.skip(4 * reader.lengthSize, "statistics")
        let maxIndexSet = try h.length("maximum index set")
        try h.skip(reader.lengthSize, "realized elements")
        let indexBlock = try h.address("index block address")
        try reader.verifyChecksum(at: address, count: h.position - address, what)
        try checkEntrySize(h, g, entrySize)
        func isPowerOfTwo(_ n: Int) -> Bool { n > 0 && n & (n - 1) == 0 }
        func log2(_ n: Int) -> Int { Int.bitWidth - 1 - n.leadingZeroBitCount }
        guard (1...48).contains(maxBits), isPowerOfTwo(dataBlockMin), isPowerOfTwo(superBlockMinPointers),
              log2(dataBlockMin) <= maxBits, pageBits < 32, 2 * log2(superBlockMinPointers) <= 1 + maxBits - log2(dataBlockMin) else {
            throw h.fail("inconsistent parameters (\(maxBits) bits, data blocks of \(dataBlockMin)+, \(superBlockMinPointers) pointers, page bits \(pageBits))")
        }
        let (chunkCount, origin) = try g.linearOrigins(reader)
        guard let indexBlock else { return [] }
        let offsetBytes = (maxBits + 7) / 8
        let superBlockCount = 1 + maxBits - log2(dataBlockMin)
        let indexSuperBlocks = 2 * log2(superBlockMinPointers)
        let pageElements = 1 << pageBits
        // Super block u holds 2^(u/2) data blocks of 2^((u+1)/2) · dataBlockMin elements each.
        func dataBlocks(_ u: Int) -> Int { 1 << (u / 2) }
        func dataBlockElements(_ u: Int) -> Int { (1 << ((u + 1) / 2)) * dataBlockMin }

        let blockWhat = "extensible array index block at \(hex(indexBlock))"
        var c = try reader.cursor(at: indexBlock, blockWhat)
        try c.expectSignature("EAIB")
        let blockVersion = try c.u8("version"), blockClient = try c.u8("client ID")
        guard blockVersion == 0, blockClient == client else { throw c.fail("version \(blockVersion) / client \(blockClient) does not match the header") }
        guard try c.definedAddress("header address") == address else { throw c.fail("belongs to another extensible array") }
        let elementsStart = c.position
        try c.skip(indexElements * entrySize, "index block elements")
        var dataBlockAddresses: [Int?] = []
        for _ in 0..<(2 * (superBlockMinPointers - 1)) { dataBlockAddresses.append(try c.address("data block address")) }
        var superBlockAddresses: [Int?] = []
        for _ in 0..<(superBlockCount - indexSuperBlocks) { superBlockAddresses.append(try c.address("super block address")) }
        try reader.verifyChecksum(at: indexBlock, count: c.position - indexBlock, blockWhat)

        let needed = min(chunkCount, maxIndexSet)
        var chunks: [HDF5Chunk] = []
        func read(_ start: Int, first: Int, count: Int, checksumFrom: Int?, _ blockWhat: String) throws {
            guard first < needed else { return }
            var p = try reader.cursor(at: start, count: count * entrySize, blockWhat)
            if let checksumFrom { try reader.verifyChecksum(at: checksumFrom, count: p.end - checksumFrom, blockWhat) }
            for i in first..<min(first + count, needed) {
                let (chunkAddress, size, mask) = try entry(&p, g, entrySize: entrySize)
                if let chunkAddress, let o = origin(i) { chunks.append(HDF5Chunk(origin: o, address: chunkAddress, size: size, filterMask: mask)) }
            }
        }
        /// Reads data block `block` (elements `first`…) with `count` elements; `pageBitmap`
        /// says which pages were written when the block is paged.
        func dataBlock(_ block: Int, first: Int, count: Int, pageBitmap: [UInt8]?) throws {
            let dataWhat = "extensible array data block at \(hex(block))"
            var d = try reader.cursor(at: block, dataWhat)
            try d.expectSignature("EADB")
            let v = try d.u8("version"), k = try d.u8("client ID")
            guard v == 0, k == client else { throw d.fail("version \(v) / client \(k) does not match the header") }
            guard try d.definedAddress("header address") == address else { throw d.fail("belongs to another extensible array") }
            // The block offset is informational (HDF5 computes it inconsistently for data blocks).
            try d.skip(offsetBytes, "block offset")
            guard let pageBitmap else {
                try read(d.position, first: first, count: count, checksumFrom: block, dataWhat)
                return
            }
            try reader.verifyChecksum(at: block, count: d.position - block, dataWhat)
            var start = d.position + 4
            for page in 0..<(count / pageElements) where first + page * pageElements < needed {
                if bit(pageBitmap, page) {
                    try read(start, first: first + page * pageElements, count: pageElements, checksumFrom: start, "\(dataWhat): page \(page)")
                }
                start += pageElements * entrySize + 4
            }
        }

        try read(elementsStart, first: 0, count: indexElements, checksumFrom: nil, blockWhat)
        var first = indexElements
        var dataBlockIndex = 0
        for u in 0..<superBlockCount where first < needed {
            let blocks = dataBlocks(u), elements = dataBlockElements(u)
            if u < indexSuperBlocks {
                guard elements <= pageElements else {
                    throw reader.unsupported("\(what): paged data blocks in the index block (non-default extensible array parameters)")
                }
                for _ in 0..<blocks where first < needed {
                    guard dataBlockIndex < dataBlockAddresses.count else { throw c.fail("too few data block addresses") }
                    if let block = dataBlockAddresses[dataBlockIndex] { try dataBlock(block, first: first, count: elements, pageBitmap: nil) }
                    dataBlockIndex += 1
                    first += elements
                }
                continue
            }
            let span = blocks * elements
            defer { first += span }
            guard let superBlock = superBlockAddresses[u - indexSuperBlocks] else { continue }
            let superWhat = "extensible array super block at \(hex(superBlock))"
            var s = try reader.cursor(at: superBlock, superWhat)
            try s.expectSignature("EASB")
            let v = try s.u8("version"), k = try s.u8("client ID")
            guard v == 0, k == client else { throw s.fail("version \(v) / client \(k) does not match the header") }
            guard try s.definedAddress("header address") == address else { throw s.fail("belongs to another extensible array") }
            try s.skip(offsetBytes, "block offset")
            let paged = elements > pageElements
            let bitmapSize = paged ? (elements / pageElements + 7) / 8 : 0
            let bitmaps = try s.bytes(blocks * bitmapSize, "page bitmaps")
            var addresses: [Int?] = []
            for _ in 0..<blocks { addresses.append(try s.address("data block address")) }
            try reader.verifyChecksum(at: superBlock, count: s.position - superBlock, superWhat)
            for (j, block) in addresses.enumerated() where first + j * elements < needed {
                guard let block else { continue }
                let bitmap = paged ? Array(bitmaps[(j * bitmapSize)..<((j + 1) * bitmapSize)]) : nil
                try dataBlock(block, first: first + j * elements, count: elements, pageBitmap: bitmap)
            }
        }
        return chunks
    }
}
