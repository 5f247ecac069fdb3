import Foundation
import KestrelCore

/// Keras `VarianceScaling`: samples with variance `scale / n`, where `n` is the fan-in,
/// the fan-out or their average (at least 1). `truncatedNormal` uses stddev
/// `sqrt(scale/n) / 0.87962566103423978` cut at two standard deviations (the constant
/// restores the variance lost by truncation); `uniform` uses limits `±sqrt(3 scale/n)`.
public struct VarianceScaling: Initializer {
    /// Which fan divides the scale: the inputs, the outputs, or their mean.
    public enum Mode: String, Sendable { case fanIn = "fan_in", fanOut = "fan_out", fanAvg = "fan_avg" }
    /// The sampling distribution; the raw values are Keras's config strings.
    public enum Distribution: String, Sendable {
        case truncatedNormal = "truncated_normal", untruncatedNormal = "untruncated_normal", uniform

        /// Keras also accepts `normal`, meaning truncated normal.
        package init?(kerasName: String) {
            self.init(rawValue: kerasName == "normal" ? "truncated_normal" : kerasName)
        }
    }

    public var scale: Double
    public var mode: Mode
    public var distribution: Distribution
    public var seed: Int?

    public init(scale: Double = 1, mode: Mode = .fanIn, distribution: Distribution = .truncatedNormal, seed: Int? = nil) throws {
        guard scale > 0, scale.isFinite else {
            throw KestrelError(.invalidArgument, "VarianceScaling: scale must be a positive number, got \(scale)")
        }
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed
    }

    /// A preset's fixed, valid settings.
    init(presetScale: Double, mode: Mode, distribution: Distribution, seed: Int?) {
        scale = presetScale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed
    }

    /// `scale / max(1, n)` for `shape`, the target variance.
    public func variance(for shape: [Int]) -> Double {
        let (fanIn, fanOut) = kerasFans(shape)
        let n: Double
        switch mode {
        case .fanIn: n = Double(fanIn)
        case .fanOut: n = Double(fanOut)
        case .fanAvg: n = Double(fanIn + fanOut) / 2
        }
        return scale / Swift.max(1, n)
    }

    public func callAsFunction(shape: [Int], generator: inout RandomGenerator) -> Tensor {
        let v = variance(for: shape)
        return drawing(seed: seed, &generator) { g in
            switch distribution {
            case .truncatedNormal:
                return Tensor.randomTruncatedNormal(shape, standardDeviation: Float(v.squareRoot() / 0.87962566103423978), generator: &g)
            case .untruncatedNormal:
                return Tensor.randomNormal(shape, standardDeviation: Float(v.squareRoot()), generator: &g)
            case .uniform:
                let limit = Float((3 * v).squareRoot())
                return Tensor.randomUniform(shape, min: -limit, max: limit, generator: &g)
            }
        }
    }

    public var kerasClassName: String { "VarianceScaling" }
    public var kerasConfig: [String: Any] {
        ["scale": scale, "mode": mode.rawValue, "distribution": distribution.rawValue, "seed": kerasSeed(seed)]
    }
}

/// A seed as a config value (null when unset).
package func kerasSeed(_ seed: Int?) -> Any { seed.map { $0 as Any } ?? kerasNull }

/// The named variance-scaling presets share one shape: a fixed scale, mode and
/// distribution, a seed, and a config holding only the seed.
package protocol VarianceScalingPreset: Initializer {
    static var preset: (scale: Double, mode: VarianceScaling.Mode, distribution: VarianceScaling.Distribution) { get }
    var seed: Int? { get }
}

extension VarianceScalingPreset {
    /// The equivalent `VarianceScaling`.
    public var varianceScaling: VarianceScaling {
        VarianceScaling(presetScale: Self.preset.scale, mode: Self.preset.mode, distribution: Self.preset.distribution, seed: seed)
    }

    public func callAsFunction(shape: [Int], generator: inout RandomGenerator) -> Tensor {
        varianceScaling(shape: shape, generator: &generator)
    }

    public var kerasConfig: [String: Any] { ["seed": kerasSeed(seed)] }
}

/// Glorot (Xavier) uniform: limits `±sqrt(6 / (fanIn + fanOut))` (Keras `GlorotUniform`).
public struct GlorotUniform: VarianceScalingPreset {
    package static let preset = (scale: 1.0, mode: VarianceScaling.Mode.fanAvg, distribution: VarianceScaling.Distribution.uniform)
    public var seed: Int?
    public init(seed: Int? = nil) { self.seed = seed }
    public var kerasClassName: String { "GlorotUniform" }
}

/// Glorot normal: truncated normal with variance `2 / (fanIn + fanOut)` (Keras `GlorotNormal`).
public struct GlorotNormal: VarianceScalingPreset {
    package static let preset = (scale: 1.0, mode: VarianceScaling.Mode.fanAvg, distribution: VarianceScaling.Distribution.truncatedNormal)
    public var seed: Int?
    public init(seed: Int? = nil) { self.seed = seed }
    public var kerasClassName: String { "GlorotNormal" }
}

/// He uniform: limits `±sqrt(6 / fanIn)`, for ReLU networks (Keras `HeUniform`).
public struct HeUniform: VarianceScalingPreset {
    package static let preset = (scale: 2.0, mode: VarianceScaling.Mode.fanIn, distribution: VarianceScaling.Distribution.uniform)
    public var seed: Int?
    public init(seed: Int? = nil) { self.seed = seed }
    public var kerasClassName: String { "HeUniform" }
}

/// He normal: truncated normal with variance `2 / fanIn` (Keras `HeNormal`).
public struct HeNormal: VarianceScalingPreset {
    package static let preset = (scale: 2.0, mode: VarianceScaling.Mode.fanIn, distribution: VarianceScaling.Distribution.truncatedNormal)
    public var seed: Int?
    public init(seed: Int? = nil) { self.seed = seed }
    public var kerasClassName: String { "HeNormal" }
}

/// LeCun uniform: limits `±sqrt(3 / fanIn)`, for SELU networks (Keras `LecunUniform`).
public struct LecunUniform: VarianceScalingPreset {
    package static let preset = (scale: 1.0, mode: VarianceScaling.Mode.fanIn, distribution: VarianceScaling.Distribution.uniform)
    public var seed: Int?
    public init(seed: Int? = nil) { self.seed = seed }
    public var kerasClassName: String { "LecunUniform" }
}

/// LeCun normal: truncated normal with variance `1 / fanIn` (Keras `LecunNormal`).
public struct LecunNormal: VarianceScalingPreset {
    package static let preset = (scale: 1.0, mode: VarianceScaling.Mode.fanIn, distribution: VarianceScaling.Distribution.truncatedNormal)
    public var seed: Int?
    public init(seed: Int? = nil) { self.seed = seed }
    public var kerasClassName: String { "LecunNormal" }
}
