/// Reductions over any set of axes (`nil` = all), with or without keeping the reduced
/// axes as size 1, and their gradients.
extension Tensor {
    /// Folds `combine` over the given axes starting from `initial` (no tape record).
    private func reduced(axes normalized: [Int], keepingDimensions: Bool, initial: Float,
                         _ combine: (Float, Float) -> Float) -> Tensor {
        var kept = shape
        for axis in normalized { kept[axis] = 1 }
        var out = Tensor.full(kept, initial)
        if count > 0 {
            let src = storage.pointer, dst = out.storage.pointer
            BroadcastIteration(output: shape, a: shape, b: kept).forEachRow { oa, sa, ob, sb, _, n in
                if sb == 0 {
                    var acc = dst[ob]
                    if sa == 1 { for i in 0..<n { acc = combine(acc, src[oa + i]) } }
                    else { for i in 0..<n { acc = combine(acc, src[oa + i * sa]) } }
                    dst[ob] = acc
                } else if sa == 1 && sb == 1 {
                    for i in 0..<n { dst[ob + i] = combine(dst[ob + i], src[oa + i]) }
                } else {
                    for i in 0..<n { dst[ob + i * sb] = combine(dst[ob + i * sb], src[oa + i * sa]) }
                }
            }
        }
        if !keepingDimensions {
            out = out.sharingStorage(shape: shape.enumerated().filter { !normalized.contains($0.offset) }.map(\.element))
        }
        return out
    }

    private func keptShape(_ axes: [Int]) -> [Int] {
        var kept = shape
        for axis in axes { kept[axis] = 1 }
        return kept
    }

    /// Sum over `axes` (every axis when `nil`).
    public func sum(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let normalized = checked { try Shape.normalize(axes: axes, rank: rank, op: "sum") }
        let kept = keptShape(normalized)
        let inputShape = shape
        let leading = !normalized.isEmpty && normalized == Array(0..<normalized.count) && normalized.count < rank
        let total = leading ? sumOfLeadingAxes(normalized.count, keepingDimensions: keepingDimensions)
                            : reduced(axes: normalized, keepingDimensions: keepingDimensions, initial: 0, +)
        return total.recorded(from: self) { g in g.reshaped(kept).broadcast(to: inputShape) }
    }

    /// Σ over the first `axes` axes (a bias's gradient): the rows of the (rows, cols) view
    /// added in fixed blocks of rows on the thread pool, the blocks' sums then added in order,
    /// so the bits do not depend on the thread count.
    private func sumOfLeadingAxes(_ axes: Int, keepingDimensions: Bool) -> Tensor {
        let cols = shape[axes...].reduce(1, *), rows = shape[..<axes].reduce(1, *)
        let outShape = keepingDimensions ? Array(repeating: 1, count: axes) + Array(shape[axes...]) : Array(shape[axes...])
        let block = (1 << 15) / Swift.max(cols, 1), blocks = Parallel.blockCount(rows, size: block)
        let src = UnsafePointer(storage.pointer)
        return Tensor(shape: outShape) { out, _ in
            out.initialize(repeating: 0, count: cols)
            guard blocks > 0 else { return }
            ScratchPool.with(blocks * cols) { partial in
                Parallel.forEachBlock(rows, size: block) { b, items in
                    let acc = partial + b * cols
                    acc.initialize(repeating: 0, count: cols)
                    for r in items {
                        let row = src + r * cols
                        for j in 0..<cols { acc[j] += row[j] }
                    }
                }
                for b in 0..<blocks {
                    let acc = partial + b * cols
                    for j in 0..<cols { out[j] += acc[j] }
                }
            }
        }
    }

    public func sum(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// Arithmetic mean over `axes` (every axis when `nil`).
    public func mean(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let normalized = checked { try Shape.normalize(axes: axes, rank: rank, op: "mean") }
        let n = normalized.reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: normalized, keepingDimensions: keepingDimensions) * (1 / Float(n))
    }

    public func mean(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        mean(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// Population variance (divides by N, as Keras's `ops.var`) over `axes`.
    public func variance(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let normalized = checked { try Shape.normalize(axes: axes, rank: rank, op: "variance") }
        let centered = self - mean(alongAxes: normalized, keepingDimensions: true)
        return pow(centered, 2).mean(alongAxes: normalized, keepingDimensions: keepingDimensions)
    }

    public func variance(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        variance(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// Largest value over `axes`; the gradient is shared equally by tied maxima.
    public func max(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        extremum(axes: axes, keepingDimensions: keepingDimensions, op: "max", initial: -.infinity) { Swift.max($0, $1) }
    }

    /// Smallest value over `axes`; the gradient is shared equally by tied minima.
    public func min(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        extremum(axes: axes, keepingDimensions: keepingDimensions, op: "min", initial: .infinity) { Swift.min($0, $1) }
    }

    public func max(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        max(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    public func min(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        min(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    private func extremum(axes: [Int]?, keepingDimensions: Bool, op: String, initial: Float,
                          _ combine: (Float, Float) -> Float) -> Tensor {
        let normalized = checked { try Shape.normalize(axes: axes, rank: rank, op: op) }
        checkedPrecondition(normalized.allSatisfy { shape[$0] > 0 }, "\(op): cannot reduce an empty axis of shape \(shape)")
        let kept = keptShape(normalized)
        let keptValue = reduced(axes: normalized, keepingDimensions: true, initial: initial, combine)
        let result = keepingDimensions ? keptValue : keptValue.sharingStorage(shape: shape.enumerated().filter { !normalized.contains($0.offset) }.map(\.element))
        let x = self
        return result.recorded(from: self) { g in
            let hits = Tensor.broadcastMap(x, keptValue, op: op) { $0 == $1 ? 1 : 0 }
            let ties = hits.sum(alongAxes: normalized, keepingDimensions: true)
            return hits * (g.reshaped(kept) / ties)
        }
    }

    /// Index of the largest value along `axis` (the first one on ties); the axis is removed.
    public func argmax(alongAxis axis: Int = -1) -> IntTensor {
        argExtremum(axis: axis, op: "argmax") { $0 > $1 }
    }

    /// Index of the smallest value along `axis` (the first one on ties); the axis is removed.
    public func argmin(alongAxis axis: Int = -1) -> IntTensor {
        argExtremum(axis: axis, op: "argmin") { $0 < $1 }
    }

    private func argExtremum(axis: Int, op: String, _ better: (Float, Float) -> Bool) -> IntTensor {
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: op) }
        checkedPrecondition(shape[a] > 0, "\(op): axis \(axis) of shape \(shape) is empty")
        let outer = shape[..<a].reduce(1, *), length = shape[a], inner = shape[(a + 1)...].reduce(1, *)
        var result = [Int](repeating: 0, count: outer * inner)
        let p = storage.pointer
        for o in 0..<outer {
            for i in 0..<inner {
                var best = p[o * length * inner + i], bestIndex = 0
                for j in 1..<Swift.max(length, 1) where better(p[(o * length + j) * inner + i], best) {
                    best = p[(o * length + j) * inner + i]
                    bestIndex = j
                }
                result[o * inner + i] = bestIndex
            }
        }
        var outShape = shape
        outShape.remove(at: a)
        return IntTensor(shape: outShape, scalars: result)
    }
}
