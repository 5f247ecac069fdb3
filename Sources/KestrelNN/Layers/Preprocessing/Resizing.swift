import KestrelCore

/// Keras `Resizing(height, width)`: resizes channels-last images to `height` × `width` with
/// `tf.image.resize`'s interpolation (`Tensor.resized`). With `cropToAspectRatio` it first
/// cuts the largest centred window with the target's aspect ratio, with `padToAspectRatio` it
/// first pads the short side evenly with `fillValue`, so that nothing is stretched.
public final class Resizing: Layer {
    public let height: Int
    public let width: Int
    public let interpolation: ImageInterpolation
    public let cropToAspectRatio: Bool
    public let padToAspectRatio: Bool
    public let fillValue: Float

    public init(height: Int, width: Int, interpolation: ImageInterpolation = .bilinear, cropToAspectRatio: Bool = false,
                padToAspectRatio: Bool = false, fillValue: Float = 0, name: String? = nil) {
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.cropToAspectRatio = cropToAspectRatio
        self.padToAspectRatio = padToAspectRatio
        self.fillValue = fillValue
        super.init(name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        try require(height > 0 && width > 0, "height and width must be at least 1, got height \(height), width \(width); pass the output size in pixels")
        try require(!(cropToAspectRatio && padToAspectRatio), "only one of cropToAspectRatio and padToAspectRatio can be true (as in Keras); pick one")
        let shape = inputShapes[0]
        _ = try ImageLayerInput.size(of: shape, layer: self)
        try Layer.checkAllocation(ImageLayerInput.shape(shape, resizedTo: height, width), what: "\(name) (Resizing): output")
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        _ = try ImageLayerInput.size(of: x.shape, layer: self)
        return [try x.resizedKeepingAspect(height: height, width: width, interpolation: interpolation,
                                           cropToAspectRatio: cropToAspectRatio, padToAspectRatio: padToAspectRatio,
                                           fillValue: fillValue)]
    }

    public override var configuration: [String: Any] {
        ["height": height, "width": width, "interpolation": interpolation.rawValue,
         "crop_to_aspect_ratio": cropToAspectRatio, "pad_to_aspect_ratio": padToAspectRatio,
         "fill_mode": "constant", "fill_value": Double(fillValue), "antialias": false, "data_format": "channels_last"]
    }
}

extension Resizing: KerasReadableLayer {
    /// The layer a Keras `Resizing` config describes; absent keys take Keras's defaults.
    /// Channels-first data, antialiasing and fill modes other than constant are refused.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnless("data_format", is: "channels_last")
        try c.requireUnset("antialias", orEqualTo: false, what: "antialiased resizing")
        try c.requireUnset("fill_mode", orEqualTo: "constant", what: "Keras pads only with a constant")
        // Only bounding-box inputs (dictionaries, which Kestrel's layers do not take) use it.
        c.ignore("bounding_box_format")
        return Resizing(height: try c.int("height"), width: try c.int("width"),
                        interpolation: try ImageInterpolation(kerasConfig: c, key: "interpolation", default: .bilinear),
                        cropToAspectRatio: try c.bool("crop_to_aspect_ratio", default: false),
                        padToAspectRatio: try c.bool("pad_to_aspect_ratio", default: false),
                        fillValue: try c.float("fill_value", default: 0), name: c.name)
    }
}

extension ImageInterpolation {
    /// The interpolation a config names under `key` (Keras's names); `fallback` when absent.
    package init(kerasConfig c: KerasConfig, key: String, default fallback: ImageInterpolation) throws {
        let text = try c.string(key, default: fallback.rawValue)
        guard let interpolation = ImageInterpolation(rawValue: text) else {
            throw KestrelError(.invalidArgument, "\(c.className) config: \"\(key)\" = \"\(text)\" is not an interpolation Keras knows; use one of \(ImageInterpolation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = interpolation
    }
}
