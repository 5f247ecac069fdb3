import Foundation
import KestrelCore
import KestrelNN

/// A read-only zip archive held in memory: the central directory is parsed up front and
/// entries (stored or deflated, Zip64 sizes included) are extracted on demand with their
/// CRC-32 checked. `.npz` and Keras `.keras` files are zip archives.
public struct ZipArchive {
    private struct Entry {
        package let name: String
        package let method: Int
        package let crc32: UInt32
        package let compressedSize: Int
        package let uncompressedSize: Int
        package let localHeaderOffset: Int
    }

    private let archive: Data
    private let source: String
    private let entries: [String: Entry]
    /// Entry names in central-directory order.
    public let entryNames: [String]

    public init(contentsOf url: URL) throws {
        try self.init(data: try readFile(url, what: "zip"), source: url.lastPathComponent)
    }

    public init(data: Data, source: String = "data") throws {
        let data = data.startIndex == 0 ? data : Data(data)
        func fail(_ why: String) -> KestrelError {
            KestrelError(.invalidFile, "zip: \(source) is not a valid zip archive: \(why)")
        }
        func number(_ offset: Int, _ width: Int, _ what: String) throws -> Int {
            guard let v = data.unsignedInteger(at: offset, width: width), v <= UInt64(Int.max) else {
                throw fail("\(what) at byte \(offset) lies past the end of the \(data.count)-byte file (truncated?)")
            }
            return Int(v)
        }
        // The end-of-central-directory record is in the last 22 + 65535 bytes.
        guard data.count >= 22 else { throw fail("it is \(data.count) bytes long, shorter than an empty archive (22)") }
        var eocd = -1
        var candidate = data.count - 22
        while candidate >= max(0, data.count - 22 - 65535) {
            if data.unsignedInteger(at: candidate, width: 4) == 0x0605_4B50 {
                eocd = candidate
                break
            }
            candidate -= 1
        }
        guard eocd >= 0 else { throw fail("no end-of-central-directory record (not a zip file, or truncated)") }
        let commentLength = try number(eocd + 20, 2, "archive comment length")
        guard commentLength <= data.count - eocd - 22 else {
            throw fail("the archive comment claims \(commentLength) bytes but \(data.count - eocd - 22) remain (truncated?)")
        }
        var entryCount = try number(eocd + 10, 2, "entry count")
        var directorySize = try number(eocd + 12, 4, "central directory size")
        var directoryOffset = try number(eocd + 16, 4, "central directory offset")
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            guard eocd >= 20, data.unsignedInteger(at: eocd - 20, width: 4) == 0x0706_4B50 else {
                throw fail("the directory needs Zip64 but there is no Zip64 locator")
            }
            let record = try number(eocd - 12, 8, "Zip64 record offset")
            guard data.unsignedInteger(at: record, width: 4) == 0x0606_4B50 else {
                throw fail("no Zip64 end-of-central-directory record at byte \(record)")
            }
            entryCount = try number(record + 32, 8, "Zip64 entry count")
            directorySize = try number(record + 40, 8, "Zip64 directory size")
            directoryOffset = try number(record + 48, 8, "Zip64 directory offset")
        }
        guard directoryOffset <= data.count, directorySize <= data.count - directoryOffset else {
            throw fail("the central directory (\(directorySize) bytes at \(directoryOffset)) lies outside the \(data.count)-byte file")
        }
        var entries: [String: Entry] = [:]
        var names: [String] = []
        var offset = directoryOffset
        for index in 0..<entryCount {
            guard offset + 46 <= directoryOffset + directorySize,
                  data.unsignedInteger(at: offset, width: 4) == 0x0201_4B50 else {
                throw fail("central directory entry \(index) of \(entryCount) is missing or damaged")
            }
            let flags = try number(offset + 8, 2, "flags")
            let method = try number(offset + 10, 2, "method")
            let crc = UInt32(try number(offset + 16, 4, "CRC"))
            var compressedSize = try number(offset + 20, 4, "compressed size")
            var uncompressedSize = try number(offset + 24, 4, "size")
            let nameLength = try number(offset + 28, 2, "name length")
            let extraLength = try number(offset + 30, 2, "extra length")
            let commentLength = try number(offset + 32, 2, "comment length")
            var localOffset = try number(offset + 42, 4, "local header offset")
            let nameStart = offset + 46
            guard nameStart + nameLength + extraLength + commentLength <= directoryOffset + directorySize else {
                throw fail("central directory entry \(index) runs past the directory's end")
            }
            let name = String(decoding: data[nameStart..<(nameStart + nameLength)], as: UTF8.self)
            // Zip64 extended information: 8-byte values for the fields that are saturated.
            var extra = nameStart + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = try number(extra, 2, "extra id"), size = try number(extra + 2, 2, "extra size")
                guard extra + 4 + size <= extraEnd else { throw fail("entry \(name): extra field runs past its end") }
                if id == 0x0001 {
                    var field = extra + 4
                    func next() throws -> Int {
                        guard field + 8 <= extra + 4 + size else { throw fail("entry \(name): Zip64 field is too short") }
                        field += 8
                        return try number(field - 8, 8, "Zip64 value")
                    }
                    if uncompressedSize == 0xFFFF_FFFF { uncompressedSize = try next() }
                    if compressedSize == 0xFFFF_FFFF { compressedSize = try next() }
                    if localOffset == 0xFFFF_FFFF { localOffset = try next() }
                }
                extra += 4 + size
            }
            guard flags & 1 == 0 else {
                throw KestrelError(.unsupported, "zip: \(source): entry \(name) is encrypted")
            }
            let entry = Entry(name: name, method: method, crc32: crc, compressedSize: compressedSize,
                              uncompressedSize: uncompressedSize, localHeaderOffset: localOffset)
            if entries[name] == nil {
                entries[name] = entry
                names.append(name)
            }
            offset = extraEnd + commentLength
        }
        self.archive = data
        self.source = source
        self.entries = entries
        self.entryNames = names
    }

    /// The uncompressed bytes of entry `name`, verified against its CRC-32 and size.
    public func data(for name: String) throws -> Data {
        guard let entry = entries[name] else {
            throw KestrelError(.invalidArgument, "zip: \(source) has no entry named \(name) (entries: \(entryNames.prefix(20)))")
        }
        func fail(_ why: String) -> KestrelError {
            KestrelError(.invalidFile, "zip: \(source): entry \(name): \(why)")
        }
        let header = entry.localHeaderOffset
        guard archive.unsignedInteger(at: header, width: 4) == 0x0403_4B50,
              let nameLength = archive.unsignedInteger(at: header + 26, width: 2),
              let extraLength = archive.unsignedInteger(at: header + 28, width: 2) else {
            throw fail("no local file header at byte \(header)")
        }
        let start = header + 30 + Int(nameLength) + Int(extraLength)
        guard start <= archive.count, entry.compressedSize <= archive.count - start else {
            throw fail("its \(entry.compressedSize) compressed bytes at \(start) run past the end of the archive (truncated?)")
        }
        let compressed = archive[start..<(start + entry.compressedSize)]
        let content: Data
        switch entry.method {
        case 0: content = Data(compressed)
        case 8:
            do {
                content = try Inflate.decompress(compressed, expectedSize: entry.uncompressedSize)
            } catch let error as KestrelError {
                throw fail(error.message)
            }
        default:
            throw KestrelError(.unsupported, "zip: \(source): entry \(name) uses compression method \(entry.method); only stored (0) and deflate (8) are supported")
        }
        guard content.count == entry.uncompressedSize else {
            throw fail("it holds \(content.count) bytes but the directory says \(entry.uncompressedSize)")
        }
        let crc = CRC32.checksum(content)
        guard crc == entry.crc32 else {
            throw fail("CRC-32 is \(String(crc, radix: 16)) but the directory says \(String(entry.crc32, radix: 16)) (corrupted)")
        }
        return content
    }
}
