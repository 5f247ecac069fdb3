import Foundation
import KestrelCore

/// Writes the HDF5 subset Keras and h5py need: groups, attributes (strings, lists of
/// strings, integers, numbers) and contiguous float32 datasets. The file uses the
/// format of HDF5 1.8 and later (superblock version 2, version-2 object headers, compact
/// link storage), which libhdf5, h5py and Kestrel's own reader all read.
public struct HDF5Writer {
    /// An attribute value.
    public enum Attribute {
        case string(String)
        case strings([String])
        case integer(Int)
        case real(Double)
    }

    /// One group of the file: its attributes, its datasets and its subgroups, by name.
    public final class Group {
        public var attributes: [(name: String, value: Attribute)] = []
        public private(set) var datasets: [(name: String, tensor: Tensor)] = []
        public private(set) var groups: [(name: String, group: Group)] = []

        public init() {}

        /// The subgroup `name`, created when absent.
        @discardableResult
        public func group(_ name: String) -> Group {
            if let existing = groups.first(where: { $0.name == name }) { return existing.group }
            let made = Group()
            groups.append((name, made))
            return made
        }

        /// The group at a slash-separated path below this one, created as needed.
        @discardableResult
        public func group(path: String) -> Group {
            path.split(separator: "/").reduce(self) { $0.group(String($1)) }
        }

        public func addDataset(_ name: String, _ tensor: Tensor) {
            datasets.append((name, tensor))
        }
    }

    public let root = Group()

    public init() {}

    /// The whole file. Throws if a name or attribute does not fit a compact object header
    /// (64 KiB per message), the limit of the format this writer produces.
    public func data() throws -> Data {
        var out = LittleEndianBytes()
        out.bytes = [UInt8](repeating: 0, count: 48)  // superblock, filled in last
        let rootAddress = try write(root, path: "/", into: &out)
        var superblock = LittleEndianBytes()
        superblock.append([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
        superblock.append([2, 8, 8, 0])  // version 2, 8-byte offsets and lengths, no flags
        superblock.u64(0)  // base address
        superblock.u64(undefinedAddress)  // no superblock extension
        superblock.u64(UInt64(out.bytes.count))  // end of file
        superblock.u64(rootAddress)
        superblock.checksum()
        out.bytes.replaceSubrange(0..<48, with: superblock.bytes)
        return Data(out.bytes)
    }

    /// Writes a group's children, then its object header; returns the header's address.
    private func write(_ group: Group, path: String, into out: inout LittleEndianBytes) throws -> UInt64 {
        var links: [(String, UInt64)] = []
        for (name, tensor) in group.datasets {
            links.append((name, try writeDataset(tensor, path: path + name, into: &out)))
        }
        for (name, child) in group.groups {
            links.append((name, try write(child, path: path + name + "/", into: &out)))
        }
        var messages: [(type: UInt8, body: [UInt8])] = []
        var linkInfo = LittleEndianBytes()
        linkInfo.append([0, 0])  // version 0, creation order not tracked
        linkInfo.u64(undefinedAddress)  // no fractal heap: links are compact
        linkInfo.u64(undefinedAddress)  // no name index
        messages.append((0x02, linkInfo.bytes))
        messages.append((0x0A, [0, 0]))  // group info, default sizes
        for (name, address) in links {
            let nameBytes = Array(name.utf8)
            try Self.check(name: name, path: path)
            var link = LittleEndianBytes()
            link.append([1, nameBytes.count < 256 ? 0x10 : 0x11, 1])  // version 1, UTF-8 charset
            if nameBytes.count < 256 { link.append([UInt8(nameBytes.count)]) } else { link.u16(nameBytes.count) }
            link.append(nameBytes)
            link.u64(address)
            messages.append((0x06, link.bytes))
        }
        messages += try group.attributes.map { (0x0C, try Self.attributeMessage($0.name, $0.value, path: path)) }
        return try writeObjectHeader(messages, path: path, into: &out)
    }

    private func writeDataset(_ tensor: Tensor, path: String, into out: inout LittleEndianBytes) throws -> UInt64 {
        let values = tensor.scalars
        let address = values.isEmpty ? undefinedAddress : UInt64(out.bytes.count)
        out.float32s(values)
        var layout = LittleEndianBytes()
        layout.append([3, 1])  // version 3, contiguous
        layout.u64(address)
        layout.u64(UInt64(values.count * 4))
        let messages: [(type: UInt8, body: [UInt8])] = [
            (0x01, Self.dataspace(tensor.shape)),
            (0x03, Self.float32Type),
            (0x05, [3, 0x09]),  // fill value version 3: allocated early, written if set, none set
            (0x08, layout.bytes),
        ]
        return try writeObjectHeader(messages, path: path, into: &out)
    }

    private func writeObjectHeader(_ messages: [(type: UInt8, body: [UInt8])], path: String,
                                   into out: inout LittleEndianBytes) throws -> UInt64 {
        var body = LittleEndianBytes()
        for (type, bytes) in messages {
            guard bytes.count <= 0xFFFF else {
                throw KestrelError(.invalidArgument, "HDF5 writer: a header message of \(path) holds \(bytes.count) bytes, more than the 65 535 a compact object header allows; save this model as .keras instead")
            }
            body.append([type])
            body.u16(bytes.count)
            body.append([0])
            body.append(bytes)
        }
        var header = LittleEndianBytes()
        header.append(Array("OHDR".utf8))
        header.append([2, 0x02])  // version 2, 4-byte chunk size
        header.u32(body.bytes.count)
        header.append(body.bytes)
        header.checksum()
        let address = UInt64(out.bytes.count)
        out.append(header.bytes)
        return address
    }

    private static func check(name: String, path: String) throws {
        guard !name.isEmpty, !name.contains("/"), name != ".", name.utf8.count < 65_536 else {
            throw KestrelError(.invalidArgument, "HDF5 writer: \"\(name)\" in \(path) is not a valid HDF5 name (non-empty, no \"/\"); rename the layer or weight")
        }
    }

    /// Simple dataspace (version 2) of `shape`; scalar when `shape` is empty.
    private static func dataspace(_ shape: [Int]) -> [UInt8] {
        var d = LittleEndianBytes()
        d.append([2, UInt8(shape.count), 0, shape.isEmpty ? 0 : 1])
        for n in shape { d.u64(UInt64(n)) }
        return d.bytes
    }

    /// IEEE float32, little-endian (datatype class 1, version 1).
    private static let float32Type: [UInt8] = [0x11, 0x20, 0x1F, 0x00, 4, 0, 0, 0,
                                                0, 0, 32, 0, 23, 8, 0, 23, 127, 0, 0, 0]
    /// IEEE float64, little-endian.
    private static let float64Type: [UInt8] = [0x11, 0x20, 0x3F, 0x00, 8, 0, 0, 0,
                                                0, 0, 64, 0, 52, 11, 0, 52, 0xFF, 0x03, 0, 0]
    /// Signed 64-bit little-endian integer (class 0, version 1).
    private static let int64Type: [UInt8] = [0x10, 0x08, 0x00, 0x00, 8, 0, 0, 0, 0, 0, 64, 0]

    /// Fixed-length, null-padded UTF-8 string of `size` bytes (class 3, version 1), as h5py
    /// writes NumPy `S` arrays.
    private static func stringType(size: Int) -> [UInt8] {
        var t = LittleEndianBytes()
        t.append([0x13, 0x11, 0, 0])
        t.u32(size)
        return t.bytes
    }

    private static func attributeMessage(_ name: String, _ value: Attribute, path: String) throws -> [UInt8] {
        let type: [UInt8], space: [UInt8], data: [UInt8]
        switch value {
        case .string(let s):
            let bytes = Array(s.utf8)
            type = stringType(size: max(bytes.count, 1)); space = dataspace([])
            data = bytes.isEmpty ? [0] : bytes
        case .strings(let list):
            let encoded = list.map { Array($0.utf8) }
            let width = max(encoded.map(\.count).max() ?? 1, 1)
            type = stringType(size: width); space = dataspace([list.count])
            data = encoded.flatMap { $0 + [UInt8](repeating: 0, count: width - $0.count) }
        case .integer(let n):
            var d = LittleEndianBytes(); d.u64(UInt64(bitPattern: Int64(n)))
            type = int64Type; space = dataspace([]); data = d.bytes
        case .real(let x):
            var d = LittleEndianBytes(); d.u64(x.bitPattern)
            type = float64Type; space = dataspace([]); data = d.bytes
        }
        try check(name: name, path: path)
        var m = LittleEndianBytes()
        let nameBytes = Array(name.utf8) + [0]
        m.append([3, 0])  // version 3, no shared parts
        m.u16(nameBytes.count)
        m.u16(type.count)
        m.u16(space.count)
        m.append([1])  // UTF-8 name
        m.append(nameBytes)
        m.append(type)
        m.append(space)
        m.append(data)
        return m.bytes
    }
}

/// HDF5's "no such object" address.
private let undefinedAddress = UInt64.max

private extension LittleEndianBytes {
    /// Appends the lookup3 checksum of everything so far, as HDF5's version-2 structures end.
    mutating func checksum() {
        let sum = bytes.withUnsafeBytes { HDF5Checksum.lookup3($0) }
        u32(Int(sum))
    }
}
