import Foundation
import KestrelCore
import KestrelNN

/// What a dataset's header says about its data — type, shape, layout, filters, fill value —
/// and the assembly of its raw element bytes (row-major) from compact, contiguous or
/// chunked storage, with fill values where nothing was written.
package struct HDF5DatasetStorage {
    package let type: HDF5Datatype
    package let space: HDF5Dataspace
    package let layout: HDF5Layout
    package let filters: [HDF5Filter]
    package let fill: [UInt8]?
    package let what: String

    package init(_ reader: HDF5Reader, _ header: HDF5ObjectHeader, what: String) throws {
        self.what = what
        guard let typeMessage = header.first(.datatype), let spaceMessage = header.first(.dataspace),
              let layoutMessage = header.first(.layout) else {
            throw reader.invalid("\(what): dataset header lacks its datatype, dataspace or layout message")
        }
        guard header.first(.externalFiles) == nil else { throw reader.unsupported("\(what): data stored in external files") }
        var c = try header.cursor(reader, typeMessage, "datatype")
        type = try HDF5Datatype(&c)
        c = try header.cursor(reader, spaceMessage, "dataspace")
        space = try HDF5Dataspace(&c)
        c = try header.cursor(reader, layoutMessage, "layout")
        layout = try HDF5Layout(&c, rank: space.shape.count)
        if let message = header.first(.filterPipeline) {
            c = try header.cursor(reader, message, "filter pipeline")
            filters = try HDF5Filter.pipeline(&c)
        } else {
            filters = []
        }
        if let message = header.first(.fillValue) {
            c = try header.cursor(reader, message, "fill value")
            fill = try HDF5FillValue.parse(&c, old: false)
        } else if let message = header.first(.fillValueOld) {
            c = try header.cursor(reader, message, "fill value")
            fill = try HDF5FillValue.parse(&c, old: true)
        } else {
            fill = nil
        }
    }

    /// The raw bytes of all elements in row-major order.
    package func read(_ reader: HDF5Reader) throws -> [UInt8] {
        guard let count = space.elementCount, case let (total, false) = count.multipliedReportingOverflow(by: type.size) else {
            throw reader.invalid("\(what): shape \(space.shape) of \(type.size)-byte elements is too large")
        }
        guard total <= reader.maxDecodedBytes else {
            throw reader.unsupported("\(what): \(total) bytes of data is more than \(reader.maxDecodedBytes) (the limit for a \(reader.data.count)-byte file)")
        }
        switch layout {
        case let .compact(range):
            guard range.count >= total else { throw reader.invalid("\(what): compact data holds \(range.count) bytes, expected \(total)") }
            return reader.bytes(range.lowerBound..<(range.lowerBound + total))
        case let .contiguous(address, size):
            guard let address else { return filled(total) }
            guard size >= total else { throw reader.invalid("\(what): contiguous data holds \(size) bytes, expected \(total)") }
            let c = try reader.cursor(at: address, count: total, "\(what): contiguous data")
            return reader.bytes(c.position..<c.end)
        case let .chunked(chunkShape, index, address):
            return try chunked(reader, total: total, chunkShape: chunkShape, index: index, address: address)
        }
    }

    private func filled(_ total: Int) -> [UInt8] {
        guard let fill, fill.count == type.size, fill.contains(where: { $0 != 0 }) else {
            return [UInt8](repeating: 0, count: total)
        }
        var out = [UInt8]()
        out.reserveCapacity(total)
        while out.count < total { out.append(contentsOf: fill) }
        return out
    }

    private func chunked(_ reader: HDF5Reader, total: Int, chunkShape: [Int], index: HDF5Layout.ChunkIndex, address: Int?) throws -> [UInt8] {
        let shape = space.shape
        guard !shape.isEmpty else { throw reader.invalid("\(what): a scalar dataset cannot be chunked") }
        guard !chunkShape.contains(where: { $0 < 1 }) else { throw reader.invalid("\(what): chunk shape \(chunkShape) has an empty dimension") }
        var chunkBytes = type.size
        for d in chunkShape {
            let (p, overflow) = chunkBytes.multipliedReportingOverflow(by: d)
            guard !overflow, p <= 1 << 32 else { throw reader.invalid("\(what): chunk shape \(chunkShape) exceeds HDF5's 4 GiB chunk limit") }
            chunkBytes = p
        }
        var out = filled(total)
        guard let address, total > 0 else { return out }
        let geometry = HDF5ChunkGeometry(shape: shape, maxShape: space.maxShape, chunkShape: chunkShape, chunkBytes: chunkBytes,
                                         filtered: !filters.isEmpty, what: what)
        let chunks = try HDF5ChunkIndex.chunks(reader, index: index, address: address, geometry)
        let rank = shape.count
        for chunk in chunks {
            let chunkWhat = "\(what): chunk at \(chunk.origin)"
            for k in 0..<rank where chunk.origin[k] % chunkShape[k] != 0 || chunk.origin[k] >= shape[k] {
                throw reader.invalid("\(chunkWhat): offset does not start a chunk inside shape \(shape)")
            }
            let stored = try reader.cursor(at: chunk.address, count: chunk.size, chunkWhat)
            var bytes = reader.bytes(stored.position..<stored.end)
            if !filters.isEmpty {
                bytes = try HDF5Filter.decode(bytes, pipeline: filters, mask: chunk.filterMask, reader: reader, what: chunkWhat)
            }
            guard bytes.count == chunkBytes else {
                throw reader.invalid("\(chunkWhat): holds \(bytes.count) bytes after decoding, expected \(chunkBytes)")
            }
            copy(bytes, origin: chunk.origin, chunkShape: chunkShape, into: &out)
        }
        return out
    }

    /// Copies the part of one chunk that lies inside the dataset into the row-major output.
    private func copy(_ chunk: [UInt8], origin: [Int], chunkShape: [Int], into out: inout [UInt8]) {
        let shape = space.shape, rank = shape.count, size = type.size
        let extent = (0..<rank).map { min(chunkShape[$0], shape[$0] - origin[$0]) }
        let run = extent[rank - 1] * size
        var index = [Int](repeating: 0, count: rank)
        chunk.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                while true {
                    var from = 0, to = 0
                    for k in 0..<rank {
                        from = from * chunkShape[k] + index[k]
                        to = to * shape[k] + origin[k] + index[k]
                    }
                    dst.baseAddress!.advanced(by: to * size).copyMemory(from: src.baseAddress!.advanced(by: from * size), byteCount: run)
                    // Advance the index over all but the last dimension.
                    var k = rank - 2
                    while k >= 0 {
                        index[k] += 1
                        if index[k] < extent[k] { break }
                        index[k] = 0
                        k -= 1
                    }
                    if k < 0 { return }
                }
            }
        }
    }
}
