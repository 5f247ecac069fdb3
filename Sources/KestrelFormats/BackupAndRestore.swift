import Foundation
import KestrelCore
import KestrelNN

/// Keras `BackupAndRestore`: backs training up to a folder every epoch or every N batches,
/// and when `fit` starts again after an interruption (an exception, a crash, `kill -9`),
/// restores the latest backup and resumes from it, so the run ends with the weights an
/// uninterrupted run with the same seed would have: weights, optimizer state, each
/// layer's random stream (dropout), the shuffle seed, the epoch and batch position and the
/// epoch's running loss and metric totals are saved together in one atomically written file.
/// A `fit` that finishes deletes the backup (unless `deleteCheckpoint` is false).
///
/// Not saved: other callbacks' own state (EarlyStopping's patience count,
/// ReduceLROnPlateau's wait) and the `History` of the epochs before the interruption.
public final class BackupAndRestore: Callback {
    /// Resuming needs every rank at the same point, which data-parallel fit does not yet coordinate.
    public var placement: CallbackPlacement { .singleProcess }
    /// When a backup is written.
    public enum Frequency: Equatable, Sendable {
        /// At the end of every epoch (Keras `save_freq="epoch"`).
        case epoch
        /// After every N batches (Keras `save_freq=N`).
        case batches(Int)
    }

    public let backupDirectory: URL
    public let saveFrequency: Frequency
    public let deleteCheckpoint: Bool
    private var batchesSinceBackup = 0

    /// The file the backup is kept in, inside `backupDirectory`.
    public var backupFile: URL { backupDirectory.appendingPathComponent("latest.kestrel-backup") }

    public init(backupDirectory: URL, saveFrequency: Frequency = .epoch, deleteCheckpoint: Bool = true) throws {
        if case .batches(let n) = saveFrequency, n < 1 {
            throw KestrelError(.invalidArgument, "BackupAndRestore: saveFrequency .batches(\(n)) must be at least 1 batch; use .epoch to back up once per epoch")
        }
        self.backupDirectory = backupDirectory
        self.saveFrequency = saveFrequency
        self.deleteCheckpoint = deleteCheckpoint
    }

    public convenience init(backupDirectory: String, saveFrequency: Frequency = .epoch, deleteCheckpoint: Bool = true) throws {
        try self.init(backupDirectory: URL(fileURLWithPath: backupDirectory), saveFrequency: saveFrequency,
                      deleteCheckpoint: deleteCheckpoint)
    }

    public func onTrainBegin(model: Model) throws {
        batchesSinceBackup = 0
        do {
            try FileManager.default.createDirectory(at: backupDirectory, withIntermediateDirectories: true)
        } catch {
            throw KestrelError(.invalidFile, "BackupAndRestore: cannot create the backup folder \(backupDirectory.path): \(error.localizedDescription)")
        }
        guard FileManager.default.fileExists(atPath: backupFile.path) else { return }
        try restore(model, from: try SafeTensors(contentsOf: backupFile))
    }

    public func onBatchEnd(model: Model, batch: Int, logs: [String: Float]) throws {
        guard case .batches(let n) = saveFrequency else { return }
        batchesSinceBackup += 1
        if batchesSinceBackup >= n {
            batchesSinceBackup = 0
            try backUp(model)
        }
    }

    public func onEpochEnd(model: Model, epoch: Int, logs: [String: Float]) throws {
        if saveFrequency == .epoch { try backUp(model) }
    }

    public func onTrainEnd(model: Model, logs: [String: Float]) throws {
        guard deleteCheckpoint else { return }
        try? FileManager.default.removeItem(at: backupFile)
        if let left = try? FileManager.default.contentsOfDirectory(atPath: backupDirectory.path), left.isEmpty {
            try? FileManager.default.removeItem(at: backupDirectory)
        }
    }

    // MARK: The backup file

    private static let format = "kestrel-backup/1"

    /// Writes the model's weights, optimizer state, random streams and fit position.
    private func backUp(_ model: Model) throws {
        guard let progress = model.fitProgress, let optimizer = model.optimizer else { return }
        var file = SafeTensors()
        file.metadata[Model.formatKey] = Self.format
        for p in model.weights { file.tensors["weights/" + p.path] = p.value.detached() }
        file.metadata["weight_order"] = try Model.jsonString(model.weights.map(\.path))
        for (key, value) in optimizer.stateTensors() { file.tensors["optimizer/" + key] = value }
        let streams: [[String: Any]] = Self.layersWithStreams(of: model).map {
            ["layer": type(of: $0).kerasClassName, "state": $0.generator.state.map(String.init)]
        }
        let position: [String: Any] = [
            "first_epoch": progress.firstEpoch, "epoch": progress.epoch, "batches_done": progress.batchesDone,
            "shuffle_seed": String(progress.shuffleSeed),
            "loss_totals": progress.lossTotals.map { ["sum": String($0.sum), "samples": $0.samples] },
            "metric_states": progress.metricStates.map { $0.map { String($0) } },
        ]
        file.metadata["random_streams"] = try Model.jsonString(streams)
        file.metadata["fit_progress"] = try Model.jsonString(position)
        try file.write(to: backupFile)
    }

    /// Puts everything `backUp` saved back into `model` and hands `fit` the resume point;
    /// checks the whole file first, so a mismatched backup changes nothing.
    private func restore(_ model: Model, from file: SafeTensors) throws {
        let source = backupFile.path
        func damaged(_ what: String) -> KestrelError {
            KestrelError(.invalidFile, "BackupAndRestore: \(source): \(what). Delete the backup folder to start the training afresh")
        }
        guard file.metadata[Model.formatKey] == Self.format else {
            throw damaged("not a Kestrel training backup (format \(file.metadata[Model.formatKey] ?? "missing"), expected \(Self.format))")
        }
        let weights = model.weights
        let savedPaths = try Self.weightOrder(file, damaged: damaged)
        guard savedPaths.count == weights.count else {
            throw damaged("it holds \(savedPaths.count) weights, the model has \(weights.count); it was made for another model")
        }
        // By position, as the same architecture built again in this process has other layer names.
        var values: [Tensor] = []
        for (path, p) in zip(savedPaths, weights) {
            guard let t = file.tensors["weights/" + path] else { throw damaged("it lists weight \(path) but does not hold it") }
            guard t.shape == p.shape else {
                throw damaged("weight \(path) has shape \(t.shape) where the model's \(p.path) has \(p.shape); it was made for another model")
            }
            values.append(t)
        }
        let layers = Self.layersWithStreams(of: model)
        let streams = try Self.randomStreams(file, layers: layers, damaged: damaged)
        let progress = try Self.fitProgress(file, damaged: damaged)
        if let optimizer = model.optimizer {
            let renamed = Dictionary(uniqueKeysWithValues: zip(savedPaths, weights.map(\.path)))
            var state: [String: Tensor] = [:]
            for (key, value) in file.tensors where key.hasPrefix("optimizer/") {
                var name = String(key.dropFirst("optimizer/".count))
                if let slash = name.lastIndex(of: "/"), let path = renamed[String(name[..<slash])] {
                    name = path + name[slash...]
                }
                state[name] = value
            }
            try optimizer.loadState(state, parameters: model.trainableWeights)
        }
        for (p, value) in zip(weights, values) { p.value = value }
        for (layer, stream) in zip(layers, streams) { layer.generator = stream }
        model.resumePoint = progress
    }

    /// The model and every layer inside it, each once, depth first: the owners of random streams.
    private static func layersWithStreams(of model: Model) -> [Layer] {
        var seen = Set<ObjectIdentifier>()
        var ordered: [Layer] = []
        func visit(_ layer: Layer) {
            guard seen.insert(ObjectIdentifier(layer)).inserted else { return }
            ordered.append(layer)
            layer.sublayers.forEach(visit)
        }
        visit(model)
        return ordered
    }

    private static func weightOrder(_ file: SafeTensors, damaged: (String) -> KestrelError) throws -> [String] {
        guard let text = file.metadata["weight_order"],
              let paths = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else {
            throw damaged("the weight_order entry is missing or not a list of names")
        }
        return paths
    }

    private static func randomStreams(_ file: SafeTensors, layers: [Layer],
                                      damaged: (String) -> KestrelError) throws -> [RandomGenerator] {
        guard let text = file.metadata["random_streams"],
              let entries = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
            throw damaged("the random_streams entry is missing or not a list")
        }
        guard entries.count == layers.count else {
            throw damaged("it holds random streams for \(entries.count) layers, the model has \(layers.count)")
        }
        return try zip(entries, layers).map { entry, layer in
            guard entry["layer"] as? String == type(of: layer).kerasClassName else {
                throw damaged("it holds the random stream of a \(entry["layer"] ?? "?") layer where the model has \(layer.name), a \(type(of: layer).kerasClassName)")
            }
            guard let words = (entry["state"] as? [String])?.compactMap(UInt64.init),
                  let generator = RandomGenerator(state: words) else {
                throw damaged("the random stream of \(layer.name) is not four 64-bit words, not all zero")
            }
            return generator
        }
    }

    private static func fitProgress(_ file: SafeTensors, damaged: (String) -> KestrelError) throws -> FitProgress {
        guard let text = file.metadata["fit_progress"],
              let entry = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw damaged("the fit_progress entry is missing or not an object")
        }
        func count(_ key: String) throws -> Int {
            guard let n = entry[key] as? Int, n >= 0 else { throw damaged("fit_progress \(key) should be a whole number ≥ 0, got \(entry[key] ?? "nothing")") }
            return n
        }
        guard let seed = (entry["shuffle_seed"] as? String).flatMap(UInt64.init) else {
            throw damaged("fit_progress shuffle_seed should be a 64-bit whole number, got \(entry["shuffle_seed"] ?? "nothing")")
        }
        guard let totals = entry["loss_totals"] as? [[String: Any]],
              let metricTexts = entry["metric_states"] as? [[String]] else {
            throw damaged("fit_progress loss_totals or metric_states is missing")
        }
        let lossTotals = try totals.map { t -> FitProgress.LossTotal in
            guard let sum = (t["sum"] as? String).flatMap(Double.init), let samples = t["samples"] as? Int, samples >= 0 else {
                throw damaged("a loss total should hold a sum and a sample count ≥ 0, got \(t)")
            }
            return FitProgress.LossTotal(sum: sum, samples: samples)
        }
        let metricStates = try metricTexts.map { texts in
            try texts.map { text -> Float in
                guard let value = Float(text) else { throw damaged("a metric total should be a number, got «\(text.prefix(40))»") }
                return value
            }
        }
        return FitProgress(firstEpoch: try count("first_epoch"), epoch: try count("epoch"),
                           batchesDone: try count("batches_done"), shuffleSeed: seed, lossTotals: lossTotals,
                           metricStates: metricStates)
    }
}
