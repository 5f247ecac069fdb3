/// Keras's aspect-preserving resizes (`keras.ops.image.resize` with `crop_to_aspect_ratio`
/// or `pad_to_aspect_ratio`, and `keras.utils.smart_resize`): the images are first cut to
/// (or padded out to) the largest centred window with the target's aspect ratio, then
/// resized, so nothing is stretched.
extension Tensor {
    /// Keras `Resizing`'s resize: `crop` first cuts the largest centred window with the
    /// target's aspect ratio, `pad` first adds `fillValue` rows (or columns) evenly on both
    /// sides, then the images are resized to `height` × `width`. Rank 4 (batch first) or 3.
    /// Throws as `resized` does, and `invalidArgument` when both `crop` and `pad` are set.
    package func resizedKeepingAspect(height: Int, width: Int, interpolation: ImageInterpolation,
                                      cropToAspectRatio crop: Bool, padToAspectRatio pad: Bool,
                                      fillValue: Float) throws -> Tensor {
        let op = "resizedKeepingAspect"
        try checkResizeTarget(height: height, width: width, op: op)
        _ = try imageSize(op: op)
        guard !(crop && pad) else {
            throw KestrelError(.invalidArgument, "\(op): only one of cropToAspectRatio and padToAspectRatio can be true (as in Keras); pick one")
        }
        let window = crop ? try croppedToAspectRatio(height: height, width: width, arithmetic: Float.self)
            : pad ? try paddedToAspectRatio(height: height, width: width, value: fillValue) : self
        return try window.resized(height: height, width: width, interpolation: interpolation)
    }

    /// The largest centred window with the aspect ratio of `height` × `width`, its sizes
    /// computed in `arithmetic` as Keras does: Float (`keras.ops.image.resize`) or Double
    /// (`smart_resize` on known sizes): crop height = min(h, ⌊w·height / width⌋) and at
    /// least 1, the start ⌊(h − crop height) / 2⌋, and the same across.
    package func croppedToAspectRatio<F: BinaryFloatingPoint>(height: Int, width: Int, arithmetic: F.Type) throws -> Tensor {
        let op = "croppedToAspectRatio"
        try checkResizeTarget(height: height, width: width, op: op)
        let (h, w) = try imageSize(op: op)
        // F(w)·F(height) rounds once, as Keras's cast of the integer product does.
        let cropHeight = Swift.max(Int(Swift.min(F(h), F(w) * F(height) / F(width))), 1)
        let cropWidth = Swift.max(Int(Swift.min(F(w), F(h) * F(width) / F(height))), 1)
        let top = Int(F(h - cropHeight) / 2), left = Int(F(w - cropWidth) / 2)
        return sliced(alongAxis: rank - 3, top..<(top + cropHeight)).sliced(alongAxis: rank - 2, left..<(left + cropWidth))
    }

    /// The images with `value` rows added above and below (or columns left and right) to
    /// approach the aspect ratio of `height` × `width`, computed in Float as Keras does: the
    /// padded height is max(h, ⌊w·height / width⌋) and ⌊(padded − h) / 2⌋ rows go on each side.
    package func paddedToAspectRatio(height: Int, width: Int, value: Float) throws -> Tensor {
        let op = "paddedToAspectRatio"
        try checkResizeTarget(height: height, width: width, op: op)
        let (h, w) = try imageSize(op: op)
        let wantedHeight = Float(w) * Float(height) / Float(width), wantedWidth = Float(h) * Float(width) / Float(height)
        guard wantedHeight < Float(Int32.max), wantedWidth < Float(Int32.max) else {
            throw KestrelError(.invalidArgument, "\(op): padding \(h) × \(w) images to the aspect ratio of \(height) × \(width) needs \(wantedHeight) × \(wantedWidth) pixels, more than Keras's int32 sizes hold; ask for a less extreme aspect ratio")
        }
        let paddedHeight = Swift.max(h, Int(wantedHeight)), paddedWidth = Swift.max(w, Int(wantedWidth))
        let rows = Int(Float(paddedHeight - h) / 2), columns = Int(Float(paddedWidth - w) / 2)
        var widths = Array(repeating: (0, 0), count: rank)
        widths[rank - 3] = (rows, rows)
        widths[rank - 2] = (columns, columns)
        var paddedShape = shape
        paddedShape[rank - 3] += 2 * rows
        paddedShape[rank - 2] += 2 * columns
        guard Shape.checkedCount(paddedShape) != nil else {
            throw KestrelError(.invalidArgument, "\(op): images of shape \(shape) padded to \(paddedShape) are more elements than Int can count; ask for a less extreme aspect ratio")
        }
        return padded(widths, value: value)
    }
}
