import KestrelCore

/// Where a running `fit` stands: the epoch in progress, how many of its batches are done,
/// the shuffle seed of this `fit`, and the running loss and metric totals of the epoch.
/// It is what `BackupAndRestore` saves, so that a `fit` killed at any moment can resume
/// and end with the weights an uninterrupted run would have.
public struct FitProgress: Equatable, Sendable {
    /// `epochsCompleted` when this `fit` began (its epochs are `firstEpoch ..< firstEpoch + epochs`).
    public var firstEpoch: Int
    /// The epoch in progress, counted like `epochsCompleted` (so also the epochs done).
    public var epoch: Int
    /// Batches of `epoch` already trained.
    public var batchesDone: Int
    /// The seed the batch order of every epoch of this `fit` is drawn from.
    public var shuffleSeed: UInt64
    /// The running sums of the loss trackers (total, then each output), as (Σ loss·n, Σ n).
    public var lossTotals: [LossTotal]
    /// Each metric's running totals, in the model's metric order.
    public var metricStates: [[Float]]

    /// One loss tracker's running sum and sample count.
    public struct LossTotal: Equatable, Sendable {
        public var sum: Double
        public var samples: Int

        public init(sum: Double, samples: Int) {
            self.sum = sum
            self.samples = samples
        }
    }

    public init(firstEpoch: Int, epoch: Int, batchesDone: Int, shuffleSeed: UInt64,
                lossTotals: [LossTotal] = [], metricStates: [[Float]] = []) {
        self.firstEpoch = firstEpoch
        self.epoch = epoch
        self.batchesDone = batchesDone
        self.shuffleSeed = shuffleSeed
        self.lossTotals = lossTotals
        self.metricStates = metricStates
    }

    /// Throws unless this progress belongs to a `fit` of `epochs` epochs over `batches`
    /// batches per epoch, so a backup from another run is refused instead of misused.
    package func validate(epochs: Int, batches: Int, lossCount: Int, metricCount: Int, model: String) throws {
        func refuse(_ what: String) -> KestrelError {
            KestrelError(.invalidFile, "\(model).fit: the backup to resume from \(what); it was made by another training run. Delete the backup folder to start afresh")
        }
        guard firstEpoch >= 0, epoch >= firstEpoch, epoch <= firstEpoch + epochs else {
            throw refuse("is at epoch \(epoch) of a fit over epochs \(firstEpoch)..<\(firstEpoch + epochs)")
        }
        guard batchesDone >= 0, batchesDone <= batches else {
            throw refuse("has \(batchesDone) batches done, but an epoch has \(batches)")
        }
        guard lossTotals.count == lossCount + 1, lossTotals.allSatisfy({ $0.samples >= 0 }) else {
            throw refuse("holds \(lossTotals.count) loss totals, but the model tracks \(lossCount + 1)")
        }
        guard metricStates.count == metricCount else {
            throw refuse("holds \(metricStates.count) metric states, but the model has \(metricCount) metrics")
        }
    }
}
