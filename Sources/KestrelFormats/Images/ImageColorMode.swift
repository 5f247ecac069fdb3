import KestrelCore

/// The channels an image is loaded with (Keras's `color_mode`), whatever the file stores.
public enum ImageColorMode: String, Sendable, CaseIterable {
    case grayscale, rgb, rgba

    public var channels: Int {
        switch self {
        case .grayscale: 1
        case .rgb: 3
        case .rgba: 4
        }
    }
}

extension DecodedImage {
    /// The image as a float tensor of shape (height, width, channels) holding 0...255,
    /// converted to `mode` as TensorFlow's `decode_image(channels:)` converts it (which is what
    /// Keras's image loading uses): gray is replicated into RGB, alpha is dropped without
    /// compositing, a missing alpha is opaque, colour becomes gray with libpng's weights
    /// (9797, 19234, 3737)/32768 rounded down, and 16-bit samples keep their high byte.
    public func tensor(colorMode mode: ImageColorMode) -> Tensor {
        let pixels = width * height, source = channels, target = mode.channels
        let shift = maximumValue > 255 ? 8 : 0
        let hasColor = source >= 3, hasAlpha = source == 2 || source == 4
        return samples.withUnsafeBufferPointer { s in
            Tensor(shape: [height, width, target]) { out, _ in
                for i in 0..<pixels {
                    let p = s.baseAddress! + i * source
                    let (r, g, b) = hasColor ? (UInt32(p[0]), UInt32(p[1]), UInt32(p[2])) : (UInt32(p[0]), UInt32(p[0]), UInt32(p[0]))
                    let o = out + i * target
                    if target == 1 {
                        let gray = hasColor ? (9797 * r + 19234 * g + 3737 * b) >> 15 : r
                        o[0] = Float(gray >> shift)
                    } else {
                        o[0] = Float(r >> shift)
                        o[1] = Float(g >> shift)
                        o[2] = Float(b >> shift)
                        if target == 4 { o[3] = hasAlpha ? Float(UInt32(p[source - 1]) >> shift) : 255 }
                    }
                }
            }
        }
    }
}
