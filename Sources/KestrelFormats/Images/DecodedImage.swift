import Foundation
import KestrelCore

/// A picture decoded from a PNG or JPEG file: interleaved samples, rows top to bottom,
/// with the channels the file stores (1 gray, 2 gray + alpha, 3 RGB, 4 RGBA). Samples keep
/// the file's precision (`maximumValue` is 255 for 8-bit files, 65535 for 16-bit PNGs), so
/// callers choose how to scale; `ImageFile.decode` picks the decoder from the file's signature.
public struct DecodedImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// 255 or 65535: the value of a fully saturated sample.
    public let maximumValue: Int
    /// `height × width × channels` samples.
    public let samples: [UInt16]

    public init(width: Int, height: Int, channels: Int, maximumValue: Int, samples: [UInt16]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.maximumValue = maximumValue
        self.samples = samples
    }
}
