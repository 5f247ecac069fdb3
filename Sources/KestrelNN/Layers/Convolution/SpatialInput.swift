import KestrelCore

/// Shape checks shared by the convolutional layers, with errors that say which layout was
/// expected and how to get it (usually: add the channels axis with a Reshape).
package enum SpatialInput {
    /// Checks `shape` is (samples, <spatial axes>, channels), `spatial` being 1, 2 or 3.
    package static func check(_ shape: [Int], spatial: Int, layer: Layer) throws {
        guard shape.count != spatial + 2 else { return }
        let cls = type(of: layer).kerasClassName
        let layout = ["(samples, steps, channels)", "(samples, rows, cols, channels)",
                      "(samples, depth, rows, cols, channels)"][Swift.min(Swift.max(spatial, 1), 3) - 1]
        var advice = "Give a \(spatial + 2)-D batch"
        if shape.count == spatial + 1 {
            let perSample = shape.dropFirst().map(String.init).joined(separator: ", ")
            advice = "Add a channels axis: Reshape([\(perSample), 1])"
        } else if shape.count == spatial + 3 {
            advice = "Remove an axis, e.g. with Reshape, or use a \(spatial + 1)-D layer"
        }
        throw KestrelError(.shapeMismatch, "\(layer.name): \(cls) expects \(layout); got \(shape). \(advice)")
    }

    /// Checks the constructor arguments of a convolution or pooling layer that its geometry
    /// does not: the positive `counts` (filters, depth multiplier), the padding (causal only
    /// where `allowCausal`), and Keras's rule that strides > 1 and dilation > 1 exclude
    /// each other. Window sizes, strides and dilation are checked positive by the geometry.
    package static func checkWindowArguments(of layer: Layer, counts: KeyValuePairs<String, Int> = [:],
                                             padding: ConvolutionPadding, allowCausal: Bool = false,
                                             strides: [Int], dilation: [Int] = []) throws {
        for (what, n) in counts {
            try layer.require(n > 0, "\(what) must be positive, got \(n); pass a number ≥ 1")
        }
        try layer.require(padding != .causal || allowCausal,
                          "padding .causal is only supported by Conv1D; use .valid or .same")
        try layer.require(strides.allSatisfy { $0 == 1 } || dilation.allSatisfy { $0 == 1 },
                          "strides \(strides) > 1 cannot be combined with dilation rate \(dilation) > 1 (as in Keras); set one of them to 1")
    }

    /// A (batch, steps, channels) shape as the one-row image (batch, 1, steps, channels).
    package static func asImage(_ shape: [Int]) -> [Int] { [shape[0], 1, shape[1], shape[2]] }
}
