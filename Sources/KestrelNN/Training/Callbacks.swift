import Foundation
import KestrelCore

/// Stops training when the monitored value stops improving for `patience` epochs
/// (Keras `EarlyStopping`); optionally restores the weights of the best epoch.
public final class EarlyStopping: Callback {
    public let monitor: String
    public let minDelta: Float
    public let patience: Int
    public let mode: MonitorMode
    public let restoreBestWeights: Bool
    public private(set) var stoppedEpoch: Int?
    private var best: Float = .infinity
    private var wait = 0
    private var bestWeights: [Tensor]?

    public init(monitor: String = "val_loss", minDelta: Float = 0, patience: Int = 0, mode: MonitorMode = .auto,
                restoreBestWeights: Bool = false) {
        self.monitor = monitor
        self.minDelta = minDelta
        self.patience = patience
        self.mode = mode.resolved(for: monitor)
        self.restoreBestWeights = restoreBestWeights
    }

    public func onTrainBegin(model: Model) throws {
        best = mode.worst
        wait = 0
        stoppedEpoch = nil
        bestWeights = nil
    }

    public func onEpochEnd(model: Model, epoch: Int, logs: [String: Float]) throws {
        guard let value = try monitoredValue(monitor, in: logs, by: "EarlyStopping") else { return }
        if restoreBestWeights && bestWeights == nil { bestWeights = model.weights.map(\.value) }
        wait += 1
        if mode.improves(value, on: best, minDelta: minDelta) {
            best = value
            wait = 0
            if restoreBestWeights { bestWeights = model.weights.map(\.value) }
            return
        }
        if wait >= patience && epoch > 0 {
            stoppedEpoch = epoch
            model.stopTraining = true
            if restoreBestWeights, let bestWeights {
                for (p, v) in zip(model.weights, bestWeights) { p.value = v }
            }
        }
    }
}

/// Multiplies the learning rate by `factor` when the monitored value has not improved for
/// `patience` epochs (Keras `ReduceLROnPlateau`).
public final class ReduceLROnPlateau: Callback {
    public let monitor: String
    public let factor: Float
    public let patience: Int
    public let mode: MonitorMode
    public let minDelta: Float
    public let cooldown: Int
    public let minLearningRate: Float
    private var best: Float = .infinity
    private var wait = 0
    private var cooldownCounter = 0

    public init(monitor: String = "val_loss", factor: Float = 0.1, patience: Int = 10, mode: MonitorMode = .auto,
                minDelta: Float = 1e-4, cooldown: Int = 0, minLearningRate: Float = 0) {
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.mode = mode.resolved(for: monitor)
        self.minDelta = minDelta
        self.cooldown = cooldown
        self.minLearningRate = minLearningRate
    }

    /// Throws when `factor` is not below 1 (Keras raises at construction; here `fit`
    /// throws before the first epoch).
    public func onTrainBegin(model: Model) throws {
        guard factor < 1 else {
            throw KestrelError(.invalidArgument, "ReduceLROnPlateau: factor must be < 1 (it multiplies the learning rate), got \(factor); use e.g. 0.1 or 0.5")
        }
        best = mode.worst
        wait = 0
        cooldownCounter = 0
    }

    public func onEpochEnd(model: Model, epoch: Int, logs: [String: Float]) throws {
        guard let value = try monitoredValue(monitor, in: logs, by: "ReduceLROnPlateau") else { return }
        if cooldownCounter > 0 { cooldownCounter -= 1; wait = 0 }
        if mode.improves(value, on: best, minDelta: minDelta) {
            best = value
            wait = 0
        } else if cooldownCounter <= 0 {
            wait += 1
            if wait >= patience, let optimizer = model.optimizer {
                let old = optimizer.learningRate
                if old > minLearningRate {
                    try optimizer.setLearningRate(Swift.max(old * factor, minLearningRate))
                    cooldownCounter = cooldown
                    wait = 0
                }
            }
        }
    }
}

/// Sets the learning rate at the start of each epoch from `schedule(epoch, currentRate)`
/// (Keras `LearningRateScheduler`).
public final class LearningRateScheduler: Callback {
    public let schedule: (Int, Float) -> Float

    public init(_ schedule: @escaping (Int, Float) -> Float) {
        self.schedule = schedule
    }

    public func onEpochBegin(model: Model, epoch: Int) throws {
        guard let optimizer = model.optimizer else { return }
        try optimizer.setLearningRate(schedule(epoch, optimizer.learningRate))
    }
}

/// Stops training as soon as a batch loss is NaN or infinite (Keras `TerminateOnNaN`).
public final class TerminateOnNaN: Callback {
    public private(set) var terminatedAtBatch: Int?

    public init() {}

    public func onBatchEnd(model: Model, batch: Int, logs: [String: Float]) throws {
        if let loss = logs["loss"], !loss.isFinite {
            terminatedAtBatch = batch
            model.stopTraining = true
        }
    }
}

/// Appends one CSV row per epoch (`epoch,` then the sorted log keys) to a file
/// (Keras `CSVLogger`). Each row is flushed, so the file survives an interrupted run.
public final class CSVLogger: Callback {
    /// Written by rank 0 only in data-parallel training.
    public var placement: CallbackPlacement { .rankZero }
    public let url: URL
    public let separator: String
    public let append: Bool
    private var handle: FileHandle?
    private var keys: [String]?

    public init(_ url: URL, separator: String = ",", append: Bool = false) {
        self.url = url
        self.separator = separator
        self.append = append
    }

    public func onTrainBegin(model: Model) throws {
        let exists = FileManager.default.fileExists(atPath: url.path)
        if !append || !exists {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw KestrelError(.invalidFile, "CSVLogger: cannot create \(url.path)")
            }
            keys = nil
        } else {
            let header = (try? String(contentsOf: url, encoding: .utf8))?.split(separator: "\n").first.map(String.init)
            keys = header.map { Array($0.components(separatedBy: separator).dropFirst()) }
        }
        handle = try FileHandle(forWritingTo: url)
        handle?.seekToEndOfFile()
    }

    public func onEpochEnd(model: Model, epoch: Int, logs: [String: Float]) throws {
        if keys == nil {
            keys = logs.keys.sorted()
            write((["epoch"] + keys!).joined(separator: separator))
        }
        write(([String(epoch)] + keys!.map { logs[$0].map { "\($0)" } ?? "" }).joined(separator: separator))
    }

    public func onTrainEnd(model: Model, logs: [String: Float]) throws {
        try handle?.close()
        handle = nil
    }

    private func write(_ line: String) {
        handle?.write(Data((line + "\n").utf8))
    }
}
