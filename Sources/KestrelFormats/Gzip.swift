import Foundation
import KestrelCore
import KestrelNN

/// gzip files (RFC 1952): the header (with optional extra field, name, comment and header
/// CRC), one or more DEFLATE members, each verified by its CRC-32 and length. Datasets
/// such as Fashion-MNIST ship gzipped.
public enum Gzip {
    /// Whether `data` starts with the gzip magic bytes 1f 8b.
    public static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// The concatenated contents of every member of the gzip file `data`.
    public static func decompress(_ data: Data, source: String = "data") throws -> Data {
        func fail(_ why: String) -> KestrelError {
            KestrelError(.invalidFile, "gzip: \(source) is not a valid gzip file: \(why)")
        }
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Data in
            guard raw.count > 0 else { throw fail("it is empty") }
            let bytes = raw.bindMemory(to: UInt8.self)
            let trailerSize = raw.count >= 4 ? Int(UInt32(bytes[raw.count - 4]) | UInt32(bytes[raw.count - 3]) << 8
                                                   | UInt32(bytes[raw.count - 2]) << 16 | UInt32(bytes[raw.count - 1]) << 24) : nil
            let inflater = Inflater(input: raw, capacityHint: Inflate.presize(trailerSize, inputCount: raw.count))
            var offset = 0
            var member = 0
            while offset < raw.count {
                func need(_ n: Int, _ what: String) throws {
                    guard raw.count - offset >= n else { throw fail("member \(member) ends inside its \(what) (truncated?)") }
                }
                let headerStart = offset
                let hasMagic = raw.count - offset >= 2 && bytes[offset] == 0x1F && bytes[offset + 1] == 0x8B
                guard hasMagic || member == 0 else {
                    throw fail("\(raw.count - offset) bytes after member \(member - 1) are not another gzip member")
                }
                guard hasMagic else { throw fail("it does not start with the gzip magic 1f 8b") }
                try need(10, "header")
                guard bytes[offset + 2] == 8 else { throw fail("member \(member) uses compression method \(bytes[offset + 2]); only 8 (deflate) exists") }
                let flags = bytes[offset + 3]
                guard flags & 0xE0 == 0 else { throw fail("member \(member) sets reserved header flags (\(flags))") }
                offset += 10
                if flags & 0x04 != 0 {
                    try need(2, "extra field length")
                    let extraLength = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
                    offset += 2
                    try need(extraLength, "extra field")
                    offset += extraLength
                }
                for (flag, what) in [(UInt8(0x08), "file name"), (0x10, "comment")] where flags & flag != 0 {
                    guard let end = (offset..<raw.count).first(where: { bytes[$0] == 0 }) else {
                        throw fail("member \(member) ends inside its \(what) (truncated?)")
                    }
                    offset = end + 1
                }
                if flags & 0x02 != 0 {
                    try need(2, "header CRC")
                    let stored = UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
                    let actual = UInt16(truncatingIfNeeded: CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[headerStart..<offset])))
                    guard stored == actual else { throw fail("member \(member) header CRC is \(stored) but the header's CRC is \(actual)") }
                    offset += 2
                }
                let outputStart = inflater.outputCount
                inflater.seek(to: offset)
                do {
                    try inflater.inflateStream()
                } catch let error as KestrelError {
                    throw fail("member \(member): \(error.message)")
                }
                offset = inflater.inputPosition
                try need(8, "trailer")
                let storedCRC = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
                let storedSize = UInt32(bytes[offset + 4]) | UInt32(bytes[offset + 5]) << 8 | UInt32(bytes[offset + 6]) << 16 | UInt32(bytes[offset + 7]) << 24
                offset += 8
                let content = inflater.outputBytes(from: outputStart)
                let actualCRC = CRC32.checksum(content)
                guard actualCRC == storedCRC else {
                    throw fail("member \(member) CRC-32 is \(String(storedCRC, radix: 16)) in the trailer but \(String(actualCRC, radix: 16)) for the inflated data (corrupted)")
                }
                guard UInt32(truncatingIfNeeded: content.count) == storedSize else {
                    throw fail("member \(member) inflates to \(content.count) bytes but the trailer says \(storedSize) (mod 2^32)")
                }
                member += 1
            }
            return inflater.takeOutput()
        }
    }

    /// Reads and decompresses the gzip file at `url`.
    public static func decompress(contentsOf url: URL) throws -> Data {
        try decompress(try readFile(url, what: "gzip"), source: url.lastPathComponent)
    }
}

/// Reads a whole file, turning Foundation's error into a KestrelError naming the path.
package func readFile(_ url: URL, what: String) throws -> Data {
    do {
        return try Data(contentsOf: url, options: .mappedIfSafe)
    } catch {
        throw KestrelError(.invalidFile, "\(what): cannot read \(url.path): \(error.localizedDescription)")
    }
}
