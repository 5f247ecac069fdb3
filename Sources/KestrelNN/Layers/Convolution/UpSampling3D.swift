import KestrelCore

/// 3-D nearest-neighbour upsampling of channels-last volumes by integer factors (Keras
/// `UpSampling3D`): every cell repeated `size` times along depth, rows and cols.
public final class UpSampling3D: Layer {
    public let size: (Int, Int, Int)

    public init(size: (Int, Int, Int) = (2, 2, 2), name: String? = nil) {
        self.size = size
        super.init(name: name)
    }

    /// The same factor along every axis: `UpSampling3D(2)`.
    public convenience init(_ size: Int, name: String? = nil) { self.init(size: (size, size, size), name: name) }

    public override func build(inputShapes: [[Int]]) throws {
        try require(size.0 > 0 && size.1 > 0 && size.2 > 0, "size must be positive, got \(size); pass factors ≥ 1")
        try SpatialInput.check(inputShapes[0], spatial: 3, layer: self)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        try SpatialInput.check(x.shape, spatial: 3, layer: self)
        return [upsampleNearest3d(x, scale: [size.0, size.1, size.2])]
    }

    public override var configuration: [String: Any] { ["size": [size.0, size.1, size.2], "data_format": "channels_last"] }
}

extension UpSampling3D: KerasReadableLayer {
    /// The layer a Keras `UpSampling3D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnless("data_format", is: "channels_last")
        let s = try ConvolutionConfig.triple(c, "size", default: 2)
        return UpSampling3D(size: (s[0], s[1], s[2]), name: c.name)
    }
}
