import Foundation
import KestrelCore
import KestrelNN

/// Converts raw element bytes of a supported datatype to Swift values: integers, floating
/// point (converted to Double or to a Float32 tensor) and strings (fixed-length, or
/// variable-length ones fetched from the global heap).
package enum HDF5Elements {
    private static func scalarType(_ type: HDF5Datatype) -> BinaryScalarType? {
        switch type.element {
        case let .integer(bytes, signed, bigEndian):
            return BinaryScalarType(kind: signed ? .signed : .unsigned, width: bytes, bigEndian: bigEndian)
        case let .float(bytes, bigEndian) where bytes != 2:
            return BinaryScalarType(kind: .float, width: bytes, bigEndian: bigEndian)
        default:
            return nil
        }
    }

    /// Half-precision elements widened to Float.
    private static func halves(_ raw: [UInt8], bigEndian: Bool) -> [Float] {
        (0..<(raw.count / 2)).map { i in
            let lo = UInt16(raw[2 * i]), hi = UInt16(raw[2 * i + 1])
            return Float(Float16(bitPattern: bigEndian ? lo << 8 | hi : hi << 8 | lo))
        }
    }

    package static func isNumeric(_ type: HDF5Datatype) -> Bool {
        switch type.element {
        case .integer, .float: return true
        default: return false
        }
    }

    /// A Float32 tensor of `shape` from numeric elements; `raw` holds exactly the elements.
    package static func tensor(_ type: HDF5Datatype, shape: [Int], raw: [UInt8]) -> Tensor {
        if case let .float(2, bigEndian) = type.element {
            return Tensor(shape: shape, scalars: halves(raw, bigEndian: bigEndian))
        }
        guard let scalar = scalarType(type) else { fatalError("HDF5Elements.tensor: \(type.element) is not numeric") }
        return raw.withUnsafeBytes { scalar.tensor(shape: shape, from: $0) }
    }

    /// Integer elements; the caller has checked that the type is an integer type.
    package static func integers(_ type: HDF5Datatype, shape: [Int], raw: [UInt8]) -> IntTensor {
        guard let scalar = scalarType(type), scalar.isInteger else { fatalError("HDF5Elements.integers: \(type.element) is not an integer type") }
        return raw.withUnsafeBytes { scalar.integers(shape: shape, from: $0) }
    }

    /// Floating-point elements as Double (exact for float16/32/64).
    package static func doubles(_ type: HDF5Datatype, raw: [UInt8]) -> [Double] {
        switch type.element {
        case let .float(2, bigEndian): return halves(raw, bigEndian: bigEndian).map(Double.init)
        case let .float(bytes, bigEndian):
            return (0..<(raw.count / bytes)).map { i in
                var bits: UInt64 = 0
                for k in 0..<bytes { bits |= UInt64(raw[i * bytes + (bigEndian ? bytes - 1 - k : k)]) << (8 * UInt64(k)) }
                return bytes == 4 ? Double(Float(bitPattern: UInt32(bits))) : Double(bitPattern: bits)
            }
        default: fatalError("HDF5Elements.doubles: \(type.element) is not floating-point")
        }
    }

    /// String elements with their padding removed.
    package static func strings(_ type: HDF5Datatype, raw: [UInt8], reader: HDF5Reader, what: String) throws -> [String] {
        func text<C: Collection<UInt8>>(_ bytes: C) -> String {
            var bytes = Array(bytes)
            switch type.stringPadding {
            case 0: if let nul = bytes.firstIndex(of: 0) { bytes.removeSubrange(nul...) }
            case 1: while bytes.last == 0 { bytes.removeLast() }
            default: while bytes.last == 0x20 { bytes.removeLast() }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        switch type.element {
        case .fixedLengthString:
            return stride(from: 0, to: raw.count, by: type.size).map { text(raw[$0..<($0 + type.size)]) }
        case .variableLengthString:
            var strings: [String] = []
            for start in stride(from: 0, to: raw.count, by: type.size) {
                var length = 0, index = 0
                for k in 0..<4 { length |= Int(raw[start + k]) << (8 * k) }
                var collection: UInt64 = 0
                for k in 0..<reader.offsetSize { collection |= UInt64(raw[start + 4 + k]) << (8 * UInt64(k)) }
                for k in 0..<4 { index |= Int(raw[start + 4 + reader.offsetSize + k]) << (8 * k) }
                guard length > 0 else {
                    strings.append("")
                    continue
                }
                guard let address = reader.absolute(collection) else {
                    throw reader.invalid("\(what): variable-length string points to global heap address \(collection)")
                }
                let object = try HDF5GlobalHeap.object(reader, collection: address, index: index)
                guard length <= object.count else {
                    throw reader.invalid("\(what): variable-length string of \(length) bytes in a \(object.count)-byte heap object")
                }
                strings.append(text(reader.data[object.lowerBound..<(object.lowerBound + length)]))
            }
            return strings
        default:
            fatalError("HDF5Elements.strings: \(type.element) is not a string type")
        }
    }
}
