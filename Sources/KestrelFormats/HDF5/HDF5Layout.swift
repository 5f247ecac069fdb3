import Foundation
import KestrelCore
import KestrelNN

/// How a dataset's raw data is stored (data layout message, versions 3 to 5; version 5,
/// written by HDF5 2.x, has version 4's encoding).
package enum HDF5Layout {
    /// Which index locates the chunks of a chunked dataset.
    package enum ChunkIndex {
        case btreeV1
        /// One chunk; its stored size and filter mask when it is filtered.
        case singleChunk(filtered: (size: Int, mask: UInt32)?)
        case implicit
        case fixedArray
        case extensibleArray
        case btreeV2
    }

    /// The data inside the header message itself.
    case compact(Range<Int>)
    /// One run of bytes; nil address when it was never written.
    case contiguous(address: Int?, size: Int)
    /// Chunks of `chunkShape` elements, located by `index` at `address`.
    case chunked(chunkShape: [Int], index: ChunkIndex, address: Int?)

    package init(_ c: inout HDF5Cursor, rank: Int) throws {
        let version = try c.u8("layout version")
        guard (3...5).contains(version) else {
            throw c.reader.unsupported("\(c.context): data layout message version \(version) (supported: 3, 4, 5)")
        }
        let layoutClass = try c.u8("layout class")
        switch layoutClass {
        case 0:
            let size = try c.u16("compact data size")
            self = .compact(try c.range(size, "compact data"))
        case 1:
            let address = try c.address("contiguous data address")
            self = .contiguous(address: address, size: try c.length("contiguous data size"))
        case 2 where version == 3:
            let dimensionality = try c.u8("chunk dimensionality")
            guard dimensionality == rank + 1 else {
                throw c.fail("chunks have \(dimensionality - 1) dimensions but the dataspace has \(rank)")
            }
            let address = try c.address("chunk B-tree address")
            var shape: [Int] = []
            for _ in 0..<rank { shape.append(try c.u32("chunk dimension")) }
            try c.skip(4, "element size")
            self = .chunked(chunkShape: shape, index: .btreeV1, address: address)
        case 2:
            let flags = try c.u8("chunk flags")
            let dimensionality = try c.u8("chunk dimensionality")
            guard dimensionality == rank + 1 else {
                throw c.fail("chunks have \(dimensionality - 1) dimensions but the dataspace has \(rank)")
            }
            let width = try c.u8("chunk dimension width")
            guard (1...8).contains(width) else { throw c.fail("chunk dimension width \(width) is not 1 to 8") }
            var shape: [Int] = []
            for _ in 0..<rank { shape.append(try c.int(width, "chunk dimension")) }
            try c.skip(width, "element size")
            let indexType = try c.u8("chunk index type")
            let index: ChunkIndex
            switch indexType {
            case 1:
                if flags & 0x02 != 0 {
                    let size = try c.length("filtered chunk size")
                    index = .singleChunk(filtered: (size, UInt32(try c.u32("filter mask"))))
                } else {
                    index = .singleChunk(filtered: nil)
                }
            case 2: index = .implicit
            case 3:
                try c.skip(1, "fixed array page bits")
                index = .fixedArray
            case 4:
                try c.skip(5, "extensible array parameters")
                index = .extensibleArray
            case 5:
                try c.skip(6, "v2 B-tree parameters")
                index = .btreeV2
            default:
                throw c.fail("chunk index type \(indexType) is not 1 to 5")
            }
            self = .chunked(chunkShape: shape, index: index, address: try c.address("chunk index address"))
        case 3:
            throw c.reader.unsupported("\(c.context): virtual dataset layout")
        default:
            throw c.fail("layout class \(layoutClass) is not compact, contiguous, chunked or virtual")
        }
    }
}

/// One filter of a dataset's filter pipeline (deflate, shuffle, fletcher32, …).
package struct HDF5Filter {
    package let id: Int
    package let name: String
    /// Bit 0: optional (may have been skipped for a chunk).
    package let flags: Int
    package let clientData: [Int]

    /// The pipeline in the order it was applied on writing.
    package static func pipeline(_ c: inout HDF5Cursor) throws -> [HDF5Filter] {
        let version = try c.u8("filter pipeline version")
        guard version == 1 || version == 2 else { throw c.fail("filter pipeline version \(version) is not 1 or 2") }
        let count = try c.u8("number of filters")
        guard count <= 32 else { throw c.fail("\(count) filters exceed HDF5's limit of 32") }
        if version == 1 { try c.skip(6, "reserved") }
        var filters: [HDF5Filter] = []
        for _ in 0..<count {
            let id = try c.u16("filter id")
            let nameLength = version == 1 || id >= 256 ? try c.u16("filter name length") : 0
            let flags = try c.u16("filter flags")
            let valueCount = try c.u16("filter client data count")
            var nameBytes = try c.bytes(version == 1 ? (nameLength + 7) / 8 * 8 : nameLength, "filter name")
            if let nul = nameBytes.firstIndex(of: 0) { nameBytes.removeSubrange(nul...) }
            var values: [Int] = []
            for _ in 0..<valueCount { values.append(try c.u32("filter client data")) }
            if version == 1, valueCount % 2 == 1 { try c.skip(4, "filter padding") }
            filters.append(HDF5Filter(id: id, name: String(decoding: nameBytes, as: UTF8.self), flags: flags, clientData: values))
        }
        return filters
    }
}

/// The fill value of a dataset: the element written where no data was ever stored, or nil
/// for HDF5's default (all zero bytes).
package enum HDF5FillValue {
    package static func parse(_ c: inout HDF5Cursor, old: Bool) throws -> [UInt8]? {
        if old {
            let size = try c.u32("fill value size")
            return size == 0 ? nil : try c.bytes(size, "fill value")
        }
        let version = try c.u8("fill value version")
        switch version {
        case 1, 2:
            try c.skip(2, "allocation and write times")
            let defined = try c.u8("fill value defined") != 0
            // Version 1 always has a size field; version 2 only when a value is defined.
            if version == 1 || defined {
                let size = try c.u32("fill value size")
                return defined && size > 0 ? try c.bytes(size, "fill value") : nil
            }
            return nil
        case 3:
            let flags = try c.u8("fill value flags")
            guard flags & 0x20 != 0 else { return nil }
            let size = try c.u32("fill value size")
            return size == 0 ? nil : try c.bytes(size, "fill value")
        default:
            throw c.fail("fill value message version \(version) is not 1, 2 or 3")
        }
    }
}
