import Foundation
import KestrelCore

/// A running statistic over the batches of an epoch (Keras `Metric`): `update` adds a
/// batch, `result` is the value so far, `reset` starts over. Metrics are reference types
/// because a model, its callbacks and the progress output share one running state.
public protocol Metric: AnyObject {
    /// The name shown in logs and `History` (the Keras identifier it was made from).
    var name: String { get }
    /// The current value (0 before any update, as Keras's `divide_no_nan`).
    var result: Float { get }
    /// Adds one batch; `sampleWeight` (shape `(N)` or the per-position shape) weights samples.
    func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?)
    /// Forgets every batch seen.
    func reset()
    /// The running totals (`[]` for a stateless metric), read and restored by
    /// `BackupAndRestore` so a resumed epoch reports what an uninterrupted one would.
    var state: [Float] { get set }
}

extension Metric {
    /// Adds one batch with unit sample weights.
    public func update(yTrue: Tensor, yPred: Tensor) {
        update(yTrue: yTrue, yPred: yPred, sampleWeight: nil)
    }
}

/// Keras's `MeanMetricWrapper`: a per-position value function averaged over all samples
/// seen (weighted by sample weight), not over batches. Values of rank > 1 are first
/// averaged over their non-batch axes, so each sample counts once, as Keras's
/// `reduce_to_samplewise_values` does. Totals are float32 like Keras's variables.
public class MeanMetric: Metric {
    public let name: String
    /// The per-position values of one batch (e.g. 1/0 matches), from targets and predictions.
    package let values: (_ yTrue: Tensor, _ yPred: Tensor) -> Tensor
    private var total: Float = 0
    private var count: Float = 0

    package init(name: String, values: @escaping (_ yTrue: Tensor, _ yPred: Tensor) -> Tensor) {
        self.name = name
        self.values = values
    }

    public var result: Float { count == 0 ? 0 : total / count }

    public func reset() {
        total = 0
        count = 0
    }

    public var state: [Float] {
        get { [total, count] }
        set {
            guard newValue.count == 2 else { return }
            (total, count) = (newValue[0], newValue[1])
        }
    }

    public func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?) {
        withoutGradients {
            var v = values(yTrue.detached(), yPred.detached())
            guard var w = sampleWeight?.detached() else {
                total += v.rank > 1 ? v.mean(alongAxes: Array(1..<v.rank)).sum().scalar : v.sum().scalar
                count += Float(v.rank >= 1 ? v.shape[0] : 1)
                return
            }
            (v, w) = alignedRanks(v, w)
            if v.rank > w.rank { v = v.mean(alongAxes: Array(w.rank..<v.rank)) }
            w = w.broadcast(to: v.shape)
            v = v * w
            if w.rank > 1 { w = w.mean(alongAxes: Array(1..<w.rank)) }
            if v.rank > 1 { v = v.mean(alongAxes: Array(1..<v.rank)) }
            total += v.sum().scalar
            count += w.sum().scalar
        }
    }
}

/// Builds metrics from the strings Keras's `compile(metrics=[...])` accepts.
public enum Metrics {
    /// The metric a Keras identifier names, logged under that identifier: `"accuracy"` /
    /// `"acc"`, `"binary_accuracy"`, `"categorical_accuracy"`, `"sparse_categorical_accuracy"`,
    /// `"top_k_categorical_accuracy"`, `"sparse_top_k_categorical_accuracy"`, `"mae"`,
    /// `"mean_absolute_error"`, `"mse"`, `"mean_squared_error"`, or a class name.
    ///
    /// `"accuracy"` is resolved the way Keras 3's compile does it, from the shapes of the
    /// first batch rather than from the loss: binary accuracy (threshold 0.5, applied to
    /// `y_pred` as given, even logits) when `y_pred` and `y_true` have the same rank and
    /// `y_pred`'s last axis is 1; categorical accuracy for the same rank otherwise; sparse
    /// categorical accuracy when `y_true` has a lower rank. `loss` is accepted because
    /// compile passes it, but it does not change the choice, exactly as in Keras.
    public static func resolve(_ identifier: String, loss: (any Loss)? = nil) throws -> any Metric {
        let name = kerasDefaultNames[identifier] ?? identifier
        switch identifier {
        case "accuracy", "acc": return ShapeResolvedAccuracy(name: name)
        case "binary_accuracy", "BinaryAccuracy": return BinaryAccuracy(name: name)
        case "categorical_accuracy", "CategoricalAccuracy": return CategoricalAccuracy(name: name)
        case "sparse_categorical_accuracy", "SparseCategoricalAccuracy": return SparseCategoricalAccuracy(name: name)
        case "top_k_categorical_accuracy", "TopKCategoricalAccuracy": return TopKCategoricalAccuracy(name: name)
        case "sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy":
            return SparseTopKCategoricalAccuracy(name: name)
        case "mae", "MAE", "mean_absolute_error", "MeanAbsoluteError": return MeanAbsoluteErrorMetric(name: name)
        case "mse", "MSE", "mean_squared_error", "MeanSquaredError": return MeanSquaredErrorMetric(name: name)
        default:
            throw KestrelError(.invalidArgument,
                               "unknown metric \"\(identifier)\"; known: accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, mae, mse")
        }
    }

    /// Metric classes log under Keras's default snake_case name; strings log as given.
    private static let kerasDefaultNames = [
        "BinaryAccuracy": "binary_accuracy", "CategoricalAccuracy": "categorical_accuracy",
        "SparseCategoricalAccuracy": "sparse_categorical_accuracy", "TopKCategoricalAccuracy": "top_k_categorical_accuracy",
        "SparseTopKCategoricalAccuracy": "sparse_top_k_categorical_accuracy", "MeanAbsoluteError": "mean_absolute_error",
        "MeanSquaredError": "mean_squared_error",
    ]
}
