import Foundation
import KestrelCore

/// Produces a layer's starting weights (Keras `Initializer`). Random initializers draw
/// from the layer's generator, or from their own `seed` when one is set (then every call
/// gives the same values, as a seeded Keras initializer does). Kestrel's generator is not
/// TensorFlow's, so values differ from Keras's while the distributions are the same.
public protocol Initializer {
    func callAsFunction(shape: [Int], generator: inout RandomGenerator) -> Tensor
    /// The Keras class name, e.g. `GlorotUniform`.
    var kerasClassName: String { get }
    /// The Keras `get_config()` dictionary.
    var kerasConfig: [String: Any] { get }
}

extension Initializer {
    /// The nested form Keras writes into a layer config (`kernel_initializer`, ...).
    public var kerasSerialized: [String: Any] {
        ["module": "keras.initializers", "class_name": kerasClassName, "config": kerasConfig, "registered_name": kerasNull]
    }
}

/// Keras's `compute_fans`: for a kernel `(..., in, out)` the receptive field is the
/// product of the leading axes, fan-in = in × field and fan-out = out × field; a vector
/// has fan-in = fan-out = its length; a scalar has 1 and 1.
public func kerasFans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
    switch shape.count {
    case 0: return (1, 1)
    case 1: return (shape[0], shape[0])
    case 2: return (shape[0], shape[1])
    default:
        let field = shape.dropLast(2).reduce(1, *)
        return (shape[shape.count - 2] * field, shape[shape.count - 1] * field)
    }
}

/// Runs `body` with the generator a random initializer should use: a fresh one from its
/// own seed, or the caller's.
package func drawing<T>(seed: Int?, _ generator: inout RandomGenerator, _ body: (inout RandomGenerator) -> T) -> T {
    guard let seed else { return body(&generator) }
    var own = RandomGenerator(seed: UInt64(bitPattern: Int64(seed)))
    return body(&own)
}

/// Looks up initializers by the names and configs Keras uses.
public enum Initializers {
    /// The initializer a Keras string names (`"glorot_uniform"`, `"he_normal"`, `"zeros"`,
    /// `"orthogonal"`, ... or a class name), with default arguments.
    public static func named(_ identifier: String) throws -> any Initializer {
        let classNames = [
            "glorot_uniform": "GlorotUniform", "glorot_normal": "GlorotNormal", "he_uniform": "HeUniform",
            "he_normal": "HeNormal", "lecun_uniform": "LecunUniform", "lecun_normal": "LecunNormal",
            "orthogonal": "Orthogonal", "zeros": "Zeros", "ones": "Ones", "constant": "Constant",
            "random_uniform": "RandomUniform", "random_normal": "RandomNormal", "truncated_normal": "TruncatedNormal",
            "variance_scaling": "VarianceScaling",
        ]
        return try fromKeras(className: classNames[identifier] ?? identifier, config: [:])
    }

    /// A layer-config entry: nil for absent or null, a name string, or the nested
    /// `{"class_name": ..., "config": {...}}` object Keras writes.
    public static func fromKeras(_ value: Any?) throws -> (any Initializer)? {
        guard let value, !(value is NSNull) else { return nil }
        if let name = value as? String { return try named(name) }
        guard let object = value as? [String: Any], let className = object["class_name"] as? String else {
            throw KestrelError(.invalidArgument, "initializer config \(value) is neither a name nor {\"class_name\": ..., \"config\": ...}")
        }
        return try fromKeras(className: className, config: object["config"] as? [String: Any] ?? [:])
    }

    /// Rebuilds an initializer from a Keras class name and its `get_config()` dictionary.
    public static func fromKeras(className: String, config: [String: Any]) throws -> any Initializer {
        let r = KerasConfig(className: className, values: config)
        let made = try make(r)
        try r.requireEveryKeyRead(ignoring: [])
        return made
    }

    private static func make(_ r: KerasConfig) throws -> any Initializer {
        let className = r.className
        let seed = try r.optionalInt("seed")
        // Keras 3.13+ can take a variance-scaling kernel's fans over chosen axes.
        try r.rejectUnlessNull("input_axes", "output_axes")
        switch className {
        case "Zeros": return Zeros()
        case "Ones": return Ones()
        case "Constant": return Constant(try r.double("value", default: 0))
        case "RandomUniform":
            return RandomUniform(minval: try r.double("minval", default: -0.05),
                                 maxval: try r.double("maxval", default: 0.05), seed: seed)
        case "RandomNormal":
            return RandomNormal(mean: try r.double("mean", default: 0), stddev: try r.double("stddev", default: 0.05), seed: seed)
        case "TruncatedNormal":
            return TruncatedNormal(mean: try r.double("mean", default: 0), stddev: try r.double("stddev", default: 0.05),
                                   seed: seed)
        case "Orthogonal": return Orthogonal(gain: try r.double("gain", default: 1), seed: seed)
        case "GlorotUniform": return GlorotUniform(seed: seed)
        case "GlorotNormal": return GlorotNormal(seed: seed)
        case "HeUniform": return HeUniform(seed: seed)
        case "HeNormal": return HeNormal(seed: seed)
        case "LecunUniform": return LecunUniform(seed: seed)
        case "LecunNormal": return LecunNormal(seed: seed)
        case "VarianceScaling":
            let modeText = try r.string("mode", default: "fan_in")
            let distributionText = try r.string("distribution", default: "truncated_normal")
            guard let mode = VarianceScaling.Mode(rawValue: modeText) else {
                throw KestrelError(.invalidArgument, "VarianceScaling config: mode \"\(modeText)\" should be fan_in, fan_out or fan_avg")
            }
            guard let distribution = VarianceScaling.Distribution(kerasName: distributionText) else {
                throw KestrelError(.invalidArgument,
                                   "VarianceScaling config: distribution \"\(distributionText)\" should be truncated_normal, untruncated_normal, normal or uniform")
            }
            let scale = try r.double("scale", default: 1)
            guard scale > 0, scale.isFinite else { throw r.error("scale", "a positive number") }
            return try VarianceScaling(scale: scale, mode: mode, distribution: distribution, seed: seed)
        default:
            throw KestrelError(.unsupported,
                               "initializer \"\(className)\" is not supported; use GlorotUniform/Normal, HeUniform/Normal, LecunUniform/Normal, Orthogonal, VarianceScaling, RandomUniform, RandomNormal, TruncatedNormal, Zeros, Ones or Constant")
        }
    }
}
