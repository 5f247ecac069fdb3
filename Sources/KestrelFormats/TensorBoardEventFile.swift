import Foundation
import KestrelCore

/// One TensorBoard event file (`events.out.tfevents.<time>.<host>`): TFRecord records, each
/// an `Event` protobuf — the file-version header, then scalar summaries. Records are
/// appended and fsynced on `flush`, so a killed run keeps every flushed point.
final class TensorBoardEventFile {
    let url: URL
    private let handle: FileHandle
    private var pending = LittleEndianBytes()

    init(directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw KestrelError(.invalidFile, "TensorBoard: cannot create the log folder \(directory.path): \(error.localizedDescription)")
        }
        let stamp = Int(Date().timeIntervalSince1970)
        let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_")
        url = directory.appendingPathComponent("events.out.tfevents.\(stamp).\(host).\(getpid()).kestrel")
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = try? FileHandle(forWritingTo: url) else {
            throw KestrelError(.invalidFile, "TensorBoard: cannot create \(url.path); check that the log folder is writable")
        }
        self.handle = handle
        var header = ProtobufMessage()
        header.double(1, Date().timeIntervalSince1970)
        header.string(3, "brain.Event:2")
        append(header)
        try flush()
    }

    deinit { try? handle.close() }

    /// Queues the scalar `value` under `tag` at `step`.
    func scalar(_ tag: String, _ value: Float, step: Int) {
        var summaryValue = ProtobufMessage()
        summaryValue.string(1, tag)
        summaryValue.float(2, value)
        var summary = ProtobufMessage()
        summary.message(1, summaryValue)
        var event = ProtobufMessage()
        event.double(1, Date().timeIntervalSince1970)
        event.int(2, step)
        event.message(5, summary)
        append(event)
    }

    /// Writes the queued records and syncs them to disk.
    func flush() throws {
        guard !pending.bytes.isEmpty else { return }
        do {
            try handle.write(contentsOf: pending.bytes)
            try handle.synchronize()
        } catch {
            throw KestrelError(.invalidFile, "TensorBoard: cannot write \(url.path): \(error.localizedDescription)")
        }
        pending.bytes.removeAll(keepingCapacity: true)
    }

    /// A TFRecord: length, masked CRC of the length, the data, masked CRC of the data.
    private func append(_ event: ProtobufMessage) {
        let data = event.bytes
        var length = LittleEndianBytes()
        length.u64(UInt64(data.count))
        pending.append(length.bytes)
        pending.u32(Int(CRC32C.masked(length.bytes)))
        pending.append(data)
        pending.u32(Int(CRC32C.masked(data)))
    }
}
