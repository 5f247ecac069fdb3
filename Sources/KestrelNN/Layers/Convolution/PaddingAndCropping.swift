import KestrelCore

/// Zero padding and cropping of the spatial axes (Keras `ZeroPadding1D/2D`,
/// `Cropping1D/2D`): `amounts[i]` = (cells before, cells after) on spatial axis i, in
/// Keras's ((top, bottom), (left, right)) layout. Cropping keeps the middle part.
public class SpatialResize: Layer {
    public let amounts: [(Int, Int)]
    package let crops: Bool

    package init(amounts: [(Int, Int)], crops: Bool, name: String?) {
        self.amounts = amounts
        self.crops = crops
        super.init(name: name)
    }

    package func check(_ shape: [Int]) throws {
        try require(amounts.allSatisfy { $0.0 >= 0 && $0.1 >= 0 },
                    "\(crops ? "cropping" : "padding") \(amounts.map { [$0.0, $0.1] }) must be ≥ 0 cells on every side; use 0 where nothing should be \(crops ? "cropped" : "added")")
        try SpatialInput.check(shape, spatial: amounts.count, layer: self)
        guard crops else { return }
        for (i, (a, b)) in amounts.enumerated() where a + b >= shape[i + 1] {
            throw KestrelError(.shapeMismatch, "\(name) (\(Self.kerasClassName)): cropping \(a)+\(b) cells leaves nothing of axis \(i + 1) of size \(shape[i + 1]) (input \(shape)). Crop less")
        }
    }

    public override func build(inputShapes: [[Int]]) throws { try check(inputShapes[0]) }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        var x = inputs[0]
        try check(x.shape)
        if crops {
            for (i, (a, b)) in amounts.enumerated() where a > 0 || b > 0 {
                x = x.sliced(alongAxis: i + 1, a..<(x.shape[i + 1] - b))
            }
        } else {
            x = x.padded([(0, 0)] + amounts + [(0, 0)])
        }
        return [x]
    }

    public override var configuration: [String: Any] {
        let pairs = amounts.map { [$0.0, $0.1] }
        let key = crops ? "cropping" : "padding"
        let value: Any = amounts.count == 1 ? pairs[0] : pairs
        return crops && amounts.count == 1 ? [key: value] : [key: value, "data_format": "channels_last"]
    }
}

/// Adds zero rows/columns around images: ((top, bottom), (left, right)).
public final class ZeroPadding2D: SpatialResize {
    public init(padding: ((Int, Int), (Int, Int)), name: String? = nil) {
        super.init(amounts: [padding.0, padding.1], crops: false, name: name)
    }

    /// The same number of cells on every side.
    public convenience init(_ padding: Int = 1, name: String? = nil) {
        self.init(padding: ((padding, padding), (padding, padding)), name: name)
    }
}

/// Adds zero steps before and after sequences: (left, right).
public final class ZeroPadding1D: SpatialResize {
    public init(padding: (Int, Int), name: String? = nil) { super.init(amounts: [padding], crops: false, name: name) }
    public convenience init(_ padding: Int = 1, name: String? = nil) { self.init(padding: (padding, padding), name: name) }
}

/// Removes rows/columns from the image borders: ((top, bottom), (left, right)).
public final class Cropping2D: SpatialResize {
    public init(cropping: ((Int, Int), (Int, Int)), name: String? = nil) {
        super.init(amounts: [cropping.0, cropping.1], crops: true, name: name)
    }

    public convenience init(_ cropping: Int, name: String? = nil) {
        self.init(cropping: ((cropping, cropping), (cropping, cropping)), name: name)
    }
}

/// Removes steps from the start and end of sequences: (start, end).
public final class Cropping1D: SpatialResize {
    public init(cropping: (Int, Int), name: String? = nil) { super.init(amounts: [cropping], crops: true, name: name) }
    public convenience init(_ cropping: Int, name: String? = nil) { self.init(cropping: (cropping, cropping), name: name) }
}

extension ZeroPadding2D: KerasReadableLayer {
    /// The layer a Keras `ZeroPadding2D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnless("data_format", is: "channels_last")
        let p = try ConvolutionConfig.amounts2D(c, "padding")
        return ZeroPadding2D(padding: (p[0], p[1]), name: c.name)
    }
}

extension ZeroPadding1D: KerasReadableLayer {
    /// The layer a Keras `ZeroPadding1D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnless("data_format", is: "channels_last")
        return ZeroPadding1D(padding: try ConvolutionConfig.amounts1D(c, "padding"), name: c.name)
    }
}

extension Cropping2D: KerasReadableLayer {
    /// The layer a Keras `Cropping2D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnless("data_format", is: "channels_last")
        let p = try ConvolutionConfig.amounts2D(c, "cropping")
        return Cropping2D(cropping: (p[0], p[1]), name: c.name)
    }
}

extension Cropping1D: KerasReadableLayer {
    /// The layer a Keras `Cropping1D` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        Cropping1D(cropping: try ConvolutionConfig.amounts1D(c, "cropping"), name: c.name)
    }
}
