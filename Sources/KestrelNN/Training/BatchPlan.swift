import KestrelCore

/// The batches of one pass over N samples: consecutive index ranges, optionally over a
/// seeded random permutation (`Dataset.permutation`). The last batch keeps the remainder,
/// as Keras does.
package struct BatchPlan {
    package let order: [Int]?
    package let count: Int
    package let batchSize: Int

    package init(count: Int, batchSize: Int, shuffleSeed: UInt64? = nil) {
        self.count = count
        self.batchSize = batchSize
        order = shuffleSeed.map { Dataset.permutation(count: count, seed: $0) }
    }

    package var batches: Int { (count + batchSize - 1) / batchSize }

    /// The number of samples in batch `b` (the last one keeps the remainder).
    package func size(ofBatch b: Int) -> Int { Swift.min((b + 1) * batchSize, count) - b * batchSize }

    /// Rows `b·batchSize ..< min((b+1)·batchSize, count)` of `t` in plan order; `part`
    /// keeps only those positions of the batch (a data-parallel rank's shard).
    package func batch(_ b: Int, of t: Tensor, part: Range<Int>? = nil) -> Tensor {
        let start = b * batchSize
        let whole = start..<Swift.min(start + batchSize, count)
        let range = part.map { (start + $0.lowerBound)..<(start + $0.upperBound) } ?? whole
        if let order { return t.gathering(IntTensor(Array(order[range])), alongAxis: 0) }
        return t.sliced(alongAxis: 0, range)
    }
}
