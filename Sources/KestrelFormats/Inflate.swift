import Foundation
import KestrelCore
import KestrelNN

/// Raw DEFLATE decompression (RFC 1951), the compression inside gzip, zip, `.npz` and
/// `.keras` files, so Kestrel reads them without zlib. Malformed input throws
/// `KestrelError(.invalidFile, …)`.
public enum Inflate {
    /// Decompresses one raw DEFLATE stream; bytes after its final block are ignored.
    /// `expectedSize`, when known (zip headers, gzip ISIZE), only presizes the output.
    public static func decompress(_ data: Data, expectedSize: Int? = nil) throws -> Data {
        try data.withUnsafeBytes { raw in
            try decompress(raw, expectedSize: expectedSize).data
        }
    }

    /// Decompresses one stream from `raw`, returning the output and the number of input
    /// bytes the stream occupied.
    package static func decompress(_ raw: UnsafeRawBufferPointer, expectedSize: Int?) throws -> (data: Data, consumed: Int) {
        let inflater = Inflater(input: raw, capacityHint: presize(expectedSize, inputCount: raw.count))
        try inflater.inflateStream()
        return (inflater.takeOutput(), inflater.inputPosition)
    }

    /// A first output capacity: the claimed size, but no more than DEFLATE's maximum ratio allows.
    package static func presize(_ expectedSize: Int?, inputCount: Int) -> Int {
        let limit = inputCount.multipliedReportingOverflow(by: 1032).partialValue
        return min(max(expectedSize ?? inputCount * 4, 1024), max(limit, 1024))
    }
}
