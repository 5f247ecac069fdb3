import Foundation
import KestrelCore

/// How a PNG's stored samples become `DecodedImage` samples, as libpng's png_set_expand and
/// png_set_tRNS_to_alpha give them (what TensorFlow's decode_png and Pillow show): palette
/// indices become RGB, or RGBA with tRNS's alphas (255 past its end); gray below 8 bits is
/// scaled to 0...255 (value × 255 / (2^depth − 1)); a gray or RGB image with a tRNS colour
/// gains an alpha channel, 0 where a pixel equals that colour and the maximum elsewhere;
/// 16-bit samples stay 16-bit.
struct PNGSampleLayout {
    private enum Conversion {
        case direct
        case grayKey(UInt16)
        case rgbKey(UInt16, UInt16, UInt16)
        case palette
    }

    private let conversion: Conversion
    private let bitDepth: Int
    private let storedChannels: Int
    /// Decoded samples per pixel.
    let channels: Int
    /// 255, or 65535 for 16-bit images.
    let maximumValue: Int
    /// The factor that brings gray below 8 bits to 0...255; 1 otherwise.
    private let scale: UInt16
    /// Four samples (R, G, B, alpha) per palette entry.
    private let paletteTable: [UInt16]
    private let paletteCount: Int

    init(header: PNGHeader, palette: [UInt8], transparency: [UInt8]?) {
        bitDepth = header.bitDepth
        storedChannels = header.colorType.storedChannels
        maximumValue = header.bitDepth == 16 ? 65535 : 255
        scale = header.colorType == .gray && header.bitDepth < 8 ? UInt16(255 / ((1 << header.bitDepth) - 1)) : 1
        func key(_ k: Int) -> UInt16 {
            guard let transparency else { return 0 }
            return UInt16(transparency[2 * k]) << 8 | UInt16(transparency[2 * k + 1])
        }
        var table = [UInt16]()
        switch header.colorType {
        case .gray where transparency != nil:
            conversion = .grayKey(key(0))
            channels = 2
        case .rgb where transparency != nil:
            conversion = .rgbKey(key(0), key(1), key(2))
            channels = 4
        case .palette:
            conversion = .palette
            channels = transparency == nil ? 3 : 4
            let alphas = transparency ?? []
            table.reserveCapacity(palette.count / 3 * 4)
            for entry in 0..<(palette.count / 3) {
                table += [UInt16(palette[3 * entry]), UInt16(palette[3 * entry + 1]), UInt16(palette[3 * entry + 2]),
                          entry < alphas.count ? UInt16(alphas[entry]) : 255]
            }
        case .gray, .rgb, .grayAlpha, .rgba:
            conversion = .direct
            channels = storedChannels
        }
        paletteTable = table
        paletteCount = palette.count / 3
    }

    /// Stored samples in a row `pixels` wide: the size of `expand`'s scratch buffer.
    func scratchCount(pixels: Int) -> Int { pixels * storedChannels }

    /// Decodes the `pixels` pixels of one unfiltered `row`, writing pixel k's samples at
    /// `output + k × pixelStride`. `scratch` holds `scratchCount(pixels:)` samples.
    func expand(_ row: UnsafePointer<UInt8>, pixels: Int, into output: UnsafeMutablePointer<UInt16>, pixelStride: Int,
                scratch: UnsafeMutablePointer<UInt16>, source: String) throws {
        unpack(row, count: pixels * storedChannels, into: scratch)
        switch conversion {
        case .direct:
            for k in 0..<pixels {
                for c in 0..<storedChannels { output[k * pixelStride + c] = scratch[k * storedChannels + c] * scale }
            }
        case .grayKey(let key):
            let opaque = UInt16(maximumValue)
            for k in 0..<pixels {
                let gray = scratch[k]
                output[k * pixelStride] = gray * scale
                output[k * pixelStride + 1] = gray == key ? 0 : opaque
            }
        case .rgbKey(let red, let green, let blue):
            let opaque = UInt16(maximumValue)
            for k in 0..<pixels {
                let r = scratch[3 * k], g = scratch[3 * k + 1], b = scratch[3 * k + 2]
                let out = output + k * pixelStride
                out[0] = r
                out[1] = g
                out[2] = b
                out[3] = r == red && g == green && b == blue ? 0 : opaque
            }
        case .palette:
            try paletteTable.withUnsafeBufferPointer { table in
                for k in 0..<pixels {
                    let index = Int(scratch[k])
                    guard index < paletteCount else {
                        throw KestrelError(.invalidFile, "PNG: \(source): a pixel uses palette index \(index) but the palette has \(paletteCount) entries (the file is corrupted)")
                    }
                    for c in 0..<channels { output[k * pixelStride + c] = table[4 * index + c] }
                }
            }
        }
    }

    /// The row's samples as integers: big-endian pairs at 16 bits, bytes at 8, and below 8
    /// bits packed most significant first.
    private func unpack(_ row: UnsafePointer<UInt8>, count: Int, into samples: UnsafeMutablePointer<UInt16>) {
        switch bitDepth {
        case 16:
            for i in 0..<count { samples[i] = UInt16(row[2 * i]) << 8 | UInt16(row[2 * i + 1]) }
        case 8:
            for i in 0..<count { samples[i] = UInt16(row[i]) }
        default:
            let mask = (1 << bitDepth) - 1
            for i in 0..<count {
                let bit = i * bitDepth
                samples[i] = UInt16((Int(row[bit >> 3]) >> (8 - bitDepth - (bit & 7))) & mask)
            }
        }
    }
}
