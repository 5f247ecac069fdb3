/// The activations a fused recurrent kernel can apply in place and differentiate from its
/// output alone (y ↦ f'(x)), which is what lets the backward pass keep only the activated
/// gates. Keras allows any activation in a cell; these are the ones recurrent models use.
package enum CellActivation: Sendable {
    case tanh, sigmoid, relu, linear, hardSigmoid

    /// y = f(x) over `count` scalars (x and y may be the same buffer).
    @inline(__always)
    package func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        switch self {
        case .tanh: VectorMath.tanh(x, y, count: count)
        case .sigmoid: VectorMath.sigmoid(x, y, count: count)
        case .relu: for i in 0..<count { y[i] = Swift.max(x[i], 0) }
        case .linear: if UnsafePointer(y) != x { y.update(from: x, count: count) }
        case .hardSigmoid: for i in 0..<count { y[i] = Swift.min(Swift.max(x[i] / 6 + 0.5, 0), 1) }
        }
    }

    /// f'(x) written through the output y = f(x) (TensorFlow's conventions at the kinks).
    @inline(__always)
    package func derivative(_ y: Float) -> Float {
        switch self {
        case .tanh: return 1 - y * y
        case .sigmoid: return y * (1 - y)
        case .relu: return y > 0 ? 1 : 0
        case .linear: return 1
        case .hardSigmoid: return y > 0 && y < 1 ? 1 / 6 : 0
        }
    }
}
