import Foundation
import KestrelCore
import KestrelNN

/// IDX files, the format of MNIST and Fashion-MNIST: a magic number giving the element
/// type and rank, big-endian dimension sizes, then the elements. Gzipped files (as the
/// datasets are distributed) are decompressed transparently.
public enum IDXFile {
    /// The array in the IDX file at `url` (gzipped or not), converted to Float32.
    public static func readTensor(contentsOf url: URL) throws -> Tensor {
        try tensor(from: try readFile(url, what: "idx"), source: url.lastPathComponent)
    }

    /// The integer array (labels) in the IDX file at `url` (gzipped or not).
    public static func readIntTensor(contentsOf url: URL) throws -> IntTensor {
        try intTensor(from: try readFile(url, what: "idx"), source: url.lastPathComponent)
    }

    /// The array in IDX bytes (gzipped or not), converted to Float32.
    public static func tensor(from data: Data, source: String = "data") throws -> Tensor {
        let (type, shape, payload) = try parse(data, source: source)
        return payload.withUnsafeBytes { type.tensor(shape: shape, from: $0) }
    }

    /// The integer array in IDX bytes (gzipped or not); float element types throw.
    public static func intTensor(from data: Data, source: String = "data") throws -> IntTensor {
        let (type, shape, payload) = try parse(data, source: source)
        guard type.isInteger else {
            throw KestrelError(.unsupported, "idx: \(source) holds floating-point data; read it with tensor(from:) instead of as integers")
        }
        return payload.withUnsafeBytes { type.integers(shape: shape, from: $0) }
    }

    private static func parse(_ data: Data, source: String) throws -> (BinaryScalarType, [Int], Data) {
        let data = Gzip.isGzip(data) ? try Gzip.decompress(data, source: source) : data
        func fail(_ why: String) -> KestrelError {
            KestrelError(.invalidFile, "idx: \(source) is not a valid IDX file: \(why)")
        }
        guard data.count >= 4, data[data.startIndex] == 0, data[data.startIndex + 1] == 0 else {
            throw fail("it does not start with the magic 00 00 <type> <rank>")
        }
        let typeCode = data[data.startIndex + 2]
        let type: BinaryScalarType
        switch typeCode {
        case 0x08: type = BinaryScalarType(kind: .unsigned, width: 1, bigEndian: true)
        case 0x09: type = BinaryScalarType(kind: .signed, width: 1, bigEndian: true)
        case 0x0B: type = BinaryScalarType(kind: .signed, width: 2, bigEndian: true)
        case 0x0C: type = BinaryScalarType(kind: .signed, width: 4, bigEndian: true)
        case 0x0D: type = BinaryScalarType(kind: .float, width: 4, bigEndian: true)
        case 0x0E: type = BinaryScalarType(kind: .float, width: 8, bigEndian: true)
        default: throw fail("element type 0x\(String(typeCode, radix: 16)) is not one of 08 09 0B 0C 0D 0E")
        }
        let rank = Int(data[data.startIndex + 3])
        var shape: [Int] = []
        for axis in 0..<rank {
            guard let size = data.unsignedInteger(at: 4 + 4 * axis, width: 4, bigEndian: true) else {
                throw fail("it ends inside the \(rank) dimension sizes (truncated?)")
            }
            shape.append(Int(size))
        }
        let headerLength = 4 + 4 * rank
        guard let needed = BinaryScalarType.byteCount(of: shape, width: type.width) else {
            throw fail("dimensions \(shape) are too large")
        }
        guard data.count - headerLength == needed else {
            throw fail("dimensions \(shape) need \(needed) data bytes but \(data.count - headerLength) follow the header")
        }
        return (type, shape, data.dropFirst(headerLength))
    }
}
