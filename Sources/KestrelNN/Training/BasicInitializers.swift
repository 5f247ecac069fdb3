import KestrelCore

/// The initializers that do not depend on fans: constants and plain random draws.

/// All zeros (Keras `Zeros`), the usual bias initializer.
public struct Zeros: Initializer {
    public init() {}
    public func callAsFunction(shape: [Int], generator: inout RandomGenerator) -> Tensor { Tensor.zeros(shape) }
    public var kerasClassName: String { "Zeros" }
    public var kerasConfig: [String: Any] { [:] }
}

/// All ones (Keras `Ones`), e.g. BatchNormalization's gamma.
public struct Ones: Initializer {
    public init() {}
    public func callAsFunction(shape: [Int], generator: inout RandomGenerator) -> Tensor { Tensor.ones(shape) }
    public var kerasClassName: String { "Ones" }
    public var kerasConfig: [String: Any] { [:] }
}

/// Every value equal to `value` (Keras `Constant`).
public struct Constant: Initializer {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public func callAsFunction(shape: [Int], generator: inout RandomGenerator) -> Tensor { Tensor.full(shape, Float(value)) }
    public var kerasClassName: String { "Constant" }
    public var kerasConfig: [String: Any] { ["value": value] }
}

/// Uniform in [minval, maxval) (Keras `RandomUniform`, default ±0.05).
public struct RandomUniform: Initializer {
    public var minval: Double
    public var maxval: Double
    public var seed: Int?

    public init(minval: Double = -0.05, maxval: Double = 0.05, seed: Int? = nil) {
        self.minval = minval
        self.maxval = maxval
        self.seed = seed
    }

    public func callAsFunction(shape: [Int], generator: inout RandomGenerator) -> Tensor {
        drawing(seed: seed, &generator) { Tensor.randomUniform(shape, min: Float(minval), max: Float(maxval), generator: &$0) }
    }

    public var kerasClassName: String { "RandomUniform" }
    public var kerasConfig: [String: Any] { ["minval": minval, "maxval": maxval, "seed": kerasSeed(seed)] }
}

/// Normal with the given mean and stddev (Keras `RandomNormal`, default stddev 0.05).
public struct RandomNormal: Initializer {
    public var mean: Double
    public var stddev: Double
    public var seed: Int?

    public init(mean: Double = 0, stddev: Double = 0.05, seed: Int? = nil) {
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
    }

    public func callAsFunction(shape: [Int], generator: inout RandomGenerator) -> Tensor {
        drawing(seed: seed, &generator) { Tensor.randomNormal(shape, mean: Float(mean), standardDeviation: Float(stddev), generator: &$0) }
    }

    public var kerasClassName: String { "RandomNormal" }
    public var kerasConfig: [String: Any] { ["mean": mean, "stddev": stddev, "seed": kerasSeed(seed)] }
}

/// Normal redrawn beyond two standard deviations (Keras `TruncatedNormal`); `stddev` is
/// that of the untruncated normal, so the result's spread is about 0.88 × stddev.
public struct TruncatedNormal: Initializer {
    public var mean: Double
    public var stddev: Double
    public var seed: Int?

    public init(mean: Double = 0, stddev: Double = 0.05, seed: Int? = nil) {
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
    }

    public func callAsFunction(shape: [Int], generator: inout RandomGenerator) -> Tensor {
        drawing(seed: seed, &generator) {
            Tensor.randomTruncatedNormal(shape, mean: Float(mean), standardDeviation: Float(stddev), generator: &$0)
        }
    }

    public var kerasClassName: String { "TruncatedNormal" }
    public var kerasConfig: [String: Any] { ["mean": mean, "stddev": stddev, "seed": kerasSeed(seed)] }
}
