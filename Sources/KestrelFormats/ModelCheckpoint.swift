import Foundation
import KestrelCore
import KestrelNN

/// Saves the model (or only its weights) after each epoch, or only when the monitored
/// value improves (`saveBestOnly`) (Keras `ModelCheckpoint`). Writes are atomic.
/// `{epoch}` in the path is replaced by the 1-based epoch number.
public final class ModelCheckpoint: Callback {
    /// Written by rank 0 only in data-parallel training.
    public var placement: CallbackPlacement { .rankZero }
    public let path: String
    public let monitor: String
    public let saveBestOnly: Bool
    public let saveWeightsOnly: Bool
    public let mode: MonitorMode
    public private(set) var best: Float = .infinity

    public init(_ path: String, monitor: String = "val_loss", saveBestOnly: Bool = false,
                saveWeightsOnly: Bool = false, mode: MonitorMode = .auto) {
        self.path = path
        self.monitor = monitor
        self.saveBestOnly = saveBestOnly
        self.saveWeightsOnly = saveWeightsOnly
        self.mode = mode.resolved(for: monitor)
    }

    public func onTrainBegin(model: Model) throws { best = mode.worst }

    public func onEpochEnd(model: Model, epoch: Int, logs: [String: Float]) throws {
        let url = URL(fileURLWithPath: path.replacingOccurrences(of: "{epoch}", with: String(epoch + 1)))
        if saveBestOnly {
            guard let value = try monitoredValue(monitor, in: logs, by: "ModelCheckpoint"),
                  mode.improves(value, on: best, minDelta: 0) else { return }
            best = value
        }
        if saveWeightsOnly { try model.saveWeights(to: url) } else { try model.save(to: url) }
    }
}
