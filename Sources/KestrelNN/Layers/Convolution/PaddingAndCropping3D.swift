import KestrelCore

/// Adds zero cells around volumes (Keras `ZeroPadding3D`):
/// ((front, back), (top, bottom), (left, right)).
public final class ZeroPadding3D: SpatialResize {
    public init(padding: ((Int, Int), (Int, Int), (Int, Int)), name: String? = nil) {
        super.init(amounts: [padding.0, padding.1, padding.2], crops: false, name: name)
    }

    /// The same number of cells on every side.
    public convenience init(_ padding: Int = 1, name: String? = nil) {
        self.init(padding: ((padding, padding), (padding, padding), (padding, padding)), name: name)
    }
}

/// Removes cells from the borders of volumes (Keras `Cropping3D`):
/// ((front, back), (top, bottom), (left, right)).
public final class Cropping3D: SpatialResize {
    public init(cropping: ((Int, Int), (Int, Int), (Int, Int)), name: String? = nil) {
        super.init(amounts: [cropping.0, cropping.1, cropping.2], crops: true, name: name)
    }

    public convenience init(_ cropping: Int, name: String? = nil) {
        self.init(cropping: ((cropping, cropping), (cropping, cropping), (cropping, cropping)), name: name)
    }
}

extension ZeroPadding3D: KerasReadableLayer {
    /// The layer a Keras `ZeroPadding3D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnless("data_format", is: "channels_last")
        let p = c.isNull("padding") ? [(1, 1), (1, 1), (1, 1)] : try ConvolutionConfig.amounts3D(c, "padding")
        return ZeroPadding3D(padding: (p[0], p[1], p[2]), name: c.name)
    }
}

extension Cropping3D: KerasReadableLayer {
    /// The layer a Keras `Cropping3D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnless("data_format", is: "channels_last")
        let p = c.isNull("cropping") ? [(1, 1), (1, 1), (1, 1)] : try ConvolutionConfig.amounts3D(c, "cropping")
        return Cropping3D(cropping: (p[0], p[1], p[2]), name: c.name)
    }
}
