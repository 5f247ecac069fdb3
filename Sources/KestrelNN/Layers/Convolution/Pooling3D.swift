import KestrelCore

/// What MaxPooling3D and AveragePooling3D share: pool size, strides (default: the pool
/// size) and padding over the three spatial axes of a channels-last volume.
public class Pooling3DLayer: Layer {
    public let poolSize: [Int]
    public let strides: [Int]
    public let padding: ConvolutionPadding
    package let reduction: PoolingLayer.Reduction

    package init(poolSize: (Int, Int, Int), strides: (Int, Int, Int)?, padding: ConvolutionPadding,
                 reduction: PoolingLayer.Reduction, name: String?) {
        let pool = [poolSize.0, poolSize.1, poolSize.2]
        self.poolSize = pool
        self.strides = strides.map { [$0.0, $0.1, $0.2] } ?? pool
        self.padding = padding
        self.reduction = reduction
        super.init(name: name)
    }

    package func geometry(_ shape: [Int]) throws -> VolumeGeometry {
        try SpatialInput.check(shape, spatial: 3, layer: self)
        return try VolumeGeometry(inputShape: shape, kernel: poolSize, strides: strides, padding: padding,
                                  layer: "\(name) (\(Self.kerasClassName))")
    }

    public override func build(inputShapes: [[Int]]) throws {
        try SpatialInput.checkWindowArguments(of: self, padding: padding, strides: strides)
        _ = try geometry(inputShapes[0])
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        let g = try geometry(x.shape)
        return [reduction == .max ? maxPool3d(x, geometry: g) : averagePool3d(x, geometry: g)]
    }

    public override var configuration: [String: Any] {
        ["pool_size": poolSize, "padding": padding.rawValue, "strides": strides, "data_format": "channels_last"]
    }
}

/// 3-D max pooling (Keras `MaxPooling3D`): the largest value of each window per channel.
public final class MaxPooling3D: Pooling3DLayer {
    public init(poolSize: (Int, Int, Int) = (2, 2, 2), strides: (Int, Int, Int)? = nil, padding: ConvolutionPadding = .valid,
                name: String? = nil) {
        super.init(poolSize: poolSize, strides: strides, padding: padding, reduction: .max, name: name)
    }

    /// Cubic window: `MaxPooling3D(2)`.
    public convenience init(_ poolSize: Int, strides: Int? = nil, padding: ConvolutionPadding = .valid, name: String? = nil) {
        self.init(poolSize: (poolSize, poolSize, poolSize), strides: strides.map { ($0, $0, $0) }, padding: padding, name: name)
    }
}

/// 3-D average pooling (Keras `AveragePooling3D`): the mean of each window's real cells.
public final class AveragePooling3D: Pooling3DLayer {
    public init(poolSize: (Int, Int, Int) = (2, 2, 2), strides: (Int, Int, Int)? = nil, padding: ConvolutionPadding = .valid,
                name: String? = nil) {
        super.init(poolSize: poolSize, strides: strides, padding: padding, reduction: .average, name: name)
    }

    /// Cubic window: `AveragePooling3D(2)`.
    public convenience init(_ poolSize: Int, strides: Int? = nil, padding: ConvolutionPadding = .valid, name: String? = nil) {
        self.init(poolSize: (poolSize, poolSize, poolSize), strides: strides.map { ($0, $0, $0) }, padding: padding, name: name)
    }
}

extension MaxPooling3D: KerasReadableLayer {
    /// The layer a Keras `MaxPooling3D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let (p, s, padding) = try ConvolutionConfig.pooling3D(c)
        return MaxPooling3D(poolSize: (p[0], p[1], p[2]), strides: s.map { ($0[0], $0[1], $0[2]) }, padding: padding, name: c.name)
    }
}

extension AveragePooling3D: KerasReadableLayer {
    /// The layer a Keras `AveragePooling3D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let (p, s, padding) = try ConvolutionConfig.pooling3D(c)
        return AveragePooling3D(poolSize: (p[0], p[1], p[2]), strides: s.map { ($0[0], $0[1], $0[2]) }, padding: padding, name: c.name)
    }
}
