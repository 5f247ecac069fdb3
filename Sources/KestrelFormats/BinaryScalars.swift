import Foundation
import KestrelCore
import KestrelNN

/// How one array element is stored in a binary file (NumPy dtype, IDX type byte), so the
/// readers share one bounds-checked conversion to Float32 and integer tensors.
package struct BinaryScalarType: Equatable {
    package enum Kind { case float, signed, unsigned, bool }
    package let kind: Kind
    /// Bytes per element: 1, 2, 4 or 8.
    package let width: Int
    package let bigEndian: Bool

    package var isInteger: Bool { kind != .float }

    /// The byte size of an array of `shape` with `width`-byte elements, or nil when a size is
    /// negative or the product overflows.
    package static func byteCount(of shape: [Int], width: Int) -> Int? {
        Shape.checkedCount(shape + [width])
    }

    @inline(__always) private func bits(_ raw: UnsafeRawBufferPointer, _ i: Int) -> UInt64 {
        switch width {
        case 1: return UInt64(raw[i])
        case 2:
            let v = raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
            return UInt64(bigEndian ? UInt16(bigEndian: v) : UInt16(littleEndian: v))
        case 4:
            let v = raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
            return UInt64(bigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v))
        default:
            let v = raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
            return bigEndian ? UInt64(bigEndian: v) : UInt64(littleEndian: v)
        }
    }

    /// The element as a signed integer (unsigned 64-bit values above Int.max wrap).
    @inline(__always) private func integer(_ raw: UnsafeRawBufferPointer, _ i: Int) -> Int {
        let b = bits(raw, i)
        switch (kind, width) {
        case (.signed, 1): return Int(Int8(truncatingIfNeeded: b))
        case (.signed, 2): return Int(Int16(truncatingIfNeeded: b))
        case (.signed, 4): return Int(Int32(truncatingIfNeeded: b))
        case (.bool, _): return b != 0 ? 1 : 0
        default: return Int(truncatingIfNeeded: b)
        }
    }

    /// Converts `Shape.count(shape)` elements; `raw` must hold exactly that many.
    package func tensor(shape: [Int], from raw: UnsafeRawBufferPointer) -> Tensor {
        Tensor(shape: shape) { p, n in
            checkedPrecondition(n * width == raw.count, "BinaryScalarType: \(raw.count) bytes for \(n) elements of width \(width)")
            switch (kind, width) {
            case (.float, 4): for i in 0..<n { p[i] = Float(bitPattern: UInt32(truncatingIfNeeded: bits(raw, i))) }
            case (.float, _): for i in 0..<n { p[i] = Float(Double(bitPattern: bits(raw, i))) }
            case (.unsigned, 8): for i in 0..<n { p[i] = Float(bits(raw, i)) }
            default: for i in 0..<n { p[i] = Float(integer(raw, i)) }
            }
        }
    }

    /// Converts integer elements; the caller has checked `isInteger`.
    package func integers(shape: [Int], from raw: UnsafeRawBufferPointer) -> IntTensor {
        let n = raw.count / width
        return IntTensor(shape: shape, scalars: (0..<n).map { integer(raw, $0) })
    }
}

extension Data {
    /// The unsigned integer of `width` bytes at `offset` (counted from the first byte), or
    /// nil when it runs past the end.
    package func unsignedInteger(at offset: Int, width: Int, bigEndian: Bool = false) -> UInt64? {
        guard offset >= 0, width <= count, offset <= count - width else { return nil }
        var value: UInt64 = 0
        for k in 0..<width {
            let byte = UInt64(self[startIndex + offset + k])
            value |= bigEndian ? byte << (8 * UInt64(width - 1 - k)) : byte << (8 * UInt64(k))
        }
        return value
    }
}
