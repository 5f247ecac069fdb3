import KestrelCore

/// A convolution with ReLU activation followed directly by max pooling (the classic CNN
/// block) runs as one fused op (`conv2dReluMaxPool`), so the convolution's full-size output
/// is never written to memory. Sequential and functional models apply it through
/// `LayerFusion`.
extension ConvolutionLayer: FusibleWithNextLayer {
    /// Both layers' outputs for `x` through the fused op, or nil when the pair does not
    /// qualify (another activation, average pooling, different spatial ranks).
    package func fusedCall(followedBy next: Layer, input x: Tensor) throws -> (intermediateShape: [Int], output: Tensor)? {
        guard activation == .relu, let pool = next as? PoolingLayer, pool.reduction == .max,
              pool.poolSize.count == spatialRank else { return nil }
        try buildIfNeeded(inputShapes: [x.shape])
        let g = try geometry(x.shape)
        let w = kernel!.value
        guard x.shape[x.rank - 1] == w.shape[w.rank - 2] else { return nil }
        let convolutionShape = spatialRank == 1 ? [g.batch, g.outWidth, filters] : [g.batch, g.outHeight, g.outWidth, filters]
        try pool.buildIfNeeded(inputShapes: [convolutionShape])
        let p = try pool.geometry(convolutionShape)
        let image = spatialRank == 1 ? x.reshaped(g.inputShape) : x
        let y = conv2dReluMaxPool(image, spatialRank == 1 ? w.reshaped([1] + w.shape) : w, bias: bias?.value,
                                  convolution: g, pooling: p)
        return (convolutionShape, spatialRank == 1 ? y.reshaped([p.batch, p.outWidth, filters]) : y)
    }
}
