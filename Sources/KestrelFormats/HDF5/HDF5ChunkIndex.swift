import Foundation
import KestrelCore
import KestrelNN

/// One stored chunk: its first element's coordinates, where its (possibly filtered) bytes
/// are, and which filters were skipped for it.
package struct HDF5Chunk {
    package let origin: [Int]
    package let address: Int
    package let size: Int
    package let filterMask: UInt32
}

/// What every chunk index needs to know about its dataset.
package struct HDF5ChunkGeometry {
    package let shape: [Int]
    package let maxShape: [Int?]
    package let chunkShape: [Int]
    /// Bytes of one unfiltered chunk.
    package let chunkBytes: Int
    package let filtered: Bool
    package let what: String

    package var rank: Int { shape.count }

    /// Chunks along each dimension of `extent`.
    package func chunkCounts(_ extent: [Int]) -> [Int] {
        zip(extent, chunkShape).map { $0 / $1 + ($0 % $1 == 0 ? 0 : 1) }
    }

    /// Decodes linear chunk numbers the way HDF5 assigns them in fixed arrays, implicit
    /// storage and extensible arrays: row-major over the chunks of the maximum shape, with
    /// an unlimited dimension (extensible arrays only) moved to the front. Numbers whose
    /// chunk lies outside the current shape give nil.
    package func linearOrigins(_ reader: HDF5Reader) throws -> (count: Int, origin: (Int) -> [Int]?) {
        let unlimited = maxShape.indices.filter { maxShape[$0] == nil }
        guard unlimited.count <= 1 else { throw reader.invalid("\(what): a linear chunk index with several unlimited dimensions") }
        let order = unlimited + shape.indices.filter { !unlimited.contains($0) }
        let counts = chunkCounts(order.map { maxShape[$0] ?? shape[$0] })
        var count = 1
        for n in counts {
            let (p, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow else { throw reader.invalid("\(what): too many chunks") }
            count = p
        }
        let currentShape = shape, chunkShape = chunkShape
        return (count, { linear in
            var rest = linear
            var origin = [Int](repeating: 0, count: order.count)
            for k in stride(from: order.count - 1, through: 0, by: -1) {
                let dimension = order[k]
                let index = k == 0 ? rest : rest % counts[k]
                rest = k == 0 ? 0 : rest / counts[k]
                let (start, overflow) = index.multipliedReportingOverflow(by: chunkShape[dimension])
                guard !overflow, start < currentShape[dimension] else { return nil }
                origin[dimension] = start
            }
            return origin
        })
    }
}

/// Lists the chunks of a chunked dataset from its index: a v1 B-tree (layout version 3), or
/// one of the version-4 indexes (single chunk, implicit, fixed array, extensible array,
/// v2 B-tree).
package enum HDF5ChunkIndex {
    package static func chunks(_ reader: HDF5Reader, index: HDF5Layout.ChunkIndex, address: Int, _ g: HDF5ChunkGeometry) throws -> [HDF5Chunk] {
        switch index {
        case .btreeV1:
            var chunks: [HDF5Chunk] = []
            try HDF5BTreeV1.forEachLeafEntry(reader, root: address, type: 1, keySize: 8 + 8 * (g.rank + 1)) { key, child in
                let size = try key.u32("chunk size"), mask = UInt32(try key.u32("filter mask"))
                var origin: [Int] = []
                for _ in 0..<g.rank { origin.append(try key.int(8, "chunk offset")) }
                chunks.append(HDF5Chunk(origin: origin, address: child, size: size, filterMask: mask))
            }
            return chunks
        case let .singleChunk(filteredInfo):
            return [HDF5Chunk(origin: [Int](repeating: 0, count: g.rank), address: address, size: filteredInfo?.size ?? g.chunkBytes,
                              filterMask: filteredInfo?.mask ?? 0)]
        case .implicit:
            guard !g.filtered else { throw reader.invalid("\(g.what): the implicit chunk index cannot hold filtered chunks") }
            let (count, origin) = try g.linearOrigins(reader)
            let total = count.multipliedReportingOverflow(by: g.chunkBytes)
            guard !total.overflow else { throw reader.invalid("\(g.what): \(count) chunks are too many") }
            _ = try reader.cursor(at: address, count: total.partialValue, "\(g.what): implicitly indexed chunks")
            return (0..<count).compactMap { i in
                origin(i).map { HDF5Chunk(origin: $0, address: address + i * g.chunkBytes, size: g.chunkBytes, filterMask: 0) }
            }
        case .fixedArray:
            return try HDF5ArrayIndex.fixedArray(reader, address: address, g)
        case .extensibleArray:
            return try HDF5ArrayIndex.extensibleArray(reader, address: address, g)
        case .btreeV2:
            let (records, recordSize) = try HDF5BTreeV2.records(reader, header: address, types: g.filtered ? [11] : [10])
            let sizeWidth = recordSize - reader.offsetSize - 4 - 8 * g.rank
            guard g.filtered ? (1...8).contains(sizeWidth) : recordSize == reader.offsetSize + 8 * g.rank else {
                throw reader.invalid("\(g.what): chunk records of \(recordSize) bytes do not match \(g.rank) dimensions")
            }
            let counts = g.chunkCounts(g.shape)
            return try records.map { record in
                var c = try reader.cursor(at: record, count: recordSize, "\(g.what): chunk record at \(hex(record))")
                let chunkAddress = try c.definedAddress("chunk address")
                let size = g.filtered ? try c.int(sizeWidth, "chunk size") : g.chunkBytes
                let mask = g.filtered ? UInt32(try c.u32("filter mask")) : 0
                var origin: [Int] = []
                for k in 0..<g.rank {
                    let scaled = try c.int(8, "scaled chunk offset")
                    guard scaled < counts[k] else { throw c.fail("chunk offset \(scaled) lies outside the \(counts[k]) chunks of dimension \(k)") }
                    origin.append(scaled * g.chunkShape[k])
                }
                return HDF5Chunk(origin: origin, address: chunkAddress, size: size, filterMask: mask)
            }
        }
    }
}
