import Foundation
import KestrelCore
import KestrelNN
#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// A safetensors file in memory: named Float32 and integer tensors plus string metadata.
/// Kestrel saves models in this format (weights, optimizer state, config JSON in the
/// metadata) and reads the Keras reference fixtures with it. Reading validates the whole
/// header before touching data, so a truncated or foreign file throws instead of crashing.
public struct SafeTensors {
    public var tensors: [String: Tensor] = [:]
    public var intTensors: [String: IntTensor] = [:]
    public var metadata: [String: String] = [:]

    public init() {}

    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw KestrelError(.invalidFile, "safetensors: cannot read \(url.path): \(error.localizedDescription)")
        }
        try self.init(data: data, source: url.lastPathComponent)
    }

    public init(data: Data, source: String = "data") throws {
        func fail(_ why: String) -> KestrelError {
            KestrelError(.invalidFile, "safetensors: \(source) is not a valid safetensors file: \(why)")
        }
        guard data.count >= 8 else { throw fail("it is \(data.count) bytes long, shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("the header claims \(headerLength) bytes but only \(data.count - 8) follow (truncated?)")
        }
        let headerStart = data.startIndex + 8
        let dataStart = headerStart + Int(headerLength)
        let headerObject: Any
        do {
            headerObject = try JSONSerialization.jsonObject(with: data[headerStart..<dataStart])
        } catch {
            throw fail("the header is not JSON")
        }
        guard let header = headerObject as? [String: Any] else { throw fail("the header is not a JSON object") }
        let payload = dataStart..<data.endIndex

        for (name, entry) in header {
            if name == "__metadata__" {
                guard let meta = entry as? [String: String] else { throw fail("__metadata__ must map strings to strings") }
                metadata = meta
                continue
            }
            guard let info = entry as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else { throw fail("entry \(name) lacks dtype, shape or data_offsets") }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1],
                  offsets[1] <= payload.count else {
                throw fail("entry \(name) has offsets \(offsets) outside the \(payload.count)-byte data section (truncated?)")
            }
            guard let width = SafeTensors.byteWidth[dtype] else {
                throw KestrelError(.unsupported, "safetensors: \(source): tensor \(name) has dtype \(dtype); supported: \(SafeTensors.byteWidth.keys.sorted())")
            }
            guard let byteCount = BinaryScalarType.byteCount(of: shape, width: width) else {
                throw fail("entry \(name): shape \(shape) of \(dtype) has more bytes than Int can count; the header is damaged")
            }
            guard byteCount == offsets[1] - offsets[0] else {
                throw fail("entry \(name): shape \(shape) of \(dtype) needs \(byteCount) bytes but its offsets span \(offsets[1] - offsets[0])")
            }
            let count = byteCount / width
            let bytes = data[(payload.lowerBound + offsets[0])..<(payload.lowerBound + offsets[1])]
            try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                switch dtype {
                case "F32":
                    tensors[name] = Tensor(shape: shape) { p, n in
                        for i in 0..<n { p[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
                    }
                case "F64":
                    tensors[name] = Tensor(shape: shape) { p, n in
                        for i in 0..<n { p[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
                    }
                case "I32":
                    intTensors[name] = IntTensor(shape: shape, scalars: (0..<count).map {
                        Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)))
                    })
                case "I64":
                    intTensors[name] = IntTensor(shape: shape, scalars: (0..<count).map {
                        Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)))
                    })
                default:
                    throw fail("unreachable dtype \(dtype)")
                }
            }
        }
    }

    private static let byteWidth = ["F32": 4, "F64": 8, "I32": 4, "I64": 8]

    /// The file's bytes: Float32 tensors as F32, integer tensors as I64, keys sorted.
    public func serialized() -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var body = Data()
        for name in tensors.keys.sorted() {
            let t = tensors[name]!
            let start = body.count
            t.withUnsafeBufferPointer { buffer in
                for v in buffer { withUnsafeBytes(of: v.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
            }
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [start, body.count]] as [String: Any]
        }
        for name in intTensors.keys.sorted() {
            let t = intTensors[name]!
            let start = body.count
            for v in t.scalars { withUnsafeBytes(of: Int64(v).littleEndian) { body.append(contentsOf: $0) } }
            header[name] = ["dtype": "I64", "shape": t.shape, "data_offsets": [start, body.count]] as [String: Any]
        }
        var json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var out = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(body)
        return out
    }

    /// Writes the file atomically: a temporary file in the same folder, then a rename, so
    /// an interrupted write never leaves a half-written file under `url`.
    public func write(to url: URL) throws {
        try AtomicFile.write(serialized(), to: url)
    }

    /// The Float32 tensor `name`, or an error naming the file's tensors.
    public func tensor(_ name: String) throws -> Tensor {
        guard let t = tensors[name] else {
            throw KestrelError(.invalidFile, "safetensors: no float tensor named \(name) (present: \(tensors.keys.sorted().prefix(20)))")
        }
        return t
    }
}

/// Writes whole files so that readers see either the old or the new content, never a mix,
/// and a crash or a kill right after `write` returns loses nothing: the data goes to a
/// temporary file in the same folder, is fsynced, renamed over the target, and the folder
/// is fsynced. A failed write removes its temporary file; temporary files left by a killed
/// process are removed by the next write of the same file.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        removeStaleTemporaries(of: url)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UUID().uuidString).tmp")
        do {
            try writeSynced(data, to: temporary.path)
            guard rename(temporary.path, url.path) == 0 else { throw posixError("rename to \(url.lastPathComponent)") }
            let directory = open(folder.path, O_RDONLY | O_DIRECTORY)
            if directory >= 0 {
                defer { close(directory) }
                guard fsync(directory) == 0 else { throw posixError("fsync of the folder") }
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw KestrelError(.invalidFile, "cannot write \(url.path): \(error)")
        }
    }

    private static func writeSynced(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw posixError("creating the temporary file") }
        defer { close(fd) }
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var done = 0
            while done < bytes.count {
                let n = systemWrite(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw posixError("writing")
                }
                done += n
            }
        }
        guard fsync(fd) == 0 else { throw posixError("fsync") }
    }

    /// Removes `.NAME.PID.UUID.tmp` files of `url` whose writing process no longer exists.
    private static func removeStaleTemporaries(of url: URL) {
        let folder = url.deletingLastPathComponent()
        let prefix = ".\(url.lastPathComponent)."
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let parts = name.dropFirst(prefix.count).split(separator: ".")
            guard parts.count == 3, let pid = Int32(parts[0]), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        }
    }

    private static func posixError(_ what: String) -> KestrelError {
        KestrelError(.invalidFile, "\(what) failed: \(String(cString: strerror(errno))) (errno \(errno))")
    }
}
