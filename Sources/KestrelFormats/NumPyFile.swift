import Foundation
import KestrelCore
import KestrelNN

/// NumPy's `.npy` (one array) and `.npz` (a zip of `.npy` files) formats, the usual way
/// Python tooling hands arrays over: reading gives Float32 tensors (or integer ids),
/// writing produces `<f4` arrays that `numpy.load` reads back.
public enum NumPyFile {
    /// The array in the `.npy` file at `url`, converted to Float32.
    public static func readTensor(contentsOf url: URL) throws -> Tensor {
        try tensor(from: try readFile(url, what: "npy"), source: url.lastPathComponent)
    }

    /// The integer or boolean array in the `.npy` file at `url` (class ids, token ids).
    public static func readIntTensor(contentsOf url: URL) throws -> IntTensor {
        try intTensor(from: try readFile(url, what: "npy"), source: url.lastPathComponent)
    }

    /// The array in `.npy` bytes, converted to Float32.
    public static func tensor(from data: Data, source: String = "data") throws -> Tensor {
        let (type, shape, payload) = try parse(data, source: source)
        return payload.withUnsafeBytes { type.tensor(shape: shape, from: $0) }
    }

    /// The integer or boolean array in `.npy` bytes; a float array throws.
    public static func intTensor(from data: Data, source: String = "data") throws -> IntTensor {
        let (type, shape, payload) = try parse(data, source: source)
        guard type.isInteger else {
            throw KestrelError(.unsupported, "npy: \(source) holds floating-point data; read it with tensor(from:) instead of as integers")
        }
        return payload.withUnsafeBytes { type.integers(shape: shape, from: $0) }
    }

    /// Every array in the `.npz` file at `url`, keyed by name without the `.npy` suffix.
    public static func readArchive(contentsOf url: URL) throws -> [String: Tensor] {
        try tensors(fromArchive: try readFile(url, what: "npz"), source: url.lastPathComponent)
    }

    /// Every array in `.npz` bytes, keyed by name without the `.npy` suffix.
    public static func tensors(fromArchive data: Data, source: String = "data") throws -> [String: Tensor] {
        let zip = try ZipArchive(data: data, source: source)
        var result: [String: Tensor] = [:]
        for name in zip.entryNames {
            let key = name.hasSuffix(".npy") ? String(name.dropLast(4)) : name
            result[key] = try tensor(from: try zip.data(for: name), source: "\(source)/\(name)")
        }
        return result
    }

    /// The `.npy` (version 1.0) bytes of `tensor` as little-endian float32.
    public static func serialized(_ tensor: Tensor) -> Data {
        let shapeText: String
        switch tensor.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(tensor.shape[0]),)"
        default: shapeText = "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad with spaces so the data starts on a 64-byte boundary; the header ends in \n.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(header.utf8))
        tensor.withUnsafeBufferPointer { buffer in
            out.reserveCapacity(out.count + 4 * buffer.count)
            for v in buffer { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        }
        return out
    }

    /// Writes `tensor` as a `.npy` file atomically.
    public static func write(_ tensor: Tensor, to url: URL) throws {
        try AtomicFile.write(serialized(tensor), to: url)
    }

    private static func parse(_ data: Data, source: String) throws -> (BinaryScalarType, [Int], Data) {
        func fail(_ why: String) -> KestrelError {
            KestrelError(.invalidFile, "npy: \(source) is not a valid .npy file: \(why)")
        }
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard data.count >= 10, data.prefix(6).elementsEqual(magic) else {
            throw fail("it does not start with the magic \\x93NUMPY")
        }
        guard let major = data.unsignedInteger(at: 6, width: 1), (1...3).contains(major) else {
            throw fail("format version \(data[data.startIndex + 6]).\(data[data.startIndex + 7]) is not 1.0, 2.0 or 3.0")
        }
        let lengthWidth = major == 1 ? 2 : 4
        guard let headerLength = data.unsignedInteger(at: 8, width: lengthWidth) else { throw fail("it ends inside the header length") }
        let headerStart = 8 + lengthWidth
        guard UInt64(data.count - headerStart) >= headerLength else {
            throw fail("the header claims \(headerLength) bytes but only \(data.count - headerStart) follow (truncated?)")
        }
        let headerBytes = data.dropFirst(headerStart).prefix(Int(headerLength))
        guard let text = String(bytes: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw fail("the header is not text")
        }
        let header = try NumPyHeader(parsing: text, fail: fail)
        guard let type = NumPyHeader.scalarType(header.descr) else {
            throw KestrelError(.unsupported, "npy: \(source) has dtype '\(header.descr)'; supported: f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1, little- or big-endian")
        }
        guard !header.fortranOrder else {
            throw KestrelError(.unsupported, "npy: \(source) is stored in Fortran (column-major) order; save it with numpy.ascontiguousarray first")
        }
        let payload = data.dropFirst(headerStart + Int(headerLength))
        guard let needed = BinaryScalarType.byteCount(of: header.shape, width: type.width) else {
            throw fail("shape \(header.shape) is too large")
        }
        guard payload.count == needed else {
            throw fail("shape \(header.shape) of '\(header.descr)' needs \(needed) data bytes but \(payload.count) follow the header")
        }
        return (type, header.shape, payload)
    }
}
