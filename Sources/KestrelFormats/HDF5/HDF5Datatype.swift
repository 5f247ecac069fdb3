import Foundation
import KestrelCore
import KestrelNN

/// The element type of an HDF5 dataset or attribute, as far as Kestrel can read it.
/// Enumerations (h5py's booleans) read as their integer base type.
public enum HDF5ElementType: Equatable, CustomStringConvertible {
    case integer(bytes: Int, signed: Bool, bigEndian: Bool)
    /// IEEE half, single or double precision (2, 4 or 8 bytes).
    case float(bytes: Int, bigEndian: Bool)
    case fixedLengthString(bytes: Int)
    case variableLengthString
    /// A type Kestrel does not read (compound, array, reference, opaque, …), by name.
    case other(String)

    public var description: String {
        switch self {
        case let .integer(bytes, signed, bigEndian): return "\(signed ? "int" : "uint")\(8 * bytes)\(bigEndian ? " (big-endian)" : "")"
        case let .float(bytes, bigEndian): return "float\(8 * bytes)\(bigEndian ? " (big-endian)" : "")"
        case let .fixedLengthString(bytes): return "string of \(bytes) bytes"
        case .variableLengthString: return "variable-length string"
        case let .other(name): return name
        }
    }
}

/// A decoded datatype message: the public element type, the element size in bytes, and for
/// strings how they are padded (0: null-terminated, 1: null-padded, 2: space-padded).
package struct HDF5Datatype {
    package let element: HDF5ElementType
    package let size: Int
    package let stringPadding: Int

    private static let classNames = ["fixed-point", "floating-point", "time", "string", "bitfield", "opaque",
                                     "compound", "reference", "enumeration", "variable-length", "array"]

    /// Parses a datatype message body; `depth` bounds the nesting of base types.
    package init(_ c: inout HDF5Cursor, depth: Int = 0) throws {
        guard depth < 8 else { throw c.fail("datatype nesting deeper than 8 levels") }
        let classAndVersion = try c.u8("datatype class")
        let typeClass = classAndVersion & 0x0F, version = classAndVersion >> 4
        guard (1...5).contains(version) else { throw c.fail("datatype version \(version) is not 1 to 5") }
        let bits = try c.u8("class bits")
        try c.skip(2, "class bits")
        size = try c.u32("datatype size")
        guard size > 0 else { throw c.fail("datatype size is 0") }
        let bigEndian = bits & 1 != 0
        switch typeClass {
        case 0:
            let offset = try c.u16("bit offset"), precision = try c.u16("bit precision")
            guard [1, 2, 4, 8].contains(size), offset == 0, precision == 8 * size else {
                element = .other("\(size)-byte integer with \(precision) bits at bit \(offset)")
                stringPadding = 0
                return
            }
            element = .integer(bytes: size, signed: bits & 0x08 != 0, bigEndian: bigEndian)
        case 1:
            try c.skip(4, "bit offset and precision")
            let exponentLocation = try c.u8("exponent location"), exponentSize = try c.u8("exponent size")
            let mantissaLocation = try c.u8("mantissa location"), mantissaSize = try c.u8("mantissa size")
            let ieee: [Int: (Int, Int, Int, Int)] = [2: (10, 5, 0, 10), 4: (23, 8, 0, 23), 8: (52, 11, 0, 52)]
            if bits & 0x40 == 0, let expected = ieee[size],
               expected == (exponentLocation, exponentSize, mantissaLocation, mantissaSize) {
                element = .float(bytes: size, bigEndian: bigEndian)
            } else {
                element = .other("\(size)-byte float with \(exponentSize)-bit exponent and \(mantissaSize)-bit mantissa")
            }
        case 3:
            element = .fixedLengthString(bytes: size)
            stringPadding = bits & 0x0F
            return
        case 8:
            // Enumeration: read as the integer base type (members' names are not needed).
            let base = try HDF5Datatype(&c, depth: depth + 1)
            guard case .integer = base.element, base.size == size else {
                element = .other("enumeration over \(base.element)")
                stringPadding = 0
                return
            }
            element = base.element
        case 9:
            let isString = bits & 0x0F == 1
            _ = try HDF5Datatype(&c, depth: depth + 1)
            guard isString else {
                element = .other("variable-length sequence")
                stringPadding = 0
                return
            }
            guard size == 4 + c.reader.offsetSize + 4 else {
                throw c.fail("variable-length string elements are \(size) bytes, expected \(4 + c.reader.offsetSize + 4)")
            }
            element = .variableLengthString
            stringPadding = (bits >> 4) & 0x0F
            return
        default:
            element = .other(typeClass < Self.classNames.count ? Self.classNames[typeClass] : "datatype class \(typeClass)")
        }
        stringPadding = 0
    }
}

/// A decoded dataspace message: the array's shape (`[]` for a scalar) or a null dataspace
/// (no elements at all, h5py's `Empty`), and the maximum shape (nil entries: unlimited),
/// which fixes how chunk indexes number their chunks.
package struct HDF5Dataspace {
    package let shape: [Int]
    package let maxShape: [Int?]
    package let isNull: Bool

    package init(_ c: inout HDF5Cursor) throws {
        let version = try c.u8("dataspace version")
        let rank = try c.u8("dataspace rank")
        let flags = try c.u8("dataspace flags")
        guard rank <= 32 else { throw c.fail("dataspace rank \(rank) exceeds HDF5's limit of 32") }
        switch version {
        case 1:
            try c.skip(5, "reserved")
            isNull = false
        case 2:
            let type = try c.u8("dataspace type")
            guard type <= 2 else { throw c.fail("dataspace type \(type) is not scalar, simple or null") }
            isNull = type == 2
        default:
            throw c.fail("dataspace version \(version) is not 1 or 2")
        }
        var shape: [Int] = []
        for _ in 0..<rank {
            shape.append(try c.length("dimension size"))
        }
        var maxShape: [Int?] = shape
        if flags & 1 != 0 {
            let width = c.reader.lengthSize
            let unlimited: UInt64 = width == 8 ? .max : (1 << UInt64(8 * width)) - 1
            for k in 0..<rank {
                let d = try c.uint(width, "maximum dimension size")
                guard d == unlimited || (d <= UInt64(Int.max) && Int(d) >= shape[k]) else {
                    throw c.fail("maximum dimension size \(d) is smaller than the dimension size \(shape[k])")
                }
                maxShape[k] = d == unlimited ? nil : Int(d)
            }
        }
        self.shape = shape
        self.maxShape = maxShape
    }

    /// The number of elements, or nil when the product overflows.
    package var elementCount: Int? {
        isNull ? 0 : Shape.checkedCount(shape)
    }
}
