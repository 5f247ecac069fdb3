import KestrelCore

/// Global pooling (Keras `Global{Max,Average}Pooling{1,2}D`): the maximum or mean of each
/// channel over every step or pixel — (samples, …, channels) → (samples, channels), or
/// (samples, 1, …, channels) with `keepdims`. The usual bridge from feature maps to a
/// classifier without a Flatten's parameter count.
public class GlobalPoolingLayer: Layer {
    public let keepdims: Bool
    package let spatial: Int
    package let takesMaximum: Bool

    package init(spatial: Int, maximum: Bool, keepdims: Bool, name: String?) {
        self.spatial = spatial
        self.takesMaximum = maximum
        self.keepdims = keepdims
        super.init(name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        try SpatialInput.check(inputShapes[0], spatial: spatial, layer: self)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        try SpatialInput.check(x.shape, spatial: spatial, layer: self)
        let axes = Array(1...spatial)
        return [takesMaximum ? x.max(alongAxes: axes, keepingDimensions: keepdims)
                : x.mean(alongAxes: axes, keepingDimensions: keepdims)]
    }

    public override var configuration: [String: Any] { ["data_format": "channels_last", "keepdims": keepdims] }
}

/// Per-channel maximum over all pixels (Keras `GlobalMaxPooling2D`).
public final class GlobalMaxPooling2D: GlobalPoolingLayer {
    public init(keepdims: Bool = false, name: String? = nil) { super.init(spatial: 2, maximum: true, keepdims: keepdims, name: name) }
}

/// Per-channel mean over all pixels (Keras `GlobalAveragePooling2D`).
public final class GlobalAveragePooling2D: GlobalPoolingLayer {
    public init(keepdims: Bool = false, name: String? = nil) { super.init(spatial: 2, maximum: false, keepdims: keepdims, name: name) }
}

/// Per-channel maximum over all steps (Keras `GlobalMaxPooling1D`).
public final class GlobalMaxPooling1D: GlobalPoolingLayer {
    public init(keepdims: Bool = false, name: String? = nil) { super.init(spatial: 1, maximum: true, keepdims: keepdims, name: name) }
}

/// Per-channel mean over all steps (Keras `GlobalAveragePooling1D`).
public final class GlobalAveragePooling1D: GlobalPoolingLayer {
    public init(keepdims: Bool = false, name: String? = nil) { super.init(spatial: 1, maximum: false, keepdims: keepdims, name: name) }
}

extension GlobalMaxPooling2D: KerasReadableLayer {
    /// The layer a Keras `GlobalMaxPooling2D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        GlobalMaxPooling2D(keepdims: try ConvolutionConfig.keepdims(c), name: c.name)
    }
}

extension GlobalAveragePooling2D: KerasReadableLayer {
    /// The layer a Keras `GlobalAveragePooling2D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        GlobalAveragePooling2D(keepdims: try ConvolutionConfig.keepdims(c), name: c.name)
    }
}

extension GlobalMaxPooling1D: KerasReadableLayer {
    /// The layer a Keras `GlobalMaxPooling1D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        GlobalMaxPooling1D(keepdims: try ConvolutionConfig.keepdims(c), name: c.name)
    }
}

extension GlobalAveragePooling1D: KerasReadableLayer {
    /// The layer a Keras `GlobalAveragePooling1D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        GlobalAveragePooling1D(keepdims: try ConvolutionConfig.keepdims(c), name: c.name)
    }
}
