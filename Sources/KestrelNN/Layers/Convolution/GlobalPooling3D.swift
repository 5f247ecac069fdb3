import KestrelCore

/// Per-channel maximum over all cells of a volume (Keras `GlobalMaxPooling3D`):
/// (samples, depth, rows, cols, channels) → (samples, channels), or (samples, 1, 1, 1,
/// channels) with `keepdims`.
public final class GlobalMaxPooling3D: GlobalPoolingLayer {
    public init(keepdims: Bool = false, name: String? = nil) { super.init(spatial: 3, maximum: true, keepdims: keepdims, name: name) }
}

/// Per-channel mean over all cells of a volume (Keras `GlobalAveragePooling3D`).
public final class GlobalAveragePooling3D: GlobalPoolingLayer {
    public init(keepdims: Bool = false, name: String? = nil) { super.init(spatial: 3, maximum: false, keepdims: keepdims, name: name) }
}

extension GlobalMaxPooling3D: KerasReadableLayer {
    /// The layer a Keras `GlobalMaxPooling3D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        GlobalMaxPooling3D(keepdims: try ConvolutionConfig.keepdims(c), name: c.name)
    }
}

extension GlobalAveragePooling3D: KerasReadableLayer {
    /// The layer a Keras `GlobalAveragePooling3D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        GlobalAveragePooling3D(keepdims: try ConvolutionConfig.keepdims(c), name: c.name)
    }
}
