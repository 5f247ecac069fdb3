import KestrelCore

/// A weight owned by a layer (a kernel, a bias, a moving statistic). It is a class so
/// that a layer used twice in a graph, and the optimizer updating it, all see one weight.
/// A trainable parameter's value is always a tape variable, so losses computed from it
/// can be differentiated with respect to it.
public final class Parameter {
    /// The short Keras variable name, e.g. `kernel`, `recurrent_kernel`, `moving_mean`.
    public let name: String
    /// The owning layer's name and this name, e.g. `dense_1/kernel`.
    public package(set) var path: String
    /// Whether optimizers update it (false for BatchNormalization's moving statistics).
    public let isTrainable: Bool
    private var stored: Tensor

    public init(name: String, path: String? = nil, value: Tensor, trainable: Bool = true) {
        self.name = name
        self.path = path ?? name
        self.isTrainable = trainable
        self.stored = trainable ? value.detached().requiringGradient() : value.detached()
    }

    /// The current value. Assigning keeps the shape contract: the new value must have the
    /// same shape as the old one.
    public var value: Tensor {
        get { stored }
        set {
            checkedPrecondition(newValue.shape == stored.shape,
                         "\(path): cannot assign a value of shape \(newValue.shape) to a weight of shape \(stored.shape)")
            stored = isTrainable ? newValue.detached().requiringGradient() : newValue.detached()
        }
    }

    /// Replaces the value after checking its shape; the error names the weight.
    public func assign(_ newValue: Tensor) throws {
        guard newValue.shape == stored.shape else {
            throw KestrelError(.shapeMismatch, "\(path): expected a value of shape \(stored.shape), got \(newValue.shape)")
        }
        value = newValue
    }

    public var shape: [Int] { stored.shape }
}
