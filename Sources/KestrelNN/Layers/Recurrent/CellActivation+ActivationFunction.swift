import KestrelCore

/// Maps a layer's Keras activation onto the ones the fused recurrent kernels apply in place,
/// or names the activation a recurrent cell cannot use.
extension CellActivation {
    package init(_ f: ActivationFunction, layer: String, argument: String) throws {
        switch f {
        case .tanh: self = .tanh
        case .sigmoid: self = .sigmoid
        case .linear: self = .linear
        case .hardSigmoid: self = .hardSigmoid
        case let .relu(slope, maxValue, threshold) where slope == 0 && maxValue == nil && threshold == 0: self = .relu
        default:
            throw KestrelError(.unsupported, "\(layer): \(argument) \(f.kerasName) is not supported in a recurrent cell; use tanh, sigmoid, relu, linear or hard_sigmoid")
        }
    }
}
