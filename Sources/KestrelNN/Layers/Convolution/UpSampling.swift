import KestrelCore

/// 2-D upsampling of channels-last images by integer factors (Keras `UpSampling2D`):
/// `nearest` repeats rows then columns; `bilinear` interpolates with half-pixel centres
/// like `tf.image.resize`.
public final class UpSampling2D: Layer {
    /// How new pixels get their values.
    public enum Interpolation: String, Sendable { case nearest, bilinear }

    public let size: (Int, Int)
    public let interpolation: Interpolation

    public init(size: (Int, Int) = (2, 2), interpolation: Interpolation = .nearest, name: String? = nil) {
        self.size = size
        self.interpolation = interpolation
        super.init(name: name)
    }

    /// The same factor down and across: `UpSampling2D(2)`.
    public convenience init(_ size: Int, interpolation: Interpolation = .nearest, name: String? = nil) {
        self.init(size: (size, size), interpolation: interpolation, name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        try require(size.0 > 0 && size.1 > 0, "size must be positive, got \(size)")
        try SpatialInput.check(inputShapes[0], spatial: 2, layer: self)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        try SpatialInput.check(x.shape, spatial: 2, layer: self)
        return [interpolation == .nearest ? upsampleNearest2d(x, scale: size) : upsampleBilinear2d(x, scale: size)]
    }

    public override var configuration: [String: Any] {
        ["size": [size.0, size.1], "data_format": "channels_last", "interpolation": interpolation.rawValue]
    }
}

/// Repeats every step of a sequence `size` times (Keras `UpSampling1D`).
public final class UpSampling1D: Layer {
    public let size: Int

    public init(_ size: Int = 2, name: String? = nil) {
        self.size = size
        super.init(name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        try require(size > 0, "size must be positive, got \(size)")
        try SpatialInput.check(inputShapes[0], spatial: 1, layer: self)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        try SpatialInput.check(x.shape, spatial: 1, layer: self)
        let y = upsampleNearest2d(x.reshaped(SpatialInput.asImage(x.shape)), scale: (1, size))
        return [y.reshaped([x.shape[0], x.shape[1] * size, x.shape[2]])]
    }

    public override var configuration: [String: Any] { ["size": size] }
}

extension UpSampling2D: KerasReadableLayer {
    /// The layer a Keras `UpSampling2D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnless("data_format", is: "channels_last")
        let text = try c.string("interpolation", default: "nearest")
        guard let interpolation = UpSampling2D.Interpolation(rawValue: text) else {
            throw KestrelError(.unsupported, "UpSampling2D config: interpolation \"\(text)\" is not supported; Kestrel supports nearest and bilinear")
        }
        return UpSampling2D(size: try ConvolutionConfig.pair(c, "size", default: 2), interpolation: interpolation, name: c.name)
    }
}

extension UpSampling1D: KerasReadableLayer {
    /// The layer a Keras `UpSampling1D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        UpSampling1D(try c.int("size", default: 2), name: c.name)
    }
}
