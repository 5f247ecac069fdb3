import KestrelCore

/// A layer that can run together with the layer after it as one fused op (today: a ReLU
/// convolution followed by max pooling, whose full-size output is then never written to
/// memory). Fusion is a rewrite of the model's layer graph, so Sequential and functional
/// models both get it; weights, outputs, gradients and summaries are those of the two layers.
package protocol FusibleWithNextLayer: Layer {
    /// Both layers' work on `x` in one op: the first layer's output shape (with the batch axis)
    /// and the second layer's output; nil when `next` or `x` does not qualify.
    func fusedCall(followedBy next: Layer, input x: Tensor) throws -> (intermediateShape: [Int], output: Tensor)?
}

/// The fusion rewrite both model kinds apply to a pair of consecutive layers.
package enum LayerFusion {
    /// Whether `first` → `second` is a pair the rewrite may fuse (checked once per graph).
    package static func mayFuse(_ first: Layer, _ second: Layer) -> Bool { first is FusibleWithNextLayer && first !== second }

    /// Runs `first` then `second` on `x` as one op, or returns nil so the caller runs them
    /// one by one (a mask is flowing, or the pair does not qualify for this input).
    package static func run(_ first: Layer, _ second: Layer, input x: Tensor, mask: Tensor?) throws
        -> (intermediateShape: [Int], output: Tensor)? {
        guard mask == nil, let fusible = first as? FusibleWithNextLayer else { return nil }
        return try fusible.fusedCall(followedBy: second, input: x)
    }
}
