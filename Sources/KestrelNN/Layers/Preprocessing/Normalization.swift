import Foundation
import KestrelCore

/// Keras `Normalization`: (x − mean) / max(√variance, 1e-7), with one mean and variance per
/// position of the `axis` axes (per channel by default) — or, with `invert`, the way back,
/// mean + x · max(√variance, 1e-7). The statistics are either given (`mean` and `variance`,
/// config keys in Keras) or computed from data by `adapt`, which keeps them in the
/// non-trainable weights `mean`, `variance` and `count`, as Keras 3 does.
public final class Normalization: Layer {
    /// The axes that keep a mean and variance of their own; [] means one over every value.
    public let axis: [Int]
    public let invert: Bool
    /// The statistics given at construction (Keras's `mean` and `variance` arguments): one
    /// value, or an array whose trailing axes match the trailing `axis` axes. Nil when adapted.
    public let mean: Tensor?
    public let variance: Tensor?
    /// The weights `adapt` fills, created when no mean and variance were given. Keras never
    /// updates its `count`, so it stays 0 here too.
    public private(set) var adaptedMean: Parameter?
    public private(set) var adaptedVariance: Parameter?
    public private(set) var count: Parameter?

    /// Keras's `backend.epsilon()`, the smallest standard deviation divided by.
    private static let epsilon: Float = 1e-7
    /// The kept axes, normalised and sorted; set by `build`.
    private var keptAxes: [Int] = []
    /// The input shape with every reduced axis set to 1: the shape the statistics take.
    private var statisticsShape: [Int] = []
    /// `mean` and `variance` reshaped to broadcast against the inputs.
    private var givenStatistics: (mean: Tensor, variance: Tensor)?

    public init(axis: [Int] = [-1], mean: Tensor? = nil, variance: Tensor? = nil, invert: Bool = false, name: String? = nil) {
        self.axis = axis
        self.mean = mean?.detached()
        self.variance = variance?.detached()
        self.invert = invert
        super.init(name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        let shape = inputShapes[0], rank = shape.count
        try require((mean == nil) == (variance == nil),
                    "give both mean and variance, or neither and adapt the layer; got only the \(mean == nil ? "variance" : "mean")")
        try require(axis.allSatisfy { $0 >= -rank && $0 < rank }, "axis \(axis) must lie in [\(-rank), \(rank)) for inputs of shape \(shape)")
        let kept = Set(axis.map { $0 < 0 ? $0 + rank : $0 }).sorted()
        try require(kept.count == axis.count, "axis \(axis) names an axis twice; list each axis once")
        keptAxes = kept
        statisticsShape = (0..<rank).map { kept.contains($0) ? shape[$0] : 1 }
        guard let mean, let variance else {
            let sizes = kept.map { shape[$0] }
            adaptedMean = try addWeight("mean", shape: sizes, initializer: Zeros(), trainable: false)
            adaptedVariance = try addWeight("variance", shape: sizes, initializer: Ones(), trainable: false)
            count = try addWeight("count", shape: [], initializer: Zeros(), trainable: false)
            return
        }
        try require(mean.shape == variance.shape, "mean has shape \(mean.shape) but variance \(variance.shape); give them the same shape")
        try require(mean.rank <= kept.count, "mean of shape \(mean.shape) has more axes than axis \(axis) keeps (\(kept.count)); give one value per position of those axes")
        // The statistics' trailing axes go to the trailing kept axes, as Keras reshapes them.
        var expanded = [Int](repeating: 1, count: rank)
        for i in 0..<mean.rank { expanded[kept[kept.count - 1 - i]] = mean.shape[mean.rank - 1 - i] }
        try require(zip(expanded, statisticsShape).allSatisfy { $0 == $1 || $0 == 1 },
                    "mean and variance of shape \(mean.shape) do not fit the sizes \(kept.map { shape[$0] }) of axes \(axis) of inputs of shape \(shape); give one value, or one per position of those axes")
        givenStatistics = (mean.reshaped(expanded), variance.reshaped(expanded))
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        try checkKeptSizes(x.shape, what: "inputs")
        let (m, v) = try statistics()
        let deviation = clamp(sqrt(v), min: Normalization.epsilon, max: .infinity)
        return [invert ? m + x * deviation : (x - m) / deviation]
    }

    /// The mean and variance in the statistics' broadcasting shape.
    private func statistics() throws -> (Tensor, Tensor) {
        if let givenStatistics { return givenStatistics }
        guard let adaptedMean, let adaptedVariance else {
            throw KestrelError(.invalidArgument, "\(name) (Normalization) has neither given nor adapted statistics; build it before calling it")
        }
        return (adaptedMean.value.reshaped(statisticsShape), adaptedVariance.value.reshaped(statisticsShape))
    }

    /// Throws unless `shape` has the built rank and the built sizes on the kept axes.
    private func checkKeptSizes(_ shape: [Int], what: String) throws {
        guard shape.count == statisticsShape.count, keptAxes.allSatisfy({ shape[$0] == statisticsShape[$0] }) else {
            throw KestrelError(.shapeMismatch, "\(name) (Normalization) was built for inputs of rank \(statisticsShape.count) with sizes \(keptAxes.map { statisticsShape[$0] }) on axes \(axis); got \(what) of shape \(shape). Give data of the shape the layer was built for")
        }
    }

    /// A mask passes through, as in Keras (the layer works value by value).
    public override var supportsMasking: Bool { true }

    public override var configuration: [String: Any] {
        ["axis": axis, "invert": invert,
         "mean": mean.map(KerasNumberArray.json) ?? kerasNull, "variance": variance.map(KerasNumberArray.json) ?? kerasNull]
    }
}

extension Normalization {
    /// Computes the mean and variance of `data` over every axis but `axis` (population
    /// variance, as Keras's `adapt` on an array) and stores them in the layer's weights,
    /// building the layer for `data`'s shape if needed.
    public func adapt(_ data: Tensor) throws {
        try adapt(CollectionOfOne(data))
    }

    /// Computes the mean and variance over batches of data, merged batch by batch with the
    /// weights Keras 3's `adapt` gives an iterable of batches, and stores them in the layer's
    /// weights. The first batch builds the layer if needed; every batch must match it on the
    /// kept axes.
    public func adapt(_ batches: some Sequence<Tensor>) throws {
        guard mean == nil else {
            throw KestrelError(.invalidArgument, "\(name) (Normalization) was given its mean and variance; adapt computes them, so create the layer without mean and variance to adapt it")
        }
        var iterator = batches.makeIterator()
        guard let first = iterator.next() else {
            throw KestrelError(.invalidArgument, "\(name) (Normalization): adapt received no batches; give at least one batch of data")
        }
        try buildIfNeeded(inputShapes: [first.shape])
        guard let adaptedMean, let adaptedVariance else {
            throw KestrelError(.invalidArgument, "\(name) (Normalization) has no statistics weights to adapt")
        }
        let size = adaptedMean.value.count
        var totalMean = [Double](repeating: 0, count: size), totalVariance = [Double](repeating: 0, count: size)
        var totalCount = 0
        var next: Tensor? = first
        var number = 0
        while let batch = next {
            try checkKeptSizes(batch.shape, what: "adapt batch \(number)")
            let (batchMean, batchVariance, batchCount) = moments(of: batch, positions: size)
            guard batchCount > 0 else {
                throw KestrelError(.invalidArgument, "\(name) (Normalization): adapt batch \(number) of shape \(batch.shape) has no values to average; drop empty batches")
            }
            totalCount += batchCount
            let batchWeight = Double(batchCount) / Double(totalCount), existingWeight = 1 - batchWeight
            for i in 0..<size {
                let newMean = totalMean[i] * existingWeight + batchMean[i] * batchWeight
                let existingSpread = totalMean[i] - newMean, batchSpread = batchMean[i] - newMean
                totalVariance[i] = (totalVariance[i] + existingSpread * existingSpread) * existingWeight
                    + (batchVariance[i] + batchSpread * batchSpread) * batchWeight
                totalMean[i] = newMean
            }
            next = iterator.next()
            number += 1
        }
        try adaptedMean.assign(Tensor(shape: adaptedMean.shape, scalars: totalMean.map { Float($0) }))
        try adaptedVariance.assign(Tensor(shape: adaptedVariance.shape, scalars: totalVariance.map { Float($0) }))
    }

    /// Per kept position: the mean and population variance of `batch` in Double (two
    /// passes), and how many values each position averages.
    private func moments(of batch: Tensor, positions: Int) -> (mean: [Double], variance: [Double], count: Int) {
        let shape = batch.shape
        let count = (0..<shape.count).filter { !keptAxes.contains($0) }.reduce(1) { $0 * shape[$1] }
        var sum = [Double](repeating: 0, count: positions)
        forEachValue(of: batch) { value, position in sum[position] += Double(value) }
        let mean = sum.map { $0 / Double(Swift.max(count, 1)) }
        var squares = [Double](repeating: 0, count: positions)
        forEachValue(of: batch) { value, position in
            let d = Double(value) - mean[position]
            squares[position] += d * d
        }
        return (mean, squares.map { $0 / Double(Swift.max(count, 1)) }, count)
    }

    /// Calls `body` with every scalar of `batch` and the flat index of its kept position, in
    /// storage order (an odometer over the axes, each kept axis advancing the position).
    private func forEachValue(of batch: Tensor, _ body: (Float, Int) -> Void) {
        let shape = batch.shape
        var positionStride = [Int](repeating: 0, count: shape.count)
        var running = 1
        for a in keptAxes.reversed() {
            positionStride[a] = running
            running *= shape[a]
        }
        var index = [Int](repeating: 0, count: shape.count)
        var position = 0
        batch.withUnsafeBufferPointer { values in
            for i in 0..<values.count {
                body(values[i], position)
                var a = shape.count - 1
                while a >= 0 {
                    index[a] += 1
                    position += positionStride[a]
                    if index[a] < shape[a] { break }
                    position -= positionStride[a] * shape[a]
                    index[a] = 0
                    a -= 1
                }
            }
        }
    }
}

extension Normalization: KerasReadableLayer {
    /// The layer a Keras `Normalization` config describes: `axis` −1 when absent, every
    /// axis reduced when null; `mean` and `variance` both given or both null.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        let axisValue = c["axis"]
        let axis: [Int]
        if axisValue == nil {
            axis = [-1]
        } else if let value = axisValue, value is NSNull {
            axis = []
        } else {
            axis = try c.ints("axis", count: 1)
        }
        let mean = try c.numberArray("mean"), variance = try c.numberArray("variance")
        guard (mean == nil) == (variance == nil) else {
            throw c.error(mean == nil ? "mean" : "variance", "given together with \(mean == nil ? "variance" : "mean") (both or neither, as Keras requires)")
        }
        return Normalization(axis: axis, mean: mean, variance: variance, invert: try c.bool("invert", default: false), name: c.name)
    }
}
