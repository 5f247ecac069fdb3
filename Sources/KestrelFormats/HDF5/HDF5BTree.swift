import Foundation
import KestrelCore
import KestrelNN

/// Version-1 B-trees ("TREE"): type 0 indexes a group's symbol table nodes, type 1 a
/// dataset's chunks. Only whole-tree traversal is needed, so keys are handed to the caller.
package enum HDF5BTreeV1 {
    /// Calls `visit(keyCursor, childAddress)` for every leaf entry in key order; the cursor
    /// is positioned at the entry's left key. Node levels must decrease by one per step and
    /// no node may be visited twice.
    package static func forEachLeafEntry(_ reader: HDF5Reader, root: Int, type: Int, keySize: Int,
                                 _ visit: (inout HDF5Cursor, Int) throws -> Void) throws {
        var seen: Set<Int> = []
        func walk(_ address: Int, expectedLevel: Int?) throws {
            let what = "v1 B-tree node at \(hex(address))"
            guard seen.insert(address).inserted else { throw reader.invalid("\(what): node reached twice (cycle)") }
            var c = try reader.cursor(at: address, what)
            try c.expectSignature("TREE")
            let nodeType = try c.u8("node type")
            guard nodeType == type else { throw c.fail("node type \(nodeType), expected \(type)") }
            let level = try c.u8("node level")
            if let expectedLevel, level != expectedLevel { throw c.fail("level \(level), expected \(expectedLevel)") }
            let entries = try c.u16("entries used")
            try c.skip(2 * reader.offsetSize, "sibling addresses")
            // Bound the cursor to this node so keys cannot be read beyond it.
            let size = entries * (keySize + reader.offsetSize) + keySize
            var node = try reader.cursor(at: c.position, count: size, what)
            for _ in 0..<entries {
                var key = node
                try node.skip(keySize, "key")
                let child = try node.definedAddress("child address")
                if level == 0 {
                    try visit(&key, child)
                } else {
                    try walk(child, expectedLevel: level - 1)
                }
            }
        }
        try walk(root, expectedLevel: nil)
    }
}

/// Version-2 B-trees ("BTHD"): the name index of dense groups and attributes (types 5, 8)
/// and the chunk index of datasets with several unlimited dimensions (types 10, 11).
package enum HDF5BTreeV2 {
    /// The file offsets of all records, and the record size. Node checksums are verified.
    package static func records(_ reader: HDF5Reader, header: Int, types: Set<Int>) throws -> (offsets: [Int], recordSize: Int) {
        let what = "v2 B-tree header at \(hex(header))"
        var c = try reader.cursor(at: header, what)
        try c.expectSignature("BTHD")
        let version = try c.u8("version")
        guard version == 0 else { throw c.fail("version \(version) is not 0") }
        let type = try c.u8("tree type")
        guard types.contains(type) else { throw c.fail("tree type \(type), expected one of \(types.sorted())") }
        let nodeSize = try c.u32("node size"), recordSize = try c.u16("record size"), depth = try c.u16("depth")
        try c.skip(2, "split and merge percentages")
        let root = try c.address("root node address")
        let rootCount = try c.u16("root record count")
        let total = try c.length("total record count")
        try reader.verifyChecksum(at: header, count: c.position - header, what)
        guard let root, total > 0 else { return ([], recordSize) }
        guard recordSize > 0, nodeSize > 10 + recordSize, depth < 64 else {
            throw c.fail("node size \(nodeSize), record size \(recordSize) and depth \(depth) are inconsistent")
        }
        // Widths of the child record counts, as HDF5 derives them from the node capacity.
        func encodedSize(_ n: Int) -> Int { (Int.bitWidth - max(n, 1).leadingZeroBitCount - 1) / 8 + 1 }
        let leafCapacity = (nodeSize - 10) / recordSize
        let countSize = encodedSize(leafCapacity)
        var capacity = [leafCapacity], cumulative = [leafCapacity], cumulativeSize = [0]
        for level in 1...max(1, depth) {
            let pointerSize = reader.offsetSize + countSize + cumulativeSize[level - 1]
            let n = (nodeSize - 10 - pointerSize) / (recordSize + pointerSize)
            capacity.append(n)
            let cum = (n + 1).multipliedReportingOverflow(by: cumulative[level - 1]).partialValue &+ n
            cumulative.append(cum)
            cumulativeSize.append(encodedSize(cum))
        }
        var offsets: [Int] = []
        var seen: Set<Int> = []
        func walk(_ address: Int, count: Int, level: Int) throws {
            let nodeWhat = "v2 B-tree node at \(hex(address)) (of \(what))"
            guard seen.insert(address).inserted else { throw reader.invalid("\(nodeWhat): node reached twice (cycle)") }
            guard count <= capacity[level] else { throw reader.invalid("\(nodeWhat): \(count) records exceed the node capacity \(capacity[level])") }
            var n = try reader.cursor(at: address, count: nodeSize, nodeWhat)
            try n.expectSignature(level == 0 ? "BTLF" : "BTIN")
            let nodeVersion = try n.u8("version"), nodeType = try n.u8("tree type")
            guard nodeVersion == 0, nodeType == type else { throw n.fail("version \(nodeVersion) / type \(nodeType) do not match the header") }
            let recordsStart = n.position
            try n.skip(count * recordSize, "records")
            var children: [(Int, Int)] = []
            if level > 0 {
                for _ in 0...count {
                    let child = try n.definedAddress("child address")
                    let childCount = try n.int(countSize, "child record count")
                    if level > 1 { try n.skip(cumulativeSize[level - 1], "child total record count") }
                    children.append((child, childCount))
                }
            }
            try reader.verifyChecksum(at: address, count: n.position - address, nodeWhat)
            for i in 0...count {
                if level > 0 { try walk(children[i].0, count: children[i].1, level: level - 1) }
                if i < count { offsets.append(recordsStart + i * recordSize) }
            }
        }
        try walk(root, count: rootCount, level: depth)
        guard offsets.count == total else { throw c.fail("the tree holds \(offsets.count) records but the header says \(total)") }
        return (offsets, recordSize)
    }
}
