import Foundation
import KestrelCore

/// Keras `BatchNormalization`: normalizes each channel (along `axis`) to zero mean and
/// unit variance, then scales by gamma and shifts by beta. In training it uses the biased
/// statistics of the batch and moves the non-trainable moving mean/variance towards them
/// (moving = moving·momentum + batch·(1 − momentum)); in inference it uses the moving
/// statistics. Weights in Keras order: gamma, beta (when scale/center), moving_mean,
/// moving_variance.
public final class BatchNormalization: Layer {
    public let axis: Int
    public let momentum: Float
    public let epsilon: Float
    public let center: Bool
    public let scale: Bool
    public let betaInitializer: Initializer
    public let gammaInitializer: Initializer
    public let movingMeanInitializer: Initializer
    public let movingVarianceInitializer: Initializer
    public let betaRegularizer: Regularizer?
    public let gammaRegularizer: Regularizer?
    public private(set) var gamma: Parameter?
    public private(set) var beta: Parameter?
    public private(set) var movingMean: Parameter?
    public private(set) var movingVariance: Parameter?

    public init(axis: Int = -1, momentum: Float = 0.99, epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true,
                betaInitializer: Initializer = Zeros(), gammaInitializer: Initializer = Ones(),
                movingMeanInitializer: Initializer = Zeros(), movingVarianceInitializer: Initializer = Ones(),
                betaRegularizer: Regularizer? = nil, gammaRegularizer: Regularizer? = nil, name: String? = nil) {
        self.axis = axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        self.movingMeanInitializer = movingMeanInitializer
        self.movingVarianceInitializer = movingVarianceInitializer
        self.betaRegularizer = betaRegularizer
        self.gammaRegularizer = gammaRegularizer
        super.init(name: name)
    }

    package func channelAxis(_ shape: [Int]) throws -> Int {
        guard shape.count >= 2, axis >= -shape.count, axis < shape.count, axis != 0, axis != -shape.count else {
            throw KestrelError(.shapeMismatch, "\(name) (BatchNormalization): axis \(axis) is not a feature axis of inputs of shape \(shape); use an axis other than the batch axis")
        }
        return axis < 0 ? axis + shape.count : axis
    }

    public override func build(inputShapes: [[Int]]) throws {
        try require(epsilon > 0 && epsilon.isFinite, "epsilon must be a positive number, got \(epsilon); Keras's default is 0.001")
        let shape = inputShapes[0]
        let c = shape[try channelAxis(shape)]
        if scale { gamma = try addWeight("gamma", shape: [c], initializer: gammaInitializer, regularizer: gammaRegularizer) }
        if center { beta = try addWeight("beta", shape: [c], initializer: betaInitializer, regularizer: betaRegularizer) }
        movingMean = try addWeight("moving_mean", shape: [c], initializer: movingMeanInitializer, trainable: false)
        movingVariance = try addWeight("moving_variance", shape: [c], initializer: movingVarianceInitializer, trainable: false)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        let a = try channelAxis(x.shape)
        guard x.shape[a] == movingMean!.shape[0] else {
            throw KestrelError(.shapeMismatch, "\(name) (BatchNormalization) was built for \(movingMean!.shape[0]) channels on axis \(axis); got inputs of shape \(x.shape)")
        }
        if !training {
            let r = batchNormalization(x, axis: a, gamma: gamma?.value, beta: beta?.value, epsilon: epsilon,
                                       statistics: (movingMean!.value, movingVariance!.value))
            return [r.output]
        }
        let r = batchNormalization(x, axis: a, gamma: gamma?.value, beta: beta?.value, epsilon: epsilon)
        withoutGradients {
            movingMean!.value = movingMean!.value * momentum + r.mean * (1 - momentum)
            movingVariance!.value = movingVariance!.value * momentum + r.variance * (1 - momentum)
        }
        return [r.output]
    }

    /// A mask passes through, as in Keras (the layer works per position).
    public override var supportsMasking: Bool { true }

    public override var configuration: [String: Any] {
        ["axis": axis, "momentum": momentum, "epsilon": epsilon, "center": center, "scale": scale,
         "beta_initializer": betaInitializer.kerasSerialized, "gamma_initializer": gammaInitializer.kerasSerialized,
         "moving_mean_initializer": movingMeanInitializer.kerasSerialized,
         "moving_variance_initializer": movingVarianceInitializer.kerasSerialized,
         "beta_regularizer": betaRegularizer?.kerasConfig ?? NSNull(), "gamma_regularizer": gammaRegularizer?.kerasConfig ?? NSNull(),
         "beta_constraint": NSNull(), "gamma_constraint": NSNull(), "synchronized": false]
    }
}

extension BatchNormalization: KerasReadableLayer {
    /// The layer a Keras `BatchNormalization` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnlessNull("beta_constraint", "gamma_constraint")
        if try c.bool("renorm", default: false) {
            throw KestrelError(.unsupported, "BatchNormalization config: renorm = true is not supported by Kestrel; use renorm false")
        }
        c.ignore("renorm_clipping", "renorm_momentum")  // only used with renorm
        // Batch statistics synchronised across replicas equal the local ones in one process;
        // data-parallel fit averages the moving statistics after each step.
        try c.acceptSwitches("synchronized")
        let axes = try c.ints("axis", count: 1, default: [-1])
        guard axes.count == 1 else { throw c.error("axis", "one axis") }
        return BatchNormalization(axis: axes[0], momentum: try c.float("momentum", default: 0.99),
                                  epsilon: try c.float("epsilon", default: 1e-3), center: try c.bool("center", default: true),
                                  scale: try c.bool("scale", default: true),
                                  betaInitializer: try c.initializer("beta_initializer", default: Zeros()),
                                  gammaInitializer: try c.initializer("gamma_initializer", default: Ones()),
                                  movingMeanInitializer: try c.initializer("moving_mean_initializer", default: Zeros()),
                                  movingVarianceInitializer: try c.initializer("moving_variance_initializer", default: Ones()),
                                  betaRegularizer: try c.regularizer("beta_regularizer"),
                                  gammaRegularizer: try c.regularizer("gamma_regularizer"), name: c.name)
    }
}
