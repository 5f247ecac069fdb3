import KestrelCore

/// What the four window-pooling layers share: pool size, strides (default: the pool size)
/// and padding, over 1 or 2 spatial axes of a channels-last input. A 1-D input runs as
/// a one-row image.
public class PoolingLayer: Layer {
    /// The maximum or the mean of each window.
    package enum Reduction { case max, average }

    public let poolSize: [Int]
    public let strides: [Int]
    public let padding: ConvolutionPadding
    package let reduction: Reduction

    package init(poolSize: [Int], strides: [Int]?, padding: ConvolutionPadding, reduction: Reduction, name: String?) {
        let strides = strides ?? poolSize
        self.poolSize = poolSize
        self.strides = strides
        self.padding = padding
        self.reduction = reduction
        super.init(name: name)
    }

    package func geometry(_ shape: [Int]) throws -> ConvolutionGeometry {
        let spatial = poolSize.count
        try SpatialInput.check(shape, spatial: spatial, layer: self)
        let image = spatial == 1 ? SpatialInput.asImage(shape) : shape
        let k = spatial == 1 ? (1, poolSize[0]) : (poolSize[0], poolSize[1])
        let s = spatial == 1 ? (1, strides[0]) : (strides[0], strides[1])
        return try ConvolutionGeometry(inputShape: image, kernel: k, strides: s, padding: padding,
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
        let image = poolSize.count == 1 ? x.reshaped(g.inputShape) : x
        let y = reduction == .max ? maxPool2d(image, geometry: g) : averagePool2d(image, geometry: g)
        return [poolSize.count == 1 ? y.reshaped([g.batch, g.outWidth, g.inChannels]) : y]
    }

    public override var configuration: [String: Any] {
        ["pool_size": poolSize, "padding": padding.rawValue, "strides": strides, "data_format": "channels_last"]
    }
}

/// 2-D max pooling (Keras `MaxPooling2D`): the largest value of each window per channel.
public final class MaxPooling2D: PoolingLayer {
    public init(poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: ConvolutionPadding = .valid, name: String? = nil) {
        super.init(poolSize: [poolSize.0, poolSize.1], strides: strides.map { [$0.0, $0.1] }, padding: padding, reduction: .max, name: name)
    }

    /// Square window: `MaxPooling2D(2)`.
    public convenience init(_ poolSize: Int, strides: Int? = nil, padding: ConvolutionPadding = .valid, name: String? = nil) {
        self.init(poolSize: (poolSize, poolSize), strides: strides.map { ($0, $0) }, padding: padding, name: name)
    }
}

/// 2-D average pooling (Keras `AveragePooling2D`): the mean of each window's real cells.
public final class AveragePooling2D: PoolingLayer {
    public init(poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: ConvolutionPadding = .valid, name: String? = nil) {
        super.init(poolSize: [poolSize.0, poolSize.1], strides: strides.map { [$0.0, $0.1] }, padding: padding, reduction: .average, name: name)
    }

    /// Square window: `AveragePooling2D(2)`.
    public convenience init(_ poolSize: Int, strides: Int? = nil, padding: ConvolutionPadding = .valid, name: String? = nil) {
        self.init(poolSize: (poolSize, poolSize), strides: strides.map { ($0, $0) }, padding: padding, name: name)
    }
}

/// 1-D max pooling over steps (Keras `MaxPooling1D`).
public final class MaxPooling1D: PoolingLayer {
    public init(_ poolSize: Int = 2, strides: Int? = nil, padding: ConvolutionPadding = .valid, name: String? = nil) {
        super.init(poolSize: [poolSize], strides: strides.map { [$0] }, padding: padding, reduction: .max, name: name)
    }
}

/// 1-D average pooling over steps (Keras `AveragePooling1D`).
public final class AveragePooling1D: PoolingLayer {
    public init(_ poolSize: Int = 2, strides: Int? = nil, padding: ConvolutionPadding = .valid, name: String? = nil) {
        super.init(poolSize: [poolSize], strides: strides.map { [$0] }, padding: padding, reduction: .average, name: name)
    }
}

extension MaxPooling2D: KerasReadableLayer {
    /// The layer a Keras `MaxPooling2D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let (pool, strides, padding) = try ConvolutionConfig.pooling2D(c)
        return MaxPooling2D(poolSize: pool, strides: strides, padding: padding, name: c.name)
    }
}

extension AveragePooling2D: KerasReadableLayer {
    /// The layer a Keras `AveragePooling2D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let (pool, strides, padding) = try ConvolutionConfig.pooling2D(c)
        return AveragePooling2D(poolSize: pool, strides: strides, padding: padding, name: c.name)
    }
}

extension MaxPooling1D: KerasReadableLayer {
    /// The layer a Keras `MaxPooling1D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let (pool, strides, padding) = try ConvolutionConfig.pooling1D(c)
        return MaxPooling1D(pool, strides: strides, padding: padding, name: c.name)
    }
}

extension AveragePooling1D: KerasReadableLayer {
    /// The layer a Keras `AveragePooling1D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let (pool, strides, padding) = try ConvolutionConfig.pooling1D(c)
        return AveragePooling1D(pool, strides: strides, padding: padding, name: c.name)
    }
}
