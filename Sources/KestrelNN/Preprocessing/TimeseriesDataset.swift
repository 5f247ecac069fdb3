import KestrelCore

/// Sliding windows over a time series (Keras `timeseries_dataset_from_array`): window i
/// holds the steps `start + pᵢ + j·samplingRate` (j < sequenceLength) of `data`, where the
/// window starts pᵢ advance by `sequenceStride`, and its target is `targets[start + pᵢ]`.
/// Keras's argument checks and window count apply; with `shuffle` the windows are put in a
/// seeded random order (Kestrel's generator: the same seed gives the same order here, but
/// not Keras's NumPy order).
public struct TimeseriesDataset {
    /// The windows, (windows, sequenceLength, features…).
    public let inputs: Tensor
    /// The target of each window (its first step's row of `targets`), when targets were given.
    public let targets: Tensor?
    /// Windows per batch; nil for one batch of everything.
    public let batchSize: Int?

    public init(data: Tensor, targets: Tensor? = nil, sequenceLength: Int, sequenceStride: Int = 1, samplingRate: Int = 1,
                batchSize: Int? = 128, shuffle: Bool = false, seed: UInt64? = nil, startIndex: Int? = nil,
                endIndex: Int? = nil) throws {
        func refuse(_ why: String) -> KestrelError { KestrelError(.invalidArgument, "TimeseriesDataset: \(why)") }
        guard data.rank >= 1, let length = data.shape.first, length > 0 else { throw refuse("data needs at least one step, got shape \(data.shape)") }
        if let targets, targets.rank < 1 || targets.shape[0] == 0 { throw refuse("targets need one row per step, got shape \(targets.shape)") }
        guard sequenceLength > 0 else { throw refuse("sequenceLength must be positive, got \(sequenceLength)") }
        guard samplingRate > 0, samplingRate < length else { throw refuse("samplingRate must be in 1..<\(length) (the data's length), got \(samplingRate)") }
        guard sequenceStride > 0, sequenceStride < length else { throw refuse("sequenceStride must be in 1..<\(length), got \(sequenceStride)") }
        if let startIndex, startIndex < 0 || startIndex >= length { throw refuse("startIndex must be in 0..<\(length), got \(startIndex)") }
        if let endIndex {
            guard endIndex > 0, (endIndex < length), endIndex > (startIndex ?? 0) else {
                throw refuse("endIndex must be above startIndex (\(startIndex ?? 0)) and below the data's length \(length), got \(endIndex)")
            }
        }
        if let batchSize, batchSize <= 0 { throw refuse("batchSize must be positive or nil, got \(batchSize)") }
        let start = startIndex ?? 0, end = endIndex ?? length
        var count = end - start - (sequenceLength - 1) * samplingRate
        if let targets { count = Swift.min(count, targets.shape[0]) }
        guard count > 0 else {
            throw refuse("no window of \(sequenceLength) steps (sampling rate \(samplingRate)) fits in steps \(start)..<\(end)")
        }
        var positions = Array(stride(from: 0, to: count, by: sequenceStride))
        if shuffle {
            var generator = RandomGenerator(seed: seed ?? GlobalRandom.nextSeed())
            for i in stride(from: positions.count - 1, to: 0, by: -1) {
                positions.swapAt(i, generator.nextIndex(below: i + 1))
            }
        }
        let steps = positions.flatMap { p in (0..<sequenceLength).map { start + p + $0 * samplingRate } }
        inputs = data.gathering(IntTensor(steps), alongAxis: 0)
            .reshaped([positions.count, sequenceLength] + Array(data.shape.dropFirst()))
        self.targets = targets.map { $0.gathering(IntTensor(positions.map { start + $0 }), alongAxis: 0) }
        self.batchSize = batchSize
    }

    /// The windows in batches of `batchSize` (the last one holds the rest), as Keras's
    /// dataset yields them.
    public var batches: [(x: Tensor, y: Tensor?)] {
        let n = inputs.shape[0], size = batchSize ?? n
        return stride(from: 0, to: n, by: size).map { begin in
            let range = begin..<Swift.min(begin + size, n)
            return (inputs.sliced(alongAxis: 0, range), targets?.sliced(alongAxis: 0, range))
        }
    }
}
