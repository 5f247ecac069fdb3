import Foundation
import KestrelCore
import KestrelNN

/// The value of an HDF5 attribute: a scalar dataspace gives the singular case, a simple
/// dataspace the plural one (flattened in row-major order, even with one element). Keras
/// keeps configuration JSON, layer names and weight names in such attributes. Integers of
/// every width read as Int (unsigned 64-bit values above Int.max wrap); floating-point
/// values of every width as Double.
public enum HDF5Value: Equatable, CustomStringConvertible {
    case integer(Int)
    case integers([Int])
    case real(Double)
    case reals([Double])
    case string(String)
    case strings([String])

    /// The strings of a string or string-array value, else nil.
    public var stringValues: [String]? {
        switch self {
        case let .string(s): return [s]
        case let .strings(s): return s
        default: return nil
        }
    }

    /// The integers of an integer value, else nil.
    public var integerValues: [Int]? {
        switch self {
        case let .integer(v): return [v]
        case let .integers(v): return v
        default: return nil
        }
    }

    /// The numbers of an integer or floating-point value as Double, else nil.
    public var doubleValues: [Double]? {
        switch self {
        case let .integer(v): return [Double(v)]
        case let .integers(v): return v.map(Double.init)
        case let .real(v): return [v]
        case let .reals(v): return v
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case let .integer(v): return String(v)
        case let .integers(v): return v.description
        case let .real(v): return String(v)
        case let .reals(v): return v.description
        case let .string(v): return v.debugDescription
        case let .strings(v): return v.description
        }
    }
}

/// An object's attributes, read from attribute messages in its header (compact storage)
/// and from the fractal heap named by an attribute info message (dense storage).
package struct HDF5Attributes {
    package var values: [String: HDF5Value] = [:]
    /// Attributes whose type or storage Kestrel does not read, with the reason.
    package var skipped: [String: String] = [:]

    package init(_ reader: HDF5Reader, _ header: HDF5ObjectHeader) throws {
        for message in header.messages(.attribute) {
            var c = try header.cursor(reader, message, "attribute")
            try add(&c)
        }
        guard let info = header.first(.attributeInfo) else { return }
        var c = try header.cursor(reader, info, "attribute info")
        let version = try c.u8("version")
        guard version == 0 else { throw c.fail("version \(version) is not 0") }
        let flags = try c.u8("flags")
        if flags & 1 != 0 { try c.skip(2, "maximum creation index") }
        guard let heapAddress = try c.address("fractal heap address") else { return }
        let index = try c.definedAddress("name index address")
        let heap = try HDF5FractalHeap(reader, address: heapAddress)
        let (records, recordSize) = try HDF5BTreeV2.records(reader, header: index, types: [8])
        guard recordSize >= 17 else { throw c.fail("attribute name records of \(recordSize) bytes are too short") }
        for record in records {
            var r = try reader.cursor(at: record, count: recordSize, "attribute name record at \(hex(record))")
            try r.skip(8, "heap ID")
            guard try r.u8("message flags") & 0x02 == 0 else {
                skipped["(shared attribute at \(hex(record)))"] = "shared attribute messages are not supported"
                continue
            }
            let object = try heap.object(id: record..<(record + 8))
            var m = try reader.cursor(at: object.lowerBound, count: object.count, "attribute message in fractal heap at \(hex(heapAddress))")
            try add(&m)
        }
    }

    /// Parses one attribute message (versions 1–3) and records its value or why it is skipped.
    private mutating func add(_ c: inout HDF5Cursor) throws {
        let reader = c.reader
        let version = try c.u8("attribute version")
        guard (1...3).contains(version) else { throw c.fail("attribute message version \(version) is not 1, 2 or 3") }
        let flags = try c.u8("attribute flags")
        let nameSize = try c.u16("name size"), typeSize = try c.u16("datatype size"), spaceSize = try c.u16("dataspace size")
        if version == 3 { try c.skip(1, "name character set") }
        func padded(_ n: Int) -> Int { version == 1 ? (n + 7) / 8 * 8 : n }
        var nameBytes = try c.bytes(padded(nameSize), "attribute name")
        if let nul = nameBytes.firstIndex(of: 0) { nameBytes.removeSubrange(nul...) }
        let name = String(decoding: nameBytes, as: UTF8.self)
        var typeCursor = try reader.cursor(at: c.position, count: typeSize, "\(c.context): attribute \(name): datatype")
        try c.skip(padded(typeSize), "attribute datatype")
        var spaceCursor = try reader.cursor(at: c.position, count: spaceSize, "\(c.context): attribute \(name): dataspace")
        try c.skip(padded(spaceSize), "attribute dataspace")
        guard version == 1 || flags & 0x03 == 0 else {
            skipped[name] = "its datatype or dataspace is a shared message"
            return
        }
        let type = try HDF5Datatype(&typeCursor)
        let space = try HDF5Dataspace(&spaceCursor)
        guard !space.isNull else {
            skipped[name] = "it is empty (null dataspace)"
            return
        }
        guard let count = space.elementCount, case let (bytes, false) = count.multipliedReportingOverflow(by: type.size) else {
            throw c.fail("attribute \(name): shape \(space.shape) is too large")
        }
        let raw = try c.bytes(bytes, "attribute \(name) data")
        let scalar = space.shape.isEmpty
        let what = "\(c.context): attribute \(name)"
        switch type.element {
        case .integer:
            let v = HDF5Elements.integers(type, shape: [count], raw: raw).scalars
            values[name] = scalar ? .integer(v[0]) : .integers(v)
        case .float:
            let v = HDF5Elements.doubles(type, raw: raw)
            values[name] = scalar ? .real(v[0]) : .reals(v)
        case .fixedLengthString, .variableLengthString:
            let v = try HDF5Elements.strings(type, raw: raw, reader: reader, what: what)
            values[name] = scalar ? .string(v[0]) : .strings(v)
        case let .other(description):
            skipped[name] = "its type (\(description)) is not supported"
        }
    }
}
