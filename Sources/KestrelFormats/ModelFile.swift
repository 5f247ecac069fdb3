import Foundation
import KestrelCore
import KestrelNN

/// Saving and loading whole models in one safetensors file: the weights under their
/// Keras-style paths (`dense/kernel`), the architecture and compile configuration as
/// Keras-style config JSON in the metadata, and the optimizer state (`optimizer/…`) so
/// that `fit` resumes where it stopped. Loading builds a new model and checks every weight
/// before returning it, so a bad file never leaves a half-loaded model.
extension Model {
    package static let formatKey = "format"
    package static let formatValue = "kestrel-model/1"

    /// Saves architecture, weights, compile configuration and optimizer state (atomic write).
    public func save(to url: URL) throws {
        var file = SafeTensors()
        file.metadata[Model.formatKey] = Model.formatValue
        file.metadata["model_config"] = try Model.jsonString(try modelConfig)
        if let optimizer, !losses.isEmpty {
            let lossConfigs: [[String: Any]] = losses.map { ["class_name": $0.kerasClassName, "config": $0.kerasConfig] }
            let compile: [String: Any] = [
                "optimizer": ["class_name": optimizer.kerasClassName, "config": optimizer.kerasConfig],
                "loss": lossConfigs.count == 1 ? lossConfigs[0] : lossConfigs,
                "loss_weights": lossWeights.map(Double.init),
                "metrics": (outputMetrics.first ?? []).map(\.name),
            ]
            file.metadata["compile_config"] = try Model.jsonString(compile)
            for (key, value) in optimizer.stateTensors() { file.tensors["optimizer/" + key] = value }
        }
        file.metadata["epochs_completed"] = String(epochsCompleted)
        try addWeights(to: &file)
        try file.write(to: url)
    }

    /// Saves only the weights (atomic write).
    public func saveWeights(to url: URL) throws {
        var file = SafeTensors()
        file.metadata[Model.formatKey] = "kestrel-weights/1"
        try addWeights(to: &file)
        try file.write(to: url)
    }

    private func addWeights(to file: inout SafeTensors) throws {
        guard !weights.isEmpty || inputShape != nil else {
            throw KestrelError(.invalidArgument, "\(name): the model is not built, so it has no weights to save yet. Give it an Input(shape:) or run it on data first")
        }
        for p in weights {
            guard file.tensors[p.path] == nil else {
                throw KestrelError(.invalidArgument, "\(name): two weights share the path \(p.path); give the layers distinct names before saving")
            }
            file.tensors[p.path] = p.value.detached()
        }
        file.metadata["weight_order"] = try Model.jsonString(weights.map(\.path))
    }

    /// Loads weights saved by `saveWeights` or `save` into this (built) model. Every weight is
    /// checked for presence and shape before any is assigned.
    public func loadWeights(from url: URL) throws {
        let file = try SafeTensors(contentsOf: url)
        try assignWeights(from: file, source: url.lastPathComponent)
    }

    /// Matches weights by path; when the names differ (another instance of the same
    /// architecture, with other automatic layer names) but the saved order has the same
    /// count and shapes, matches by position, as Keras's `load_weights` does.
    package func assignWeights(from file: SafeTensors, source: String) throws {
        if weights.contains(where: { file.tensors[$0.path] == nil }),
           let orderText = file.metadata["weight_order"],
           let order = try Model.parseMetadata(orderText, key: "weight_order", source: source) as? [String], order.count == weights.count,
           zip(order, weights).allSatisfy({ file.tensors[$0.0]?.shape == $0.1.shape }) {
            for (path, p) in zip(order, weights) { p.value = file.tensors[path]! }
            return
        }
        var values: [(Parameter, Tensor)] = []
        for p in weights {
            guard let t = file.tensors[p.path] else {
                throw KestrelError(.invalidFile, "\(source): no weight \(p.path) for model \(name) (the file has \(file.tensors.keys.filter { !$0.hasPrefix("optimizer/") }.sorted().prefix(10)))")
            }
            guard t.shape == p.shape else {
                throw KestrelError(.shapeMismatch, "\(source): weight \(p.path) has shape \(t.shape), the model expects \(p.shape)")
            }
            values.append((p, t))
        }
        for (p, t) in values { p.value = t }
    }

    /// Loads a model saved by `save(to:)`: architecture, weights, compile configuration and
    /// optimizer state.
    /// Also reads Keras's `.keras` and legacy `.h5` model files (see `KerasModelFile`).
    public static func load(from url: URL) throws -> Model {
        let source = url.lastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw KestrelError(.invalidFile, "cannot read \(url.path): \(error.localizedDescription)")
        }
        switch KerasModelFile.kind(of: data) {
        case .kerasZip: return try KerasModelFile.loadKeras3(data, source: source)
        case .hdf5: return try KerasModelFile.loadLegacyH5(data, source: source)
        case .kestrel, .unknown: return try load(safetensors: try SafeTensors(data: data, source: source), source: source)
        }
    }

    /// One JSON value of a model file's metadata, or an error naming the file and the key.
    package static func parseMetadata(_ text: String, key: String, source: String) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw KestrelError(.invalidFile, "\(source): metadata \(key) is not valid JSON (starts «\(text.prefix(60))»); the file is damaged, save the model again")
        }
    }

    private static func load(safetensors file: SafeTensors, source: String) throws -> Model {
        guard file.metadata[formatKey] == formatValue, let configText = file.metadata["model_config"] else {
            throw KestrelError(.invalidFile, "\(source) is a safetensors file but not a Kestrel model (no \(formatValue) metadata); use loadWeights(from:) for weight files")
        }
        let model = try fromConfig(try parseMetadata(configText, key: "model_config", source: source))
        try model.ensureBuilt()
        try model.assignWeights(from: file, source: source)
        if let compileText = file.metadata["compile_config"],
           let compile = try parseMetadata(compileText, key: "compile_config", source: source) as? [String: Any],
           let optimizerConfig = compile["optimizer"] as? [String: Any] {
            let optimizer = try Optimizers.fromKeras(className: optimizerConfig["class_name"] as? String ?? "",
                                                     config: optimizerConfig["config"] as? [String: Any] ?? [:])
            let lossConfigs = (compile["loss"] as? [[String: Any]]) ?? [compile["loss"] as? [String: Any] ?? [:]]
            let losses = try lossConfigs.map {
                try Losses.fromKeras(className: $0["class_name"] as? String ?? "", config: $0["config"] as? [String: Any] ?? [:])
            }
            var state: [String: Tensor] = [:]
            for (key, value) in file.tensors where key.hasPrefix("optimizer/") { state[String(key.dropFirst("optimizer/".count))] = value }
            try optimizer.loadState(state, parameters: model.trainableWeights)
            try model.compile(optimizer: optimizer, losses: losses,
                              lossWeights: (compile["loss_weights"] as? [NSNumber])?.map(\.floatValue),
                              metrics: compile["metrics"] as? [String] ?? [])
        }
        if let epochs = file.metadata["epochs_completed"] {
            guard let count = Int(epochs), count >= 0 else {
                throw KestrelError(.invalidFile, "\(source): metadata epochs_completed should be a whole number ≥ 0, got «\(epochs.prefix(40))»; the file is damaged, fix or remove the entry or save the model again")
            }
            model.epochsCompleted = count
        }
        return model
    }
}
