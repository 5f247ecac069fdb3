import Foundation
import KestrelCore
import KestrelNN

/// Keras's `TensorBoard` callback: writes the loss, the metrics and the learning rate to
/// TensorBoard event files as training runs, so `tensorboard --logdir DIR` plots them live.
/// As in Keras, training values go to `DIR/train` and validation values (`val_…`, without the
/// prefix) to `DIR/validation`, tagged `epoch_<name>` per epoch and, with
/// `updateFrequency: .batches(n)`, `batch_<name>` every n batches (step = batches so far).
public final class TensorBoard: Callback {
    /// How often Keras's `update_freq` writes.
    public enum UpdateFrequency: Equatable, Sendable {
        case epoch
        case batches(Int)
    }

    public let logDirectory: URL
    public let updateFrequency: UpdateFrequency
    private var train: TensorBoardEventFile?
    private var validation: TensorBoardEventFile?
    private var batchesSeen = 0

    public init(logDirectory: URL, updateFrequency: UpdateFrequency = .epoch) throws {
        if case .batches(let n) = updateFrequency, n < 1 {
            throw KestrelError(.invalidArgument, "TensorBoard: updateFrequency .batches(\(n)) must write every 1 or more batches")
        }
        self.logDirectory = logDirectory
        self.updateFrequency = updateFrequency
    }

    /// Only one process of a data-parallel run writes the logs.
    public var placement: CallbackPlacement { .rankZero }

    public func onTrainBegin(model: Model) throws {
        if train == nil { train = try TensorBoardEventFile(directory: logDirectory.appendingPathComponent("train")) }
    }

    public func onBatchEnd(model: Model, batch: Int, logs: [String: Float]) throws {
        batchesSeen += 1
        guard case .batches(let n) = updateFrequency, batchesSeen % n == 0, let train else { return }
        for (name, value) in logs.sorted(by: { $0.key < $1.key }) { train.scalar("batch_\(name)", value, step: batchesSeen) }
        try train.flush()
    }

    public func onEpochEnd(model: Model, epoch: Int, logs: [String: Float]) throws {
        guard let train else { return }
        for (name, value) in logs.sorted(by: { $0.key < $1.key }) where !name.hasPrefix("val_") {
            train.scalar("epoch_\(name)", value, step: epoch)
        }
        if let rate = model.optimizer?.learningRate { train.scalar("epoch_learning_rate", rate, step: epoch) }
        try train.flush()
        let validationLogs = logs.filter { $0.key.hasPrefix("val_") }
        guard !validationLogs.isEmpty else { return }
        let file = try validation ?? TensorBoardEventFile(directory: logDirectory.appendingPathComponent("validation"))
        validation = file
        for (name, value) in validationLogs.sorted(by: { $0.key < $1.key }) {
            file.scalar("epoch_\(name.dropFirst(4))", value, step: epoch)
        }
        try file.flush()
    }
}
