import KestrelCore

/// Keras `CenterCrop(height, width)`: the centred `height` × `width` window of channels-last
/// images. When an image is smaller than the window along either axis, Keras 3 instead takes
/// the largest centred window with the target's aspect ratio and resizes it bilinearly to
/// `height` × `width` (`keras.utils.smart_resize`), and so does this layer.
public final class CenterCrop: Layer {
    public let height: Int
    public let width: Int

    public init(height: Int, width: Int, name: String? = nil) {
        self.height = height
        self.width = width
        super.init(name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        try require(height > 0 && width > 0, "height and width must be at least 1, got height \(height), width \(width); pass the output size in pixels")
        let shape = inputShapes[0]
        _ = try ImageLayerInput.size(of: shape, layer: self)
        try Layer.checkAllocation(ImageLayerInput.shape(shape, resizedTo: height, width), what: "\(name) (CenterCrop): output")
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        let (h, w) = try ImageLayerInput.size(of: x.shape, layer: self)
        guard h >= height, w >= width else {
            // smart_resize computes the window in Python floats (Double) on known sizes.
            let window = try x.croppedToAspectRatio(height: height, width: width, arithmetic: Double.self)
            return [try window.resized(height: height, width: width, interpolation: .bilinear)]
        }
        let top = (h - height) / 2, left = (w - width) / 2
        return [x.sliced(alongAxis: x.rank - 3, top..<(top + height)).sliced(alongAxis: x.rank - 2, left..<(left + width))]
    }

    public override var configuration: [String: Any] {
        ["height": height, "width": width, "data_format": "channels_last"]
    }
}

extension CenterCrop: KerasReadableLayer {
    /// The layer a Keras `CenterCrop` config describes; channels-first data is refused.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnless("data_format", is: "channels_last")
        // Only bounding-box inputs (dictionaries, which Kestrel's layers do not take) use it.
        c.ignore("bounding_box_format")
        return CenterCrop(height: try c.int("height"), width: try c.int("width"), name: c.name)
    }
}
