/// How `Tensor.resized(height:width:interpolation:)` computes a pixel of the new size from
/// the pixels of the old one. The names (raw values) are Keras's `interpolation` strings, and
/// each case computes what TensorFlow's `tf.image.resize(method:, antialias=False)` computes,
/// which is what Keras 3's `Resizing` runs on the TensorFlow backend.
public enum ImageInterpolation: String, Sendable, CaseIterable {
    /// Blends the 2×2 nearest pixels, with half-pixel centres (TF `ResizeBilinear`,
    /// `half_pixel_centers=True`).
    case bilinear
    /// Copies the pixel whose cell contains the output pixel's centre (TF
    /// `ResizeNearestNeighbor`, `half_pixel_centers=True`: source = floor((o + 0.5)·in/out)).
    case nearest
    /// Averages the input cells the output cell covers, each weighted by the part of it that
    /// is covered (TF `ResizeArea`).
    case area
    /// Keys' cubic convolution (a = −0.5) over the 4×4 nearest pixels, with half-pixel
    /// centres; taps outside the image get weight 0 and the rest are renormalised (TF
    /// `ResizeBicubic`, `half_pixel_centers=True`).
    case bicubic
    /// The Lanczos kernel of radius 3, without antialiasing (TF `ScaleAndTranslate`).
    case lanczos3
    /// The Lanczos kernel of radius 5, without antialiasing (TF `ScaleAndTranslate`).
    case lanczos5
}
