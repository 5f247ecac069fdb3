import Foundation
import KestrelCore

/// Decodes PNG files without libpng: every colour type and bit depth, palettes, tRNS
/// transparency and Adam7 interlacing, samples as `PNGSampleLayout` describes (what libpng
/// with png_set_expand and png_set_tRNS_to_alpha gives, as TensorFlow's decode_png does).
/// Every chunk CRC and the zlib Adler-32 are verified, sizes are checked against
/// `PNGHeader`'s limits before anything is allocated, and the image data must inflate to
/// exactly the bytes its rows need; damaged or hostile files throw `KestrelError`.
public enum PNGDecoder {
    /// The image in the PNG bytes `data`; `source` (the file name) names it in errors.
    public static func decode(_ data: Data, source: String) throws -> DecodedImage {
        try data.withUnsafeBytes { raw in
            let chunks = try PNGChunks(raw, source: source)
            let header = chunks.header
            let layout = PNGSampleLayout(header: header, palette: chunks.palette, transparency: chunks.transparency)
            let sampleCount = header.width * header.height * layout.channels
            guard sampleCount <= PNGHeader.maximumSamples else {
                throw KestrelError(.unsupported, "PNG: \(source): the \(header.width)×\(header.height) image has \(layout.channels) channel\(layout.channels == 1 ? "" : "s"), \(sampleCount) samples, more than the \(PNGHeader.maximumSamples) Kestrel decodes; resize it first")
            }
            let passes = PNGPass.passes(for: header)
            let filteredSize = passes.reduce(0) { $0 + $1.filteredByteCount }
            var rows = try chunks.imageData.withUnsafeBytes { compressed in
                try ZlibStream.inflate(compressed, exactSize: filteredSize, what: "PNG: \(source): IDAT")
            }
            var samples = [UInt16](repeating: 0, count: sampleCount)
            var scratch = [UInt16](repeating: 0, count: layout.scratchCount(pixels: header.width))
            try rows.withUnsafeMutableBytes { rowBytes in
                try samples.withUnsafeMutableBufferPointer { output in
                    try scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                        guard let base = rowBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                              let image = output.baseAddress, let scratch = scratchBuffer.baseAddress else { return }
                        var passStart = base
                        for pass in passes {
                            try PNGUnfiltering.unfilter(passStart, pass: pass, bytesPerPixel: header.filterBytesPerPixel, source: source)
                            for r in 0..<pass.height {
                                let imageRow = pass.firstRow + r * pass.rowStep
                                try layout.expand(passStart + r * (pass.rowBytes + 1) + 1, pixels: pass.width,
                                                  into: image + (imageRow * header.width + pass.firstColumn) * layout.channels,
                                                  pixelStride: pass.columnStep * layout.channels, scratch: scratch, source: source)
                            }
                            passStart += pass.filteredByteCount
                        }
                    }
                }
            }
            return DecodedImage(width: header.width, height: header.height, channels: layout.channels,
                                maximumValue: layout.maximumValue, samples: samples)
        }
    }
}

/// A byte as two upper-case hexadecimal digits, as error messages show file bytes.
func hexByte(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return digits.count == 1 ? "0" + digits : digits
}
