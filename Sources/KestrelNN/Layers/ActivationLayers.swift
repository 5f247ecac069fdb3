import KestrelCore

/// Applies an activation function (Keras `Activation("relu")`).
public final class Activation: Layer {
    public let function: ActivationFunction

    public init(_ function: ActivationFunction, name: String? = nil) {
        self.function = function
        super.init(name: name)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        return [function(inputs[0])]
    }

    public override var configuration: [String: Any] { ["activation": function.kerasName] }

    public override var supportsMasking: Bool { true }
}

/// Keras `ReLU(max_value, negative_slope, threshold)`.
public final class ReLU: Layer {
    public let maxValue: Float?
    public let negativeSlope: Float
    public let threshold: Float

    public init(maxValue: Float? = nil, negativeSlope: Float = 0, threshold: Float = 0, name: String? = nil) {
        self.maxValue = maxValue
        self.negativeSlope = negativeSlope
        self.threshold = threshold
        super.init(name: name)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        return [ActivationFunction.relu(negativeSlope: negativeSlope, maxValue: maxValue, threshold: threshold)(inputs[0])]
    }

    public override var configuration: [String: Any] {
        ["max_value": maxValue.map { Double($0) } as Any, "negative_slope": Double(negativeSlope), "threshold": Double(threshold)]
    }
}

/// Keras `LeakyReLU(negative_slope=0.3)` (the layer's default differs from the function's 0.2).
public final class LeakyReLU: Layer {
    public let negativeSlope: Float

    public init(negativeSlope: Float = 0.3, name: String? = nil) {
        self.negativeSlope = negativeSlope
        super.init(name: name)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        return [ActivationFunction.leakyRelu(negativeSlope: negativeSlope)(inputs[0])]
    }

    public override var configuration: [String: Any] { ["negative_slope": Double(negativeSlope)] }
}

/// Keras `ELU(alpha=1)`.
public final class ELU: Layer {
    public let alpha: Float

    public init(alpha: Float = 1, name: String? = nil) {
        self.alpha = alpha
        super.init(name: name)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        return [ActivationFunction.elu(alpha: alpha)(inputs[0])]
    }

    public override var configuration: [String: Any] { ["alpha": Double(alpha)] }
}

/// Keras `Softmax(axis=-1)`.
public final class Softmax: Layer {
    public let axis: Int

    public init(axis: Int = -1, name: String? = nil) {
        self.axis = axis
        super.init(name: name)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let rank = inputs[0].rank
        guard axis >= -rank && axis < rank else {
            throw KestrelError(.invalidArgument, "\(name) (Softmax): axis \(axis) is out of range for inputs of shape \(inputs[0].shape) (valid: \(-rank)..<\(rank)); set axis to one of those, e.g. -1 for the last axis")
        }
        return [softmax(inputs[0], alongAxis: axis)]
    }

    public override var configuration: [String: Any] { ["axis": axis] }
}

extension Activation: KerasReadableLayer {
    /// The layer a Keras `Activation` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        Activation(try c.activation(), name: c.name)
    }
}

extension ReLU: KerasReadableLayer {
    /// The layer a Keras `ReLU` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        ReLU(maxValue: try c.optionalFloat("max_value"), negativeSlope: try c.float("negative_slope", default: 0),
             threshold: try c.float("threshold", default: 0), name: c.name)
    }
}

extension LeakyReLU: KerasReadableLayer {
    /// The layer a Keras `LeakyReLU` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        // Keras 2 called the slope `alpha`.
        LeakyReLU(negativeSlope: try c.float("negative_slope", default: try c.float("alpha", default: 0.3)), name: c.name)
    }
}

extension ELU: KerasReadableLayer {
    /// The layer a Keras `ELU` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        ELU(alpha: try c.float("alpha", default: 1), name: c.name)
    }
}

extension Softmax: KerasReadableLayer {
    /// The layer a Keras `Softmax` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        Softmax(axis: try c.int("axis", default: -1), name: c.name)
    }
}
