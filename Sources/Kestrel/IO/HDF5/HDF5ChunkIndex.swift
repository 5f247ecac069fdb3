import Foundation

/// One stored chunk: its first element's coordinates, where its (possibly filtered) bytes
/// are, and which filters were skipped for it.
struct HDF5Chunk {
    let origin: [Int]
    let address: Int
    let size: Int
    let filterMask: UInt32
}

/// Lists the chunks of a chunked dataset from its index: a v1 B-tree (layout version 3), or
/// one of the version-4 indexes (single chunk, implicit, fixed array, v2 B-tree). The
/// extensible array index (one unlimited dimension under libver "latest") is unsupported.
enum HDF5ChunkIndex {
    static func chunks(_ reader: HDF5Reader, index: HDF5Layout.ChunkIndex, address: Int, shape: [Int], chunkShape: [Int],
                       chunkBytes: Int, filtered: Bool, what: String) throws -> [HDF5Chunk] {
        let rank = shape.count
        // Chunks per dimension, and the origin of the chunk with row-major number `linear`.
        let grid = zip(shape, chunkShape).map { ($0 + $1 - 1) / $1 }
        let gridCount = grid.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
        func origin(_ linear: Int) -> [Int] {
            var rest = linear
            var origin = [Int](repeating: 0, count: rank)
            for k in stride(from: rank - 1, through: 0, by: -1) {
                origin[k] = rest % grid[k] * chunkShape[k]
                rest /= grid[k]
            }
            return origin
        }
        switch index {
        case .btreeV1:
            var chunks: [HDF5Chunk] = []
            try HDF5BTreeV1.forEachLeafEntry(reader, root: address, type: 1, keySize: 8 + 8 * (rank + 1)) { key, child in
                let size = try key.u32("chunk size"), mask = UInt32(try key.u32("filter mask"))
                var origin: [Int] = []
                for _ in 0..<rank { origin.append(try key.int(8, "chunk offset")) }
                chunks.append(HDF5Chunk(origin: origin, address: child, size: size, filterMask: mask))
            }
            return chunks
        case let .singleChunk(filteredInfo):
            return [HDF5Chunk(origin: [Int](repeating: 0, count: rank), address: address, size: filteredInfo?.size ?? chunkBytes,
                              filterMask: filteredInfo?.mask ?? 0)]
        case .implicit:
            guard !filtered else { throw reader.invalid("\(what): the implicit chunk index cannot hold filtered chunks") }
            let total = gridCount.multipliedReportingOverflow(by: chunkBytes)
            guard !total.overflow else { throw reader.invalid("\(what): \(gridCount) chunks are too many") }
            _ = try reader.cursor(at: address, count: total.partialValue, "\(what): implicitly indexed chunks")
            return (0..<gridCount).map { HDF5Chunk(origin: origin($0), address: address + $0 * chunkBytes, size: chunkBytes, filterMask: 0) }
        case .fixedArray:
            return try fixedArray(reader, address: address, gridCount: gridCount, chunkBytes: chunkBytes, filtered: filtered,
                                  origin: origin)
        case .btreeV2:
            let (records, recordSize) = try HDF5BTreeV2.records(reader, header: address, types: filtered ? [11] : [10])
            let sizeWidth = recordSize - reader.offsetSize - 4 - 8 * rank
            guard filtered ? (1...8).contains(sizeWidth) : recordSize == reader.offsetSize + 8 * rank else {
                throw reader.invalid("\(what): chunk records of \(recordSize) bytes do not match \(rank) dimensions")
            }
            return try records.map { record in
                var c = try reader.cursor(at: record, count: recordSize, "\(what): chunk record at \(hex(record))")
                let chunkAddress = try c.definedAddress("chunk address")
                let size = filtered ? try c.int(sizeWidth, "chunk size") : chunkBytes
                let mask = filtered ? UInt32(try c.u32("filter mask")) : 0
                var origin: [Int] = []
                for k in 0..<rank {
                    let scaled = try c.int(8, "scaled chunk offset")
                    guard scaled < grid[k] else { throw c.fail("chunk offset \(scaled) lies outside the \(grid[k]) chunks of dimension \(k)") }
                    origin.append(scaled * chunkShape[k])
                }
                return HDF5Chunk(origin: origin, address: chunkAddress, size: size, filterMask: mask)
            }
        case .extensibleArray:
            throw reader.unsupported("\(what): extensible array chunk index (a chunked dataset with one unlimited dimension written with libver 'latest')")
        }
    }

    private static func fixedArray(_ reader: HDF5Reader, address: Int, gridCount: Int, chunkBytes: Int, filtered: Bool,
                                   origin: (Int) -> [Int]) throws -> [HDF5Chunk] {
        let what = "fixed array header at \(hex(address))"
        var h = try reader.cursor(at: address, what)
        try h.expectSignature("FAHD")
        let version = try h.u8("version"), client = try h.u8("client ID")
        guard version == 0, client == (filtered ? 1 : 0) else { throw h.fail("version \(version) / client \(client) is not the expected chunk index") }
        let entrySize = try h.u8("entry size"), pageBits = try h.u8("page bits")
        let entryCount = try h.length("entry count")
        let block = try h.address("data block address")
        try reader.verifyChecksum(at: address, count: h.position - address, what)
        let sizeWidth = entrySize - reader.offsetSize - 4
        guard filtered ? (1...8).contains(sizeWidth) : entrySize == reader.offsetSize else {
            throw h.fail("entries of \(entrySize) bytes do not match the chunk index")
        }
        guard entryCount >= gridCount else { throw h.fail("\(entryCount) entries for \(gridCount) chunks") }
        guard let block, gridCount > 0 else { return [] }
        guard pageBits < 32 else { throw h.fail("page bits \(pageBits) is out of range") }
        let blockWhat = "fixed array data block at \(hex(block))"
        var c = try reader.cursor(at: block, blockWhat)
        try c.expectSignature("FADB")
        let blockVersion = try c.u8("version"), blockClient = try c.u8("client ID")
        guard blockVersion == 0, blockClient == client else { throw c.fail("version \(blockVersion) / client \(blockClient) does not match the header") }
        guard try c.definedAddress("header address") == address else { throw c.fail("belongs to another fixed array") }
        let pageSize = 1 << pageBits
        // Entries of each page (one page when the array is not paged), and whether it was written.
        var pages: [(start: Int, count: Int, initialized: Bool)] = []
        if entryCount > pageSize {
            let pageCount = (entryCount + pageSize - 1) / pageSize
            let bitmap = try c.bytes((pageCount + 7) / 8, "page bitmap")
            try reader.verifyChecksum(at: block, count: c.position - block, blockWhat)
            try c.skip(4, "checksum")
            var start = c.position
            for page in 0..<pageCount {
                let count = min(pageSize, entryCount - page * pageSize)
                let initialized = bitmap[page / 8] & (0x80 >> UInt8(page % 8)) != 0
                pages.append((start, count, initialized))
                start += count * entrySize + 4
            }
        } else {
            pages.append((c.position, entryCount, true))
        }
        var chunks: [HDF5Chunk] = []
        var entry = 0
        for page in pages {
            defer { entry += page.count }
            guard page.initialized, entry < gridCount else { continue }
            let pageWhat = pages.count == 1 ? blockWhat : "\(blockWhat): page at \(hex(page.start))"
            var p = try reader.cursor(at: page.start, count: page.count * entrySize + 4, pageWhat)
            try reader.verifyChecksum(at: pages.count == 1 ? block : page.start, count: p.end - 4 - (pages.count == 1 ? block : page.start), pageWhat)
            for i in 0..<min(page.count, gridCount - entry) {
                let chunkAddress = try p.address("chunk address")
                let size = filtered ? try p.int(sizeWidth, "chunk size") : chunkBytes
                let mask = filtered ? UInt32(try p.u32("filter mask")) : 0
                if let chunkAddress {
                    chunks.append(HDF5Chunk(origin: origin(entry + i), address: chunkAddress, size: size, filterMask: mask))
                }
            }
        }
        return chunks
    }
}
