/// Image resizing, channels-last: TensorFlow's `tf.image.resize(images, (height, width),
/// method:, antialias=False)`, which Keras 3's `Resizing` layer runs on the TensorFlow
/// backend. Every interpolation is separable: the rows are resampled by one weight table
/// (`AxisResampling`), then the columns by another; the gradient applies the transposed
/// tables in the opposite order.
extension Tensor {
    /// These images — (batch, height, width, channels), or one (height, width, channels)
    /// image — at `height` × `width` pixels. Throws `invalidArgument` for a target size below
    /// 1 and `shapeMismatch` for another rank or an image without pixels.
    public func resized(height: Int, width: Int, interpolation: ImageInterpolation = .bilinear) throws -> Tensor {
        let (h, w) = try imageSize(op: "resized(height:width:interpolation:)")
        try checkResizeTarget(height: height, width: width, op: "resized(height:width:interpolation:)")
        let batched = rank == 4 ? self : reshaped([1] + shape)
        let (n, c) = (batched.shape[0], batched.shape[3])
        guard Shape.checkedCount([n, height, width, c]) != nil, Shape.checkedCount([n, height, w, c]) != nil else {
            throw KestrelError(.invalidArgument, "resized(height:width:interpolation:): \(n) images of \(height) × \(width) × \(c) pixels are more elements than Int can count; ask for a smaller size")
        }
        let rows = AxisResampling(interpolation, from: h, to: height)
        let columns = AxisResampling(interpolation, from: w, to: width)
        let y = resampledImages(batched, rows: rows, columns: columns)
        return rank == 4 ? y : y.reshaped([height, width, c])
    }

    /// (height, width) of images of rank 4 (batch first) or 3, each at least 1 pixel.
    package func imageSize(op: String) throws -> (height: Int, width: Int) {
        guard rank == 3 || rank == 4 else {
            throw KestrelError(.shapeMismatch, "\(op): expects images (batch, height, width, channels) or one image (height, width, channels), got shape \(shape); reshape the input to channels-last images")
        }
        let (h, w) = (shape[rank - 3], shape[rank - 2])
        guard h > 0, w > 0 else {
            throw KestrelError(.shapeMismatch, "\(op): the images of shape \(shape) are \(h) × \(w) pixels; an image to resize needs at least one pixel each way")
        }
        return (h, w)
    }

    /// Throws unless both sizes of a resize target are at least 1.
    package func checkResizeTarget(height: Int, width: Int, op: String) throws {
        guard height > 0, width > 0 else {
            throw KestrelError(.invalidArgument, "\(op): the target size must be at least 1 × 1 pixels, got height \(height), width \(width); pass positive sizes")
        }
    }
}

/// (n, h, w, c) images resampled down the rows, then across the columns.
private func resampledImages(_ x: Tensor, rows: AxisResampling, columns: AxisResampling) -> Tensor {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (oh, ow) = (rows.outputLength, columns.outputLength)
    let tall = rows.resample(x, outer: n, inner: w * c, shape: [n, oh, w, c])
    let y = columns.resample(tall, outer: n * oh, inner: c, shape: [n, oh, ow, c])
    return y.recorded(from: x) { g in
        let narrow = columns.transposed().resample(g, outer: n * oh, inner: c, shape: [n, oh, w, c])
        return rows.transposed().resample(narrow, outer: n, inner: w * c, shape: [n, h, w, c])
    }
}
