import Foundation
import KestrelCore

/// Classification accuracies, each a mean over samples of per-position 1/0 matches,
/// following Keras 3's metric functions (including their rank adjustments).

/// Fraction of elements where `y_pred > threshold` equals the 0/1 label (Keras
/// `BinaryAccuracy`).
public final class BinaryAccuracy: MeanMetric {
    public let threshold: Float

    public init(name: String = "binary_accuracy", threshold: Float = 0.5) {
        self.threshold = threshold
        super.init(name: name) { yTrue, yPred in binaryMatches(yTrue, yPred, threshold: threshold) }
    }
}

/// Fraction of positions where the arg-max of `y_pred` equals the arg-max of the one-hot
/// `y_true` (Keras `CategoricalAccuracy`).
public final class CategoricalAccuracy: MeanMetric {
    public init(name: String = "categorical_accuracy") {
        super.init(name: name, values: categoricalMatches)
    }
}

/// Fraction of positions where the arg-max of `y_pred` equals the class id in `y_true`
/// (Keras `SparseCategoricalAccuracy`); `y_true` may carry a trailing axis of size 1.
public final class SparseCategoricalAccuracy: MeanMetric {
    public init(name: String = "sparse_categorical_accuracy") {
        super.init(name: name, values: sparseCategoricalMatches)
    }
}

/// Fraction of positions whose one-hot class is among the `k` highest predictions (Keras
/// `TopKCategoricalAccuracy`, default k = 5).
public final class TopKCategoricalAccuracy: MeanMetric {
    public let k: Int

    public init(k: Int = 5, name: String = "top_k_categorical_accuracy") {
        self.k = k
        super.init(name: name) { yTrue, yPred in
            topKMatches(yTrue.argmax(alongAxis: -1).scalars, yPred, k: k, shape: Array(yTrue.shape.dropLast()))
        }
    }
}

/// Fraction of positions whose class id is among the `k` highest predictions (Keras
/// `SparseTopKCategoricalAccuracy`, default k = 5).
public final class SparseTopKCategoricalAccuracy: MeanMetric {
    public let k: Int

    public init(k: Int = 5, name: String = "sparse_top_k_categorical_accuracy") {
        self.k = k
        super.init(name: name) { yTrue, yPred in
            let t = squeezedClassIDs(yTrue, yPred)
            return topKMatches(classIDs(t), yPred, k: k, shape: t.shape)
        }
    }
}

/// Keras compile's `"accuracy"`: binary, categorical or sparse categorical accuracy,
/// chosen once from the ranks of the first batch (see `Metrics.resolve`).
package final class ShapeResolvedAccuracy: MeanMetric {
    package init(name: String) {
        var chosen: ((Tensor, Tensor) -> Tensor)?
        super.init(name: name) { yTrue, yPred in
            if chosen == nil {
                if yPred.rank == yTrue.rank && yPred.shape.last == 1 {
                    chosen = { binaryMatches($0, $1, threshold: 0.5) }
                } else if yPred.rank == yTrue.rank {
                    chosen = categoricalMatches
                } else {
                    chosen = sparseCategoricalMatches
                }
            }
            return chosen!(yTrue, yPred)
        }
    }
}

/// Keras `binary_accuracy`: 1 where `(y_pred > threshold)` equals `y_true`, element-wise.
private func binaryMatches(_ yTrue: Tensor, _ yPred: Tensor, threshold: Float) -> Tensor {
    let (t, p) = alignedRanks(yTrue, yPred)
    return t .== (p .> threshold)
}

/// Keras `categorical_accuracy`: arg-max of the one-hot targets against arg-max of the predictions.
private func categoricalMatches(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    classMatches(yTrue.argmax(alongAxis: -1).scalars, yPred.argmax(alongAxis: -1), shape: Array(yTrue.shape.dropLast()))
}

/// Keras `sparse_categorical_accuracy`: class ids against the arg-max of the predictions.
private func sparseCategoricalMatches(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    let t = squeezedClassIDs(yTrue, yPred)
    return classMatches(classIDs(t), yPred.argmax(alongAxis: -1), shape: t.shape)
}

/// Class-id targets without the trailing size-1 axis they may carry.
private func squeezedClassIDs(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    yTrue.rank == yPred.rank && yTrue.shape.last == 1 ? yTrue.reshaped(Array(yTrue.shape.dropLast())) : yTrue
}

/// Float class ids as integers; a value that is not a whole number matches no class.
private func classIDs(_ t: Tensor) -> [Int] {
    t.withUnsafeBufferPointer { b in b.map { Int(exactly: $0) ?? -1 } }
}

/// 1 where `predicted` equals `labels` (flat, same count), shaped as `shape`.
private func classMatches(_ labels: [Int], _ predicted: IntTensor, shape: [Int]) -> Tensor {
    checkedPrecondition(labels.count == predicted.count,
                 "accuracy: \(labels.count) labels for \(predicted.count) predictions (shape \(predicted.shape))")
    return Tensor(shape: shape, scalars: zip(labels, predicted.scalars).map { $0 == $1 ? 1 : 0 })
}

/// Whether the class `target` is among the `k` largest of `row`, as TensorFlow's
/// `in_top_k`: ties at the boundary count as inside; a non-finite row counts as a miss.
private func inTopK(_ row: UnsafeBufferPointer<Float>, target: Int, k: Int) -> Bool {
    guard target >= 0, target < row.count, row.allSatisfy({ $0.isFinite }) else { return false }
    let value = row[target]
    return row.reduce(0) { $0 + ($1 > value ? 1 : 0) } < k
}

/// 1/0 per row of `yPred` (last axis = classes) for the class ids `targets`.
private func topKMatches(_ targets: [Int], _ yPred: Tensor, k: Int, shape: [Int]) -> Tensor {
    let classes = yPred.shape.last ?? 0
    checkedPrecondition(targets.count * classes == yPred.count,
                 "top-k accuracy: \(targets.count) labels for predictions of shape \(yPred.shape)")
    let hits = yPred.withUnsafeBufferPointer { p in
        targets.enumerated().map { r, t -> Float in
            inTopK(UnsafeBufferPointer(rebasing: p[(r * classes)..<((r + 1) * classes)]), target: t, k: k) ? 1 : 0
        }
    }
    return Tensor(shape: shape, scalars: hits)
}
