import Foundation
import KestrelCore

/// A learning rate that depends on the optimizer's step count (Keras
/// `LearningRateSchedule`). The optimizer evaluates it at its `iterations` value before
/// each update (0 for the first step), in float32 as Keras does.
public protocol LearningRateSchedule {
    /// The learning rate at `step` (the number of updates done so far).
    func callAsFunction(step: Int) -> Float
    /// The Keras class name, e.g. `ExponentialDecay`.
    var kerasClassName: String { get }
    /// The Keras `get_config()` dictionary.
    var kerasConfig: [String: Any] { get }
}

extension LearningRateSchedule {
    /// The nested form Keras writes into an optimizer's `learning_rate` config entry.
    package var kerasSerialized: [String: Any] {
        ["module": "keras.optimizers.schedules", "class_name": kerasClassName, "config": kerasConfig,
         "registered_name": kerasNull]
    }
}

/// Looks up schedules by their Keras class names.
public enum LearningRateSchedules {
    /// Rebuilds a schedule from a Keras class name and its `get_config()` dictionary.
    public static func fromKeras(className: String, config: [String: Any]) throws -> any LearningRateSchedule {
        let r = KerasConfig(className: className, values: config)
        let made = try make(r)
        try r.requireEveryKeyRead(ignoring: [])
        return made
    }

    private static func make(_ r: KerasConfig) throws -> any LearningRateSchedule {
        let className = r.className
        func decaySteps() throws -> Int {
            let steps = try r.int("decay_steps", default: 1)
            guard steps > 0 else { throw r.error("decay_steps", "a positive integer") }
            return steps
        }
        switch className {
        case "ExponentialDecay":
            return try ExponentialDecay(initialLearningRate: try r.double("initial_learning_rate", default: 0.01),
                                    decaySteps: try decaySteps(),
                                    decayRate: try r.double("decay_rate", default: 1),
                                    staircase: try r.bool("staircase", default: false),
                                    name: try r.string("name", default: "ExponentialDecay"))
        case "CosineDecay":
            return try CosineDecay(initialLearningRate: try r.double("initial_learning_rate", default: 0.01),
                               decaySteps: try decaySteps(),
                               alpha: try r.double("alpha", default: 0),
                               warmupTarget: try r.optionalDouble("warmup_target"),
                               warmupSteps: try r.int("warmup_steps", default: 0),
                               name: try r.string("name", default: "CosineDecay"))
        case "PiecewiseConstantDecay":
            let boundaries = try r.doubles("boundaries"), values = try r.doubles("values")
            guard values.count == boundaries.count + 1 else {
                throw KestrelError(.invalidArgument,
                                   "PiecewiseConstantDecay config: \(values.count) values for \(boundaries.count) boundaries; give exactly one more value than boundaries")
            }
            return try PiecewiseConstantDecay(boundaries: boundaries, values: values,
                                          name: try r.string("name", default: "PiecewiseConstant"))
        default:
            throw KestrelError(.unsupported,
                               "learning-rate schedule \"\(className)\" is not supported; use ExponentialDecay, CosineDecay or PiecewiseConstantDecay")
        }
    }
}

/// `initial · rate^(step / decaySteps)`, with the exponent floored when `staircase` (Keras
/// `ExponentialDecay`). Hyperparameters are kept as given (for the config) and used in
/// float32, as Keras does.
public struct ExponentialDecay: LearningRateSchedule {
    public var initialLearningRate: Double
    public var decaySteps: Int
    public var decayRate: Double
    public var staircase: Bool
    public var name: String

    public init(initialLearningRate: Double, decaySteps: Int, decayRate: Double, staircase: Bool = false,
                name: String = "ExponentialDecay") throws {
        guard decaySteps > 0 else { throw KestrelError(.invalidArgument, "\(name): decaySteps must be positive, got \(decaySteps)") }
        self.initialLearningRate = initialLearningRate
        self.decaySteps = decaySteps
        self.decayRate = decayRate
        self.staircase = staircase
        self.name = name
    }

    public func callAsFunction(step: Int) -> Float {
        var p = Float(step) / Float(decaySteps)
        if staircase { p = p.rounded(.down) }
        return Float(initialLearningRate) * Foundation.powf(Float(decayRate), p)
    }

    public var kerasClassName: String { "ExponentialDecay" }
    public var kerasConfig: [String: Any] {
        ["initial_learning_rate": initialLearningRate, "decay_steps": decaySteps,
         "decay_rate": decayRate, "staircase": staircase, "name": name]
    }
}

/// Cosine decay from the initial rate to `alpha · initial` over `decaySteps`, then flat
/// (Keras `CosineDecay`). With a `warmupTarget`, the rate first rises linearly from the
/// initial rate to the target over `warmupSteps`, then decays from the target.
public struct CosineDecay: LearningRateSchedule {
    public var initialLearningRate: Double
    public var decaySteps: Int
    public var alpha: Double
    public var warmupTarget: Double?
    public var warmupSteps: Int
    public var name: String

    public init(initialLearningRate: Double, decaySteps: Int, alpha: Double = 0, warmupTarget: Double? = nil,
                warmupSteps: Int = 0, name: String = "CosineDecay") throws {
        guard decaySteps > 0 else { throw KestrelError(.invalidArgument, "\(name): decaySteps must be positive, got \(decaySteps)") }
        guard warmupSteps >= 0 else { throw KestrelError(.invalidArgument, "\(name): warmupSteps must be ≥ 0, got \(warmupSteps)") }
        self.initialLearningRate = initialLearningRate
        self.decaySteps = decaySteps
        self.alpha = alpha
        self.warmupTarget = warmupTarget
        self.warmupSteps = warmupSteps
        self.name = name
    }

    private func decayed(_ step: Float, from rate: Float) -> Float {
        let completed = step / Float(decaySteps)
        let cosine = 0.5 * (1 + Foundation.cosf(Float.pi * completed))
        return rate * (Float(1 - alpha) * cosine + Float(alpha))
    }

    public func callAsFunction(step: Int) -> Float {
        let decay = Float(decaySteps), initial = Float(initialLearningRate)
        guard let warmupTarget else { return decayed(Swift.min(Float(step), decay), from: initial) }
        let target = Float(warmupTarget), warmup = Float(warmupSteps)
        let s = Swift.min(Float(step), decay + warmup)
        if s < warmup {
            return (target - initial) * (s / warmup) + initial
        }
        return decayed(s - warmup, from: target)
    }

    public var kerasClassName: String { "CosineDecay" }
    public var kerasConfig: [String: Any] {
        ["initial_learning_rate": initialLearningRate, "decay_steps": decaySteps, "alpha": alpha,
         "name": name, "warmup_target": kerasOptional(warmupTarget), "warmup_steps": warmupSteps]
    }
}

/// A step function (Keras `PiecewiseConstantDecay`): `values[0]` while `step <=
/// boundaries[0]`, `values[i]` while `boundaries[i-1] < step <= boundaries[i]`, and the
/// last value after the last boundary.
public struct PiecewiseConstantDecay: LearningRateSchedule {
    public var boundaries: [Double]
    public var values: [Double]
    public var name: String

    public init(boundaries: [Double], values: [Double], name: String = "PiecewiseConstant") throws {
        guard values.count == boundaries.count + 1 else {
            throw KestrelError(.invalidArgument, "\(name): \(values.count) values for \(boundaries.count) boundaries; give one more value than boundaries")
        }
        self.boundaries = boundaries
        self.values = values
        self.name = name
    }

    public func callAsFunction(step: Int) -> Float {
        let s = Double(step)
        for (i, b) in boundaries.enumerated() where s <= b { return Float(values[i]) }
        return Float(values[values.count - 1])
    }

    public var kerasClassName: String { "PiecewiseConstantDecay" }
    public var kerasConfig: [String: Any] {
        ["boundaries": boundaries, "values": values, "name": name]
    }
}
