import Foundation
import KestrelCore

/// Fused cross-entropy kernels with their own backward passes. Each computes the
/// per-position loss in one sweep over the logits and records a single tape node whose
/// backward is the closed form (`sigmoid(z) − y`, `softmax(z) − onehot(y)`), instead of a
/// chain of element-wise ops and a one-hot product.
extension Tensor {
    /// TensorFlow's `sigmoid_cross_entropy_with_logits`: element-wise
    /// `max(z, 0) − z·y + log1p(exp(−|z|))`, with d/dz = `sigmoid(z) − y`. `labels` is a
    /// constant with the shape of `logits`.
    package static func sigmoidCrossEntropy(logits: Tensor, labels: Tensor) -> Tensor {
        checkedPrecondition(logits.shape == labels.shape,
                     "sigmoidCrossEntropy: logits \(logits.shape) and labels \(labels.shape) differ")
        let z = logits.storage.pointer, y = labels.storage.pointer
        let loss = Tensor(shape: logits.shape) { out, n in
            for i in 0..<n {
                let zi = z[i]
                out[i] = Swift.max(zi, 0) - zi * y[i] + Foundation.log1p(Foundation.exp(-Swift.abs(zi)))
            }
        }
        return loss.recorded(from: logits) { g in
            let gp = g.storage.pointer, z = logits.storage.pointer, y = labels.storage.pointer
            return Tensor(shape: logits.shape) { out, n in
                for i in 0..<n {
                    let s = 1 / (1 + Foundation.exp(-z[i]))
                    out[i] = gp[i] * (s - y[i])
                }
            }
        }
    }

    /// TensorFlow's `sparse_softmax_cross_entropy_with_logits` over the last axis:
    /// `logsumexp(z) − z[label]` for each position, with d/dz = `softmax(z) − onehot`.
    /// `labels` holds one class id per position (`logits.shape` without its last axis);
    /// positions whose label equals `ignoredClass` give 0 and get no gradient.
    package static func sparseSoftmaxCrossEntropy(logits: Tensor, labels: [Int], ignoredClass: Int? = nil) -> Tensor {
        let classes = logits.shape.last ?? 0
        let rows = classes == 0 ? 0 : logits.count / classes
        checkedPrecondition(labels.count == rows,
                     "sparseSoftmaxCrossEntropy: \(labels.count) labels for logits of shape \(logits.shape)")
        let z = logits.storage.pointer
        var probabilities = [Float](repeating: 0, count: logits.count)
        let loss = Tensor(shape: Array(logits.shape.dropLast())) { out, _ in
            probabilities.withUnsafeMutableBufferPointer { prob in
                for r in 0..<rows {
                    let label = labels[r]
                    if label == ignoredClass { out[r] = 0; continue }
                    checkedPrecondition(label >= 0 && label < classes,
                                 "sparse cross-entropy: label \(label) at position \(r) is outside [0, \(classes))")
                    let row = z + r * classes
                    var m = -Float.infinity
                    for j in 0..<classes { m = Swift.max(m, row[j]) }
                    var total: Float = 0
                    for j in 0..<classes {
                        let e = Foundation.exp(row[j] - m)
                        prob[r * classes + j] = e
                        total += e
                    }
                    let inv = 1 / total
                    for j in 0..<classes { prob[r * classes + j] *= inv }
                    out[r] = Foundation.log(total) - (row[label] - m)
                }
            }
        }
        return loss.recorded(from: logits) { g in
            let gp = g.storage.pointer
            return Tensor(shape: logits.shape) { out, _ in
                probabilities.withUnsafeBufferPointer { prob in
                    for r in 0..<rows {
                        let o = out + r * classes
                        if labels[r] == ignoredClass {
                            for j in 0..<classes { o[j] = 0 }
                            continue
                        }
                        for j in 0..<classes { o[j] = gp[r] * prob[r * classes + j] }
                        o[labels[r]] -= gp[r]
                    }
                }
            }
        }
    }
}
