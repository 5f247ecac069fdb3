import Foundation
import KestrelCore

/// A training objective: maps targets and predictions to one scalar that training
/// minimises. The result is recorded on the gradient tape through `yPred` (targets are
/// constants), so `Tensor.gradients(of:withRespectTo:)` gives d(loss)/d(prediction).
/// Conforming types reproduce Keras 3's loss classes number for number, including their
/// `sum_over_batch_size` reduction, and round-trip Keras's `get_config()`.
public protocol Loss {
    /// The Keras `name` of the loss (e.g. `mean_squared_error`), used in logs and configs.
    var name: String { get }
    /// How per-sample values become the scalar loss.
    var reduction: LossReduction { get }
    /// The Keras class name, e.g. `MeanSquaredError`.
    var kerasClassName: String { get }
    /// The Keras `get_config()` dictionary (JSON-ready: nulls are `NSNull`).
    var kerasConfig: [String: Any] { get }
    /// The unreduced loss (Keras's `Loss.call`): one value per sample, or per position for
    /// sequence outputs — the predictions' shape without its last axis.
    func values(yTrue: Tensor, yPred: Tensor) -> Tensor
    /// Positions the loss itself leaves out (`ignoreClass`), as 1/0 in the shape of `values`;
    /// nil when it leaves none out.
    func valueMask(yTrue: Tensor, yPred: Tensor) -> Tensor?
    /// Checks that the targets fit the predictions (shapes, label ranges, NaN) and throws a
    /// `KestrelError` naming the loss, what was expected, what was found and what to do.
    /// Training calls it before the first step, so a bad data set fails fast.
    func validate(yTrue: Tensor, yPred: Tensor) throws
}

/// A cross-entropy that reproduces a TensorFlow-backend detail of Keras: when `y_pred` is
/// the direct output of a `sigmoid` or `softmax` activation, Keras computes the loss from
/// that activation's input (its `_keras_logits`) as if `from_logits` were true, so nothing
/// is clipped and saturated outputs still get gradients. A model whose last activation is
/// sigmoid or softmax passes that input as `preActivation` to match Keras end to end;
/// `nil` gives the ordinary computation from `yPred`.
public protocol PreActivationAwareLoss: Loss {
    func callAsFunction(yTrue: Tensor, yPred: Tensor, preActivation: Tensor?) -> Tensor
}

extension Loss {
    public func valueMask(yTrue: Tensor, yPred: Tensor) -> Tensor? { nil }

    /// The reduced scalar loss of a batch.
    public func callAsFunction(yTrue: Tensor, yPred: Tensor) -> Tensor {
        self(yTrue: yTrue, yPred: yPred, sampleWeight: nil, mask: nil)
    }

    /// Keras's `Loss.__call__(y_true, y_pred, sample_weight)` on predictions that carry
    /// `mask` (1 for a valid position, 0 for padding, in the shape of `values`): masked
    /// positions add nothing and, under `sumOverBatchSize`, the sum is divided by the number
    /// of valid positions; `sampleWeight` (per sample, or per position) scales each value.
    /// Per-sample weights `(N)` also apply to sequence outputs `(N, T)`, one weight for all
    /// of a sample's steps (Keras 3 refuses that combination).
    public func callAsFunction(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?, mask: Tensor?) -> Tensor {
        let values = self.values(yTrue: yTrue, yPred: yPred)
        var combinedMask = mask.map { LossWeighting.aligned($0.detached(), to: values) }
        if let own = valueMask(yTrue: yTrue, yPred: yPred) { combinedMask = combinedMask.map { $0 * own } ?? own }
        guard let weight = LossWeighting.weights(sampleWeight?.detached(), mask: combinedMask, scaledFor: reduction) else {
            return reduction.reduce(values)
        }
        return reduction.reduce(values * LossWeighting.aligned(weight, to: values))
    }
}

/// Keras's loss reductions. `sumOverBatchSize` (the default) sums the per-sample losses
/// and divides by how many there are; `sum` only sums them.
public enum LossReduction: String, Sendable {
    case sumOverBatchSize = "sum_over_batch_size"
    case sum

    /// Reduces per-sample (or per-position) loss values to a scalar.
    package func reduce(_ values: Tensor) -> Tensor {
        let total = values.sum()
        switch self {
        case .sum: return total
        case .sumOverBatchSize: return total / Float(Swift.max(values.count, 1))
        }
    }

    package init(kerasConfig reader: KerasConfig) throws {
        let text = try reader.string("reduction", default: "sum_over_batch_size")
        switch text {
        // tf_keras's "auto" is the batch mean outside a distribution strategy.
        case "sum_over_batch_size", "mean", "auto": self = .sumOverBatchSize
        case "sum": self = .sum
        default:
            throw KestrelError(.unsupported,
                               "\(reader.className) config: reduction \"\(text)\" is not supported; use \"sum_over_batch_size\" or \"sum\"")
        }
    }
}

/// Looks up losses by the names and configs Keras uses.
public enum Losses {
    /// The loss a Keras string names, e.g. `"mse"`, `"mean_squared_error"`,
    /// `"MeanSquaredError"`, `"sparse_categorical_crossentropy"`, with default arguments.
    public static func named(_ identifier: String) throws -> any Loss {
        switch identifier {
        case "mse", "MSE", "mean_squared_error", "MeanSquaredError": return MeanSquaredError()
        case "mae", "MAE", "mean_absolute_error", "MeanAbsoluteError": return MeanAbsoluteError()
        case "huber", "huber_loss", "Huber": return Huber()
        case "bce", "BCE", "binary_crossentropy", "BinaryCrossentropy": return BinaryCrossentropy()
        case "categorical_crossentropy", "CategoricalCrossentropy": return CategoricalCrossentropy()
        case "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy": return SparseCategoricalCrossentropy()
        default:
            throw KestrelError(.invalidArgument,
                               "unknown loss \"\(identifier)\"; known: mse, mae, huber, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy (or their Keras class names)")
        }
    }

    /// Rebuilds a loss from a Keras class name and its `get_config()` dictionary.
    public static func fromKeras(className: String, config: [String: Any]) throws -> any Loss {
        let reader = KerasConfig(className: className, values: config)
        let loss = try make(reader)
        // tf_keras also writes the loss function's name, which the class already fixes.
        if !reader.isNull("fn") { _ = try reader.string("fn") }
        try reader.requireEveryKeyRead(ignoring: ["name", "dtype"])
        return loss
    }

    private static func make(_ reader: KerasConfig) throws -> any Loss {
        switch reader.className {
        case "MeanSquaredError": return try MeanSquaredError(kerasConfig: reader)
        case "MeanAbsoluteError": return try MeanAbsoluteError(kerasConfig: reader)
        case "Huber": return try Huber(kerasConfig: reader)
        case "BinaryCrossentropy": return try BinaryCrossentropy(kerasConfig: reader)
        case "CategoricalCrossentropy": return try CategoricalCrossentropy(kerasConfig: reader)
        case "SparseCategoricalCrossentropy": return try SparseCategoricalCrossentropy(kerasConfig: reader)
        default:
            throw KestrelError(.unsupported,
                               "loss class \"\(reader.className)\" is not supported; use MeanSquaredError, MeanAbsoluteError, Huber, BinaryCrossentropy, CategoricalCrossentropy or SparseCategoricalCrossentropy")
        }
    }
}

/// Keras's `squeeze_or_expand_to_same_rank` for targets and predictions: a trailing axis
/// of size 1 on one side is matched to the other side's rank. Returns the aligned pair.
package func alignedRanks(_ yTrue: Tensor, _ yPred: Tensor) -> (Tensor, Tensor) {
    var t = yTrue, p = yPred
    if t.rank == p.rank + 1, t.shape.last == 1 {
        if p.rank == 1 { p = p.reshaped(p.shape + [1]) } else { t = t.reshaped(Array(t.shape.dropLast())) }
    } else if p.rank == t.rank + 1, p.shape.last == 1 {
        if t.rank == 1 { t = t.reshaped(t.shape + [1]) } else { p = p.reshaped(Array(p.shape.dropLast())) }
    }
    return (t, p)
}

/// Shared checks of `Loss.validate` for losses whose targets have the predictions' shape.
package func validateSameShape(_ loss: String, yTrue: Tensor, yPred: Tensor, targetHint: String) throws {
    let (t, p) = alignedRanks(yTrue, yPred)
    guard t.shape == p.shape else {
        throw KestrelError(.shapeMismatch,
                           "\(loss): y_true has shape \(yTrue.shape) but y_pred has shape \(yPred.shape); expected y_true of shape \(yPred.shape) (\(targetHint)). Reshape or re-encode the targets, or pick a loss that matches them")
    }
    try validateFinite(loss, yTrue: yTrue, yPred: yPred)
}

/// Throws when either tensor holds NaN.
package func validateFinite(_ loss: String, yTrue: Tensor, yPred: Tensor) throws {
    for (label, t) in [("y_true", yTrue), ("y_pred", yPred)] {
        if let i = t.withUnsafeBufferPointer({ $0.firstIndex { $0.isNaN } }) {
            throw KestrelError(.invalidData,
                               "\(loss): \(label) holds NaN (first at flat index \(i) of shape \(t.shape)); clean the data or lower the learning rate before training")
        }
    }
}

/// The float32 clipping bounds Keras applies to probabilities: [1e-7, 1 − 1e-7], where
/// 1 − 1e-7 rounds to 0.99999988079071044921875.
package enum ProbabilityClip {
    package static let epsilon: Float = 1e-7
    package static let upper: Float = Float(1.0 - 1e-7)
}
