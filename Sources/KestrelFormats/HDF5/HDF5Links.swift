import Foundation
import KestrelCore
import KestrelNN

/// Where a link points: an object header in this file, a path (soft link), or an object in
/// another file (external link).
package enum HDF5LinkTarget: Equatable {
    case hard(Int)
    case soft(String)
    case external(file: String, path: String)
}

/// The links of a group, from whichever storage the writer chose: a symbol table (v1 B-tree,
/// symbol table nodes and a local heap; libver "earliest"), link messages in the object
/// header (compact) or a fractal heap indexed by a v2 B-tree of name hashes (dense).
package enum HDF5Links {
    package static func links(_ reader: HDF5Reader, _ header: HDF5ObjectHeader) throws -> [(name: String, target: HDF5LinkTarget)] {
        var links: [(name: String, target: HDF5LinkTarget)] = []
        if let message = header.first(.symbolTable) {
            var c = try header.cursor(reader, message, "symbol table")
            let tree = try c.definedAddress("v1 B-tree address"), heapAddress = try c.definedAddress("local heap address")
            let heap = try HDF5LocalHeap(reader, address: heapAddress)
            try HDF5BTreeV1.forEachLeafEntry(reader, root: tree, type: 0, keySize: reader.lengthSize) { _, node in
                try symbolTableNode(reader, node, heap, &links)
            }
        }
        for message in header.messages(.link) {
            var c = try header.cursor(reader, message, "link")
            links.append(try link(&c))
        }
        if let message = header.first(.linkInfo) {
            var c = try header.cursor(reader, message, "link info")
            let version = try c.u8("version")
            guard version == 0 else { throw c.fail("version \(version) is not 0") }
            let flags = try c.u8("flags")
            if flags & 1 != 0 { try c.skip(8, "maximum creation index") }
            if let heapAddress = try c.address("fractal heap address") {
                let index = try c.definedAddress("name index address")
                let heap = try HDF5FractalHeap(reader, address: heapAddress)
                let (records, recordSize) = try HDF5BTreeV2.records(reader, header: index, types: [5])
                guard recordSize > 4 else { throw c.fail("name index records of \(recordSize) bytes are too short") }
                for record in records {
                    let object = try heap.object(id: (record + 4)..<(record + recordSize))
                    var m = try reader.cursor(at: object.lowerBound, count: object.count, "link message in fractal heap at \(hex(heapAddress))")
                    links.append(try link(&m))
                }
            }
        }
        return links
    }

    private static func symbolTableNode(_ reader: HDF5Reader, _ address: Int, _ heap: HDF5LocalHeap,
                                        _ links: inout [(name: String, target: HDF5LinkTarget)]) throws {
        var c = try reader.cursor(at: address, "symbol table node at \(hex(address))")
        try c.expectSignature("SNOD")
        let version = try c.u8("version")
        guard version == 1 else { throw c.fail("version \(version) is not 1") }
        try c.skip(1, "reserved")
        let count = try c.u16("symbol count")
        for _ in 0..<count {
            let name = try heap.string(at: try c.length("link name offset"))
            let object = try c.address("object header address")
            let cacheType = try c.u32("cache type")
            try c.skip(4, "reserved")
            var scratch = try reader.cursor(at: c.position, count: 16, "symbol table node at \(hex(address)): scratch pad")
            try c.skip(16, "scratch pad")
            if cacheType == 2 {
                links.append((name, .soft(try heap.string(at: try scratch.u32("soft link value offset")))))
            } else {
                guard let object else { throw c.fail("entry \(name) has an undefined object address") }
                links.append((name, .hard(object)))
            }
        }
    }

    /// Parses one link message (version 1).
    package static func link(_ c: inout HDF5Cursor) throws -> (name: String, target: HDF5LinkTarget) {
        let version = try c.u8("link version")
        guard version == 1 else { throw c.fail("link message version \(version) is not 1") }
        let flags = try c.u8("link flags")
        let type = flags & 0x08 != 0 ? try c.u8("link type") : 0
        if flags & 0x04 != 0 { try c.skip(8, "creation order") }
        if flags & 0x10 != 0 { try c.skip(1, "character set") }
        let nameLength = try c.int(1 << (flags & 3), "link name length")
        let name = String(decoding: try c.bytes(nameLength, "link name"), as: UTF8.self)
        switch type {
        case 0:
            return (name, .hard(try c.definedAddress("link \(name): object header address")))
        case 1:
            let length = try c.u16("soft link length")
            return (name, .soft(String(decoding: try c.bytes(length, "soft link value"), as: UTF8.self)))
        case 64:
            let length = try c.u16("external link length")
            let value = try c.bytes(length, "external link value")
            // A flags byte, then the file name and the object path, each null-terminated.
            let parts = value.dropFirst().split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
            let file = parts.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
            let path = parts.count > 1 ? String(decoding: parts[1].prefix { $0 != 0 }, as: UTF8.self) : ""
            return (name, .external(file: file, path: path))
        default:
            throw c.reader.unsupported("\(c.context): link \(name) has user-defined link type \(type)")
        }
    }
}
