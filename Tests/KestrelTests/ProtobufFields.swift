import Foundation
@testable import KestrelCore

/// One decoded protobuf message, for tests that read back what Kestrel wrote (ONNX models,
/// TensorBoard events): field number → values (integers, bytes for length-delimited
/// fields, the bit patterns of fixed 32- and 64-bit ones).
struct ProtobufFields {
    var fields: [Int: [Value]] = [:]
    enum Value { case int(Int), bytes([UInt8]) }

    init(_ bytes: [UInt8]) throws {
        var i = 0
        func varint() throws -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { throw KestrelError(.invalidFile, "bad varint") }
                let b = bytes[i]; i += 1
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return v }
                shift += 7
            }
        }
        while i < bytes.count {
            let key = try varint()
            let field = Int(key >> 3)
            switch key & 7 {
            case 0: fields[field, default: []].append(.int(Int(Int64(bitPattern: try varint()))))
            case 2:
                let n = Int(try varint())
                guard i + n <= bytes.count else { throw KestrelError(.invalidFile, "truncated field") }
                fields[field, default: []].append(.bytes(Array(bytes[i..<i + n]))); i += n
            case 1:
                guard i + 8 <= bytes.count else { throw KestrelError(.invalidFile, "truncated double") }
                fields[field, default: []].append(.int((0..<8).reduce(0) { $0 | Int(bytes[i + $1]) << (8 * $1) })); i += 8
            case 5:
                guard i + 4 <= bytes.count else { throw KestrelError(.invalidFile, "truncated float") }
                fields[field, default: []].append(.int(Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24)); i += 4
            default: throw KestrelError(.invalidFile, "wire type \(key & 7)")
            }
        }
    }

    func ints(_ f: Int) -> [Int] { (fields[f] ?? []).compactMap { if case .int(let v) = $0 { v } else { nil } } }
    func strings(_ f: Int) -> [String] { (fields[f] ?? []).compactMap { if case .bytes(let b) = $0 { String(decoding: b, as: UTF8.self) } else { nil } } }
    func messages(_ f: Int) throws -> [ProtobufFields] {
        try (fields[f] ?? []).compactMap { if case .bytes(let b) = $0 { try ProtobufFields(b) } else { nil } }
    }
}
