/// A byte buffer that Kestrel's binary writers (HDF5, zip, ONNX tensors, TensorBoard
/// records) append fixed-width little-endian fields to.
package struct LittleEndianBytes {
    package var bytes: [UInt8] = []

    package init() {}

    package mutating func append(_ more: [UInt8]) { bytes += more }
    package mutating func u16(_ v: Int) { field(UInt64(truncatingIfNeeded: v), width: 2) }
    package mutating func u32(_ v: Int) { field(UInt64(truncatingIfNeeded: v), width: 4) }
    package mutating func u64(_ v: UInt64) { field(v, width: 8) }

    /// IEEE float32 values, one after another.
    package mutating func float32s(_ values: [Float]) {
        bytes.reserveCapacity(bytes.count + 4 * values.count)
        for v in values { u32(Int(v.bitPattern)) }
    }

    private mutating func field(_ v: UInt64, width: Int) {
        for k in 0..<width { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
    }
}
