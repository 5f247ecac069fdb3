import Foundation
import KestrelCore

/// Every Keras 3 activation, by its Keras name, with TensorFlow's derivative conventions at
/// the kinks (relu'(0) = 0, leaky_relu'(0) = slope, elu'(0) = 1, relu6'(6) = 0,
/// hard_sigmoid'(±3) = 0), so gradients match Keras exactly.
public enum ActivationFunction: Equatable {
    case linear, sigmoid, tanh, softmax, logSoftmax, exponential
    /// Keras `relu(x, negative_slope, max_value, threshold)`.
    case relu(negativeSlope: Float = 0, maxValue: Float? = nil, threshold: Float = 0)
    case relu6
    case leakyRelu(negativeSlope: Float = 0.2)
    case elu(alpha: Float = 1)
    case selu
    case gelu(approximate: Bool = false)
    case softplus, softsign, swish, silu, hardSigmoid, hardSilu

    public static let relu = ActivationFunction.relu()

    /// The Keras name (`"relu"`, `"log_softmax"`, `"hard_silu"` …).
    public var kerasName: String {
        switch self {
        case .linear: "linear"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .softmax: "softmax"
        case .logSoftmax: "log_softmax"
        case .exponential: "exponential"
        case .relu: "relu"
        case .relu6: "relu6"
        case .leakyRelu: "leaky_relu"
        case .elu: "elu"
        case .selu: "selu"
        case .gelu: "gelu"
        case .softplus: "softplus"
        case .softsign: "softsign"
        case .swish: "swish"
        case .silu: "silu"
        case .hardSigmoid: "hard_sigmoid"
        case .hardSilu: "hard_silu"
        }
    }

    /// Looks up a Keras activation name; `nil`/"linear" is the identity.
    public init(kerasName: String?) throws {
        switch kerasName ?? "linear" {
        case "linear", "None": self = .linear
        case "sigmoid": self = .sigmoid
        case "tanh": self = .tanh
        case "softmax": self = .softmax
        case "log_softmax": self = .logSoftmax
        case "exponential": self = .exponential
        case "relu": self = .relu()
        case "relu6": self = .relu6
        case "leaky_relu": self = .leakyRelu()
        case "elu": self = .elu()
        case "selu": self = .selu
        case "gelu": self = .gelu()
        case "softplus": self = .softplus
        case "softsign": self = .softsign
        case "swish": self = .swish
        case "silu": self = .silu
        case "hard_sigmoid": self = .hardSigmoid
        case "hard_silu", "hard_swish": self = .hardSilu
        case let other:
            throw KestrelError(.unsupported, "unknown activation \"\(other)\"; Kestrel knows linear, relu, relu6, leaky_relu, elu, selu, gelu, sigmoid, tanh, softmax, log_softmax, softplus, softsign, swish, silu, hard_sigmoid, hard_silu, exponential")
        }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .linear: return x
        case .sigmoid: return KestrelCore.sigmoid(x)
        case .tanh: return KestrelCore.tanh(x)
        case .softmax: return KestrelCore.softmax(x)
        case .logSoftmax: return KestrelCore.logSoftmax(x)
        case .exponential: return KestrelCore.exp(x)
        case let .relu(slope, maxValue, threshold):
            if slope == 0 && maxValue == nil && threshold == 0 {
                return KestrelCore.relu(x)
            }
            return pointwise(x, value: { ActivationFunction.relu($0, slope, maxValue, threshold).value },
                             derivative: { x, _ in ActivationFunction.relu(x, slope, maxValue, threshold).slope })
        case .relu6:
            return pointwise(x, value: { Swift.min(Swift.max($0, 0), 6) }, derivative: { x, _ in x > 0 && x < 6 ? 1 : 0 })
        case let .leakyRelu(slope):
            return pointwise(x, value: { $0 > 0 ? $0 : slope * $0 }, derivative: { x, _ in x > 0 ? 1 : slope })
        case let .elu(alpha):
            return pointwise(x, value: { $0 > 0 ? $0 : alpha * Foundation.expm1($0) },
                             derivative: { x, _ in x > 0 ? 1 : (alpha == 1 && x == 0 ? 1 : alpha * Foundation.exp(x)) })
        case .selu:
            let scale: Float = 1.0507009873554805, alpha: Float = 1.6732632423543772
            return pointwise(x, value: { $0 > 0 ? scale * $0 : scale * alpha * Foundation.expm1($0) },
                             derivative: { x, _ in x >= 0 ? scale : scale * alpha * Foundation.exp(x) })
        case .gelu(approximate: false):
            return pointwise(x, value: { 0.5 * $0 * (1 + Foundation.erf($0 / Float(2).squareRoot())) },
                             derivative: { x, _ in
                                 let cdf = 0.5 * (1 + Foundation.erf(x / Float(2).squareRoot()))
                                 let pdf = Foundation.exp(-0.5 * x * x) / Float(2 * Double.pi).squareRoot()
                                 return cdf + x * pdf
                             })
        case .gelu(approximate: true):
            let c = Float((2 / Double.pi).squareRoot())
            return pointwise(x, value: { x in 0.5 * x * (1 + Foundation.tanh(c * (x + 0.044715 * x * x * x))) },
                             derivative: { x, _ in
                                 let t = Foundation.tanh(c * (x + 0.044715 * x * x * x))
                                 return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
                             })
        case .softplus:
            return pointwise(x, value: { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) },
                             derivative: { x, _ in 1 / (1 + Foundation.exp(-x)) })
        case .softsign:
            return pointwise(x, value: { $0 / (1 + Swift.abs($0)) }, derivative: { x, _ in 1 / ((1 + Swift.abs(x)) * (1 + Swift.abs(x))) })
        case .swish, .silu:
            return pointwise(x, value: { $0 / (1 + Foundation.exp(-$0)) }, derivative: { x, _ in
                let s = 1 / (1 + Foundation.exp(-x))
                return s + x * s * (1 - s)
            })
        case .hardSigmoid:
            return pointwise(x, value: ActivationFunction.hardSigmoid, derivative: { x, _ in x > -3 && x < 3 ? 1 / 6 : 0 })
        case .hardSilu:
            return pointwise(x, value: { $0 * ActivationFunction.hardSigmoid($0) }, derivative: { x, _ in
                ActivationFunction.hardSigmoid(x) + (x > -3 && x < 3 ? x / 6 : 0)
            })
        }
    }

    package static func hardSigmoid(_ x: Float) -> Float { Swift.min(Swift.max(x + 3, 0), 6) / 6 }

    /// Keras's composite relu: threshold mask, optional clip at `maxValue`, and a leaky
    /// part below the threshold; the slope follows TF's rules for each piece.
    package static func relu(_ x: Float, _ slope: Float, _ maxValue: Float?, _ threshold: Float) -> (value: Float, slope: Float) {
        if slope != 0 && maxValue == nil && threshold == 0 {
            return (x > 0 ? x : slope * x, x > 0 ? 1 : slope)
        }
        var value: Float, d: Float
        if threshold != 0 {
            value = x > threshold ? x : 0
            d = x > threshold ? 1 : 0
        } else if maxValue == 6 {
            value = Swift.min(Swift.max(x, 0), 6)
            d = x > 0 && x < 6 ? 1 : 0
            if slope != 0 {
                let neg: Float = -x > 0 ? -x : 0
                return (value - slope * neg, d + (-x > 0 ? slope : 0))
            }
            return (value, d)
        } else {
            value = x > 0 ? x : 0
            d = x > 0 ? 1 : 0
        }
        if let maxValue {
            if value < 0 || value > maxValue { d = 0 }
            value = Swift.min(Swift.max(value, 0), maxValue)
        }
        if slope != 0 {
            let u = -x + threshold
            value -= slope * (u > 0 ? u : 0)
            d += u > 0 ? slope : 0
        }
        return (value, d)
    }
}
