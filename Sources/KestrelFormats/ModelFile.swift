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

    /// Saves the model in the format `url`'s extension names (atomic write): `.keras` (Keras 3)
    /// or `.h5`/`.hdf5` (legacy Keras) for Keras, `.onnx` for inference in ONNX Runtime (see
    /// `ONNXExport`), anything else (`.safetensors`) Kestrel's own
    /// format with architecture, weights, compile configuration and optimizer state.
    public func save(to url: URL) throws {
        switch url.pathExtension.lowercased() {
        case "keras": try AtomicFile.write(try KerasModelFile.keras3Data(of: self), to: url)
        case "h5", "hdf5": try AtomicFile.write(try KerasModelFile.legacyH5Data(of: self), to: url)
        case "onnx": try AtomicFile.write(try ONNXExport.data(of: self), to: url)
        default: try saveKestrelModel(to: url)
        }
    }

    private func saveKestrelModel(to url: URL) throws {
        var file = SafeTensors()
        file.metadata[Model.formatKey] = Model.formatValue
        file.metadata["model_config"] = try Model.jsonString(try modelConfig)
        if let compile = kerasCompileConfig, let optimizer {
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
        if graph == nil, let inputShape { file.metadata[Model.inputShapeKey] = try Model.jsonString(inputShape) }
    }

    /// The metadata key under which a Sequential model's per-sample input shape is saved, so
    /// `loadWeights` can build an unbuilt model of the same architecture.
    package static let inputShapeKey = "input_shape"

    /// Loads weights saved by `saveWeights` or `save` into this model. An unbuilt model is
    /// built first, from its own input shape or else from the one the file records. Every
    /// weight must match one in the file by path and shape (or the file's saved order, see
    /// `assignWeights`); otherwise nothing is assigned and the error lists the missing,
    /// unexpected and mismatched weights.
    public func loadWeights(from url: URL) throws {
        let file = try SafeTensors(contentsOf: url)
        let source = url.lastPathComponent
        if graph == nil, inputShape == nil, let text = file.metadata[Model.inputShapeKey] {
            guard let shape = try Model.parseMetadata(text, key: Model.inputShapeKey, source: source) as? [Int] else {
                throw KestrelError(.invalidFile, "\(source): metadata \(Model.inputShapeKey) should be a list of sizes, got «\(text.prefix(60))»; save the weights again")
            }
            try build(inputShape: shape)
        }
        try ensureBuilt()
        try assignWeights(from: file, source: source)
    }

    /// Matches weights by path; when the names differ (another instance of the same
    /// architecture, with other automatic layer names) but the saved order has the same
    /// count and shapes, matches by position, as Keras's `load_weights` does. Otherwise every
    /// model weight must be in the file with its shape and the file must hold no other
    /// weights (optimizer state aside); the error lists every difference.
    package func assignWeights(from file: SafeTensors, source: String) throws {
        let saved = file.tensors.filter { !$0.key.hasPrefix("optimizer/") }
        if weights.contains(where: { saved[$0.path] == nil }),
           let orderText = file.metadata["weight_order"],
           let order = try Model.parseMetadata(orderText, key: "weight_order", source: source) as? [String],
           order.count == weights.count, order.count == saved.count,
           zip(order, weights).allSatisfy({ saved[$0.0]?.shape == $0.1.shape }) {
            for (path, p) in zip(order, weights) { p.value = saved[path]! }
            return
        }
        let paths = Set(weights.map(\.path))
        let missing = weights.filter { saved[$0.path] == nil }.map(\.path)
        let unexpected = saved.keys.filter { !paths.contains($0) }.sorted()
        let mismatched = weights.compactMap { p -> String? in
            guard let t = saved[p.path], t.shape != p.shape else { return nil }
            return "\(p.path) has shape \(t.shape) in the file, \(p.shape) in the model"
        }
        guard missing.isEmpty, unexpected.isEmpty, mismatched.isEmpty else {
            func listed(_ items: [String]) -> String {
                items.prefix(10).joined(separator: ", ") + (items.count > 10 ? " and \(items.count - 10) more" : "")
            }
            var problems: [String] = []
            if !missing.isEmpty { problems.append("no weight in the file for \(listed(missing))") }
            if !unexpected.isEmpty { problems.append("unexpected weights in the file: \(listed(unexpected))") }
            if !mismatched.isEmpty { problems.append(listed(mismatched)) }
            let hint = weights.isEmpty
                ? "The model is not built and the file records no input shape; give it an Input(shape:) or call build(inputShape:) before loadWeights"
                : "Load weights saved from a model of the same architecture"
            throw KestrelError(missing.isEmpty && unexpected.isEmpty ? .shapeMismatch : .invalidFile,
                               "\(source): the weights do not fit model \(name): \(problems.joined(separator: "; ")); nothing was loaded. \(hint)")
        }
        for p in weights { p.value = saved[p.path]! }
    }

    /// Loads a model saved by `save(to:)`: architecture, weights, compile configuration and
    /// optimizer state.
    /// Also reads Keras's `.keras` and legacy `.h5` model files (see `KerasModelFile`).
    public static func load(from url: URL) throws -> Model {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw KestrelError(.invalidFile, "cannot read \(url.path): \(error.localizedDescription)")
        }
        return try load(data: data, source: url.lastPathComponent)
    }

    /// Loads a model from the bytes of a model file (Kestrel's format, `.keras` or `.h5`);
    /// `source` names it in errors.
    public static func load(data: Data, source: String) throws -> Model {
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
                              metrics: compile["metrics"] as? [String] ?? [],
                              weightedMetrics: compile["weighted_metrics"] as? [String] ?? [])
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
