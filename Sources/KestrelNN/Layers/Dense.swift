import Foundation
import KestrelCore

/// A fully connected layer, `activation(x · kernel + bias)`, acting on the last axis of
/// inputs of any rank ≥ 2 (Keras `Dense`). Kernel (inputFeatures, units), bias (units).
public final class Dense: Layer {
    public let units: Int
    public let activation: ActivationFunction
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public let kernelRegularizer: Regularizer?
    public let biasRegularizer: Regularizer?
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?

    public init(_ units: Int, activation: ActivationFunction = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = GlorotUniform(), biasInitializer: Initializer = Zeros(),
                kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, name: String? = nil) {
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        super.init(name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        try require(units > 0, "units must be positive, got \(units); pass the number of output features")
        let shape = inputShapes[0]
        guard shape.count >= 2 else {
            throw KestrelError(.shapeMismatch, "\(name) (Dense) expects (samples, …, features); got \(shape). Add a batch axis, e.g. reshape to [1, \(shape.first ?? 1)]")
        }
        kernel = try addWeight("kernel", shape: [shape[shape.count - 1], units], initializer: kernelInitializer, regularizer: kernelRegularizer)
        if useBias { bias = try addWeight("bias", shape: [units], initializer: biasInitializer, regularizer: biasRegularizer) }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        let kernel = kernel!.value
        guard x.rank >= 2, x.shape[x.rank - 1] == kernel.shape[0] else {
            throw KestrelError(.shapeMismatch, "\(name) (Dense) expects inputs of shape (samples, …, \(kernel.shape[0])); got \(x.shape)")
        }
        var y = matmul(x, kernel)
        if let bias { y = y + bias.value }
        return [activation(y)]
    }

    /// A mask passes through, as in Keras (the layer works per position).
    public override var supportsMasking: Bool { true }

    public override var configuration: [String: Any] {
        ["units": units, "activation": activation.kerasName, "use_bias": useBias,
         "kernel_initializer": kernelInitializer.kerasSerialized, "bias_initializer": biasInitializer.kerasSerialized,
         "kernel_regularizer": kernelRegularizer?.kerasConfig ?? NSNull(), "bias_regularizer": biasRegularizer?.kerasConfig ?? NSNull()]
    }
}

extension Dense: KerasReadableLayer {
    /// The layer a Keras `Dense` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnlessNull("activity_regularizer", "kernel_constraint", "bias_constraint", "quantization_config")
        return Dense(try c.int("units"), activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                     kernelInitializer: try c.initializer("kernel_initializer", default: GlorotUniform()),
                     biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                     kernelRegularizer: try c.regularizer("kernel_regularizer"),
                     biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
    }
}
