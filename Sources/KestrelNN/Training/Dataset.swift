import KestrelCore

/// An in-memory supervised dataset: inputs `x` and targets `y` with samples along axis 0,
/// the unit `fit` and `evaluate` consume. Batching and validation splits follow Keras:
/// the last batch may be short, and the validation split takes the last samples.
public struct Dataset {
    public let x: Tensor
    public let y: Tensor

    /// Pairs inputs with targets; both need rank ≥ 1 and the same number of samples.
    public init(x: Tensor, y: Tensor) throws {
        guard x.rank >= 1, y.rank >= 1 else {
            throw KestrelError(.shapeMismatch, "Dataset: x (shape \(x.shape)) and y (shape \(y.shape)) need a sample axis 0; scalars are not datasets")
        }
        guard x.shape[0] == y.shape[0] else {
            throw KestrelError(.shapeMismatch, "Dataset: x has \(x.shape[0]) samples (shape \(x.shape)) but y has \(y.shape[0]) (shape \(y.shape)); axis 0 must match")
        }
        self.x = x
        self.y = y
    }

    /// Pairs inputs with integer class labels (stored as Float32 targets).
    public init(x: Tensor, labels: IntTensor) throws {
        try self.init(x: x, y: labels.asTensor)
    }

    /// Number of samples.
    public var count: Int { x.shape[0] }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        let ids = IntTensor(indices)
        return Dataset(unchecked: x.gathering(ids, alongAxis: 0), y.gathering(ids, alongAxis: 0))
    }

    /// The samples in `range`.
    public func subset(_ range: Range<Int>) -> Dataset {
        Dataset(unchecked: x.sliced(alongAxis: 0, range), y.sliced(alongAxis: 0, range))
    }

    private init(unchecked x: Tensor, _ y: Tensor) {
        self.x = x
        self.y = y
    }

    /// Splits off the last `validationFraction` of the samples, as Keras's
    /// `validation_split` does: training gets the first `Int(count * (1 - fraction))`.
    public func split(validationFraction: Double) throws -> (training: Dataset, validation: Dataset) {
        guard validationFraction > 0, validationFraction < 1 else {
            throw KestrelError(.invalidArgument, "Dataset.split: validationFraction must be in (0, 1), got \(validationFraction)")
        }
        let cut = Int(Double(count) * (1 - validationFraction))
        guard cut > 0, cut < count else {
            throw KestrelError(.invalidArgument, "Dataset.split: validationFraction \(validationFraction) of \(count) samples leaves \(cut) for training and \(count - cut) for validation; both need at least one")
        }
        return (subset(0..<cut), subset(cut..<count))
    }

    /// A reproducible random order of `count` indices (Fisher–Yates driven by `seed`).
    public static func permutation(count: Int, seed: UInt64) -> [Int] {
        var generator = RandomGenerator(seed: seed)
        var order = Array(0..<count)
        var i = count - 1
        while i > 0 {
            order.swapAt(i, generator.nextIndex(below: i + 1))
            i -= 1
        }
        return order
    }

    /// The dataset in batches of `size` samples; the last batch holds the remainder. With
    /// `shuffle`, samples come in the order of `permutation(count:seed:)` (vary the seed
    /// per epoch for a fresh order).
    public func batches(size: Int, shuffle: Bool = false, seed: UInt64 = 0) throws -> Batches {
        guard size > 0 else { throw KestrelError(.invalidArgument, "Dataset.batches: batch size must be positive, got \(size)") }
        return Batches(dataset: self, size: size, order: shuffle ? Dataset.permutation(count: count, seed: seed) : nil)
    }

    /// The batches of one pass over a dataset, each gathered only when the iteration reaches it.
    public struct Batches: Sequence, IteratorProtocol {
        package let dataset: Dataset
        package let size: Int
        package let order: [Int]?
        private var start = 0

        package init(dataset: Dataset, size: Int, order: [Int]?) {
            self.dataset = dataset
            self.size = size
            self.order = order
        }

        /// Number of batches, counting a final short one.
        public var count: Int { (dataset.count + size - 1) / size }

        public mutating func next() -> (x: Tensor, y: Tensor)? {
            guard start < dataset.count else { return nil }
            let end = Swift.min(start + size, dataset.count)
            defer { start = end }
            let part = order.map { dataset.subset(Array($0[start..<end])) } ?? dataset.subset(start..<end)
            return (part.x, part.y)
        }
    }
}
