import Foundation

/// Classification accuracies, each a mean over samples of per-position 1/0 matches,
/// following Keras 3's metric functions (including their rank adjustments).

/// Fraction of elements where `y_pred > threshold` equals the 0/1 label (Keras
/// `BinaryAccuracy`).
public final class BinaryAccuracy: MeanMetric {
    public let threshold: Float

    public init(name: String = "binary_accuracy", threshold: Float = 0.5) {
        self.threshold = threshold
        super.init(name: name)
    }

    override func values(yTrue: Tensor, yPred: Tensor) -> Tensor {
        let (t, p) = alignedRanks(yTrue, yPred)
        return t .== (p .> threshold)
    }
}

/// Fraction of positions where the arg-max of `y_pred` equals the arg-max of the one-hot
/// `y_true` (Keras `CategoricalAccuracy`).
public final class CategoricalAccuracy: MeanMetric {
    override public init(name: String = "categorical_accuracy") {
        super.init(name: name)
    }

    override func values(yTrue: Tensor, yPred: Tensor) -> Tensor {
        classMatches(yTrue.argmax(alongAxis: -1).scalars, yPred.argmax(alongAxis: -1), shape: Array(yTrue.shape.dropLast()))
    }
}

/// Fraction of positions where the arg-max of `y_pred` equals the class id in `y_true`
/// (Keras `SparseCategoricalAccuracy`); `y_true` may carry a trailing axis of size 1.
public final class SparseCategoricalAccuracy: MeanMetric {
    override public init(name: String = "sparse_categorical_accuracy") {
        super.init(name: name)
    }

    override func values(yTrue: Tensor, yPred: Tensor) -> Tensor {
        let ids = yTrue.withUnsafeBufferPointer { b in b.map { Int(exactly: $0) ?? -1 } }
        return classMatches(ids, yPred.argmax(alongAxis: -1), shape: yTrue.shape)
    }
}

/// 1 where `predicted` equals `labels` (flat, same count), shaped as `shape`.
private func classMatches(_ labels: [Int], _ predicted: IntTensor, shape: [Int]) -> Tensor {
    precondition(labels.count == predicted.count,
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
    precondition(targets.count * classes == yPred.count,
                 "top-k accuracy: \(targets.count) labels for predictions of shape \(yPred.shape)")
    let hits = yPred.withUnsafeBufferPointer { p in
        targets.enumerated().map { r, t -> Float in
            inTopK(UnsafeBufferPointer(rebasing: p[(r * classes)..<((r + 1) * classes)]), target: t, k: k) ? 1 : 0
        }
    }
    return Tensor(shape: shape, scalars: hits)
}

/// Fraction of positions whose one-hot class is among the `k` highest predictions (Keras
/// `TopKCategoricalAccuracy`, default k = 5).
public final class TopKCategoricalAccuracy: MeanMetric {
    public let k: Int

    public init(k: Int = 5, name: String = "top_k_categorical_accuracy") {
        self.k = k
        super.init(name: name)
    }

    override func values(yTrue: Tensor, yPred: Tensor) -> Tensor {
        topKMatches(yTrue.argmax(alongAxis: -1).scalars, yPred, k: k, shape: Array(yTrue.shape.dropLast()))
    }
}

/// Fraction of positions whose class id is among the `k` highest predictions (Keras
/// `SparseTopKCategoricalAccuracy`, default k = 5).
public final class SparseTopKCategoricalAccuracy: MeanMetric {
    public let k: Int

    public init(k: Int = 5, name: String = "sparse_top_k_categorical_accuracy") {
        self.k = k
        super.init(name: name)
    }

    override func values(yTrue: Tensor, yPred: Tensor) -> Tensor {
        let t = yTrue.rank == yPred.rank && yTrue.shape.last == 1 ? yTrue.reshaped(Array(yTrue.shape.dropLast())) : yTrue
        let ids = t.withUnsafeBufferPointer { b in b.map { Int(exactly: $0) ?? -1 } }
        return topKMatches(ids, yPred, k: k, shape: t.shape)
    }
}

/// Keras compile's `"accuracy"`: binary, categorical or sparse categorical accuracy,
/// chosen once from the ranks of the first batch (see `Metrics.resolve`).
final class ShapeResolvedAccuracy: MeanMetric {
    private var chosen: MeanMetric?

    override func values(yTrue: Tensor, yPred: Tensor) -> Tensor {
        if chosen == nil {
            if yPred.rank == yTrue.rank && yPred.shape.last == 1 {
                chosen = BinaryAccuracy(name: name)
            } else if yPred.rank == yTrue.rank {
                chosen = CategoricalAccuracy(name: name)
            } else {
                chosen = SparseCategoricalAccuracy(name: name)
            }
        }
        return chosen!.values(yTrue: yTrue, yPred: yPred)
    }
}
