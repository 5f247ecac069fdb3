import Foundation
import KestrelCore
import KestrelNN

/// The CRC-32 checksum of gzip, zip and PNG (IEEE 802.3 polynomial, reflected), used to
/// verify that decompressed data is exactly what the archive's writer compressed.
public enum CRC32 {
    /// The checksum of `bytes`, continuing from `initial` (the checksum of earlier bytes).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress else { return initial }
        return table.withUnsafeBufferPointer { t in
            var crc = ~initial
            var p = base.assumingMemoryBound(to: UInt8.self)
            var n = bytes.count
            while n >= 8 {
                let lo = UInt32(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt32.self)) ^ crc
                let hi = UInt32(littleEndian: UnsafeRawPointer(p + 4).loadUnaligned(as: UInt32.self))
                crc = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                p += 8
                n -= 8
            }
            while n > 0 {
                crc = t[Int((crc ^ UInt32(p.pointee)) & 0xFF)] ^ (crc >> 8)
                p += 1
                n -= 1
            }
            return ~crc
        }
    }

    /// The checksum of `data`.
    public static func checksum(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { checksum($0) }
    }

    /// Slicing-by-8 tables: table k advances the CRC over k further zero bytes.
    private static let table: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let previous = t[(k - 1) * 256 + i]
                t[k * 256 + i] = t[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return t
    }()
}
