import Foundation
import KestrelCore

/// Builds a zip archive of stored (uncompressed) entries in memory, as Python's
/// `zipfile` writes a Keras `.keras` file. Entries over 4 GiB (Zip64) are refused.
public struct ZipWriter {
    private var bytes: [UInt8] = []
    private var directory: [UInt8] = []
    private var count = 0

    public init() {}

    /// Appends one entry; `name` is its path inside the archive.
    public mutating func add(_ name: String, _ data: Data) throws {
        let nameBytes = Array(name.utf8)
        guard data.count < 0xFFFF_FFFF, bytes.count < 0xFFFF_FFFF - data.count, nameBytes.count < 0xFFFF, count < 0xFFFF else {
            throw KestrelError(.invalidArgument, "zip: \(name) (\(data.count) bytes) does not fit a zip archive without Zip64; Kestrel writes archives up to 4 GiB")
        }
        let crc = CRC32.checksum(data)
        let offset = bytes.count
        // Local header: version 2.0, UTF-8 names (bit 11), stored, no time stamp.
        var local = LittleEndianBytes()
        local.u32(0x0403_4B50); local.u16(20); local.u16(0x0800); local.u16(0); local.u16(0); local.u16(0x21)
        local.u32(Int(crc)); local.u32(data.count); local.u32(data.count); local.u16(nameBytes.count); local.u16(0)
        bytes += local.bytes + nameBytes
        bytes += data
        var central = LittleEndianBytes()
        central.u32(0x0201_4B50); central.u16(20); central.u16(20); central.u16(0x0800); central.u16(0)
        central.u16(0); central.u16(0x21); central.u32(Int(crc)); central.u32(data.count); central.u32(data.count)
        central.u16(nameBytes.count); central.u16(0); central.u16(0); central.u16(0); central.u16(0)
        central.u32(0o100644 << 16); central.u32(offset)
        directory += central.bytes + nameBytes
        count += 1
    }

    /// The archive: entries, central directory and end record.
    public var data: Data {
        var end = LittleEndianBytes()
        end.u32(0x0605_4B50); end.u16(0); end.u16(0); end.u16(count); end.u16(count)
        end.u32(directory.count); end.u32(bytes.count); end.u16(0)
        return Data(bytes + directory + end.bytes)
    }
}
