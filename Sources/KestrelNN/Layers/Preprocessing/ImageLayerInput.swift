import KestrelCore

/// The input rule of the image preprocessing layers (Resizing, CenterCrop): channels-last
/// images, a batch (batch, height, width, channels) or, as Keras also accepts, one image
/// (height, width, channels), each at least one pixel high and wide.
package enum ImageLayerInput {
    /// The (height, width) of images of `shape`; throws `shapeMismatch` naming the layer.
    package static func size(of shape: [Int], layer: Layer) throws -> (height: Int, width: Int) {
        let cls = type(of: layer).kerasClassName
        guard shape.count == 3 || shape.count == 4 else {
            throw KestrelError(.shapeMismatch, "\(layer.name) (\(cls)): expects channels-last images (batch, height, width, channels) or one image (height, width, channels); got shape \(shape). Reshape the input, e.g. add a channels axis of size 1")
        }
        let (h, w) = (shape[shape.count - 3], shape[shape.count - 2])
        guard h > 0, w > 0 else {
            throw KestrelError(.shapeMismatch, "\(layer.name) (\(cls)): the images of shape \(shape) are \(h) × \(w) pixels; give images at least 1 pixel high and wide")
        }
        return (h, w)
    }

    /// `shape` with its height and width replaced by the target's.
    package static func shape(_ shape: [Int], resizedTo height: Int, _ width: Int) -> [Int] {
        var out = shape
        out[shape.count - 3] = height
        out[shape.count - 2] = width
        return out
    }
}
