import Foundation
import KestrelCore

/// Keras `LayerNormalization`: normalizes each sample over `axes` (default: the last) to
/// zero mean and unit (biased) variance, then applies gamma and beta shaped like the
/// normalized axes. Unlike BatchNormalization it has no batch statistics, so training
/// and inference compute the same thing. Keras's default epsilon is 1e-3.
public final class LayerNormalization: Layer {
    public let axes: [Int]
    public let epsilon: Float
    public let center: Bool
    public let scale: Bool
    public let betaInitializer: Initializer
    public let gammaInitializer: Initializer
    public let betaRegularizer: Regularizer?
    public let gammaRegularizer: Regularizer?
    public private(set) var gamma: Parameter?
    public private(set) var beta: Parameter?

    public init(axes: [Int] = [-1], epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true,
                betaInitializer: Initializer = Zeros(), gammaInitializer: Initializer = Ones(),
                betaRegularizer: Regularizer? = nil, gammaRegularizer: Regularizer? = nil, name: String? = nil) {
        self.axes = axes
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        self.betaRegularizer = betaRegularizer
        self.gammaRegularizer = gammaRegularizer
        super.init(name: name)
    }

    /// The normalized axes as non-negative indices, sorted.
    package func resolvedAxes(_ shape: [Int]) throws -> [Int] {
        let resolved = axes.map { $0 < 0 ? $0 + shape.count : $0 }
        guard resolved.allSatisfy({ $0 >= 1 && $0 < shape.count }), Set(resolved).count == resolved.count else {
            throw KestrelError(.shapeMismatch, "\(name) (LayerNormalization): axes \(axes) are not distinct feature axes of inputs of shape \(shape)")
        }
        return resolved.sorted()
    }

    public override func build(inputShapes: [[Int]]) throws {
        try require(!axes.isEmpty, "axes must name at least one axis, got []")
        try require(epsilon > 0 && epsilon.isFinite, "epsilon must be a positive number, got \(epsilon); Keras's default is 0.001")
        let shape = inputShapes[0]
        let params = try resolvedAxes(shape).map { shape[$0] }
        if scale { gamma = try addWeight("gamma", shape: params, initializer: gammaInitializer, regularizer: gammaRegularizer) }
        if center { beta = try addWeight("beta", shape: params, initializer: betaInitializer, regularizer: betaRegularizer) }
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        let a = try resolvedAxes(x.shape)
        let params = a.map { x.shape[$0] }
        if let g = gamma ?? beta, g.shape != params {
            throw KestrelError(.shapeMismatch, "\(name) (LayerNormalization) was built for normalized axes of sizes \(g.shape); got inputs of shape \(x.shape)")
        }
        if a == [x.rank - 1] { return [layerNormalization(x, gamma: gamma?.value, beta: beta?.value, epsilon: epsilon)] }
        // gamma/beta broadcast over the axes that are not normalized.
        let broadcastShape = (0..<x.rank).map { a.contains($0) ? x.shape[$0] : 1 }
        let mean = x.mean(alongAxes: a, keepingDimensions: true)
        let centered = x - mean
        let variance = (centered * centered).mean(alongAxes: a, keepingDimensions: true)
        var y = centered / sqrt(variance + epsilon)
        if let gamma { y = y * gamma.value.reshaped(broadcastShape) }
        if let beta { y = y + beta.value.reshaped(broadcastShape) }
        return [y]
    }

    /// A mask passes through, as in Keras (the layer works per position).
    public override var supportsMasking: Bool { true }

    public override var configuration: [String: Any] {
        ["axis": axes.count == 1 ? axes[0] as Any : axes, "epsilon": epsilon, "center": center, "scale": scale,
         "rms_scaling": false, "beta_initializer": betaInitializer.kerasSerialized, "gamma_initializer": gammaInitializer.kerasSerialized,
         "beta_regularizer": betaRegularizer?.kerasConfig ?? NSNull(), "gamma_regularizer": gammaRegularizer?.kerasConfig ?? NSNull(),
         "beta_constraint": NSNull(), "gamma_constraint": NSNull()]
    }
}

extension LayerNormalization: KerasReadableLayer {
    /// The layer a Keras `LayerNormalization` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnlessNull("beta_constraint", "gamma_constraint")
        if try c.bool("rms_scaling", default: false) {
            throw KestrelError(.unsupported, "LayerNormalization config: rms_scaling = true is not supported by Kestrel; use false")
        }
        return LayerNormalization(axes: try c.ints("axis", count: 1, default: [-1]), epsilon: try c.float("epsilon", default: 1e-3),
                                  center: try c.bool("center", default: true), scale: try c.bool("scale", default: true),
                                  betaInitializer: try c.initializer("beta_initializer", default: Zeros()),
                                  gammaInitializer: try c.initializer("gamma_initializer", default: Ones()),
                                  betaRegularizer: try c.regularizer("beta_regularizer"),
                                  gammaRegularizer: try c.regularizer("gamma_regularizer"), name: c.name)
    }
}
