import Foundation
import KestrelCore
import KestrelNN

/// Loads models saved by Keras: Keras 3 `.keras` files (a zip of config.json and
/// model.weights.h5) and the legacy whole-model `.h5` files of Keras 2 (and Keras 3's
/// legacy writer). The architecture goes through the same config mapping as Kestrel's own
/// files; weights are matched to layers and checked for count and shape before any is set.
/// A `.keras` or `.h5` file saved after `compile` loads compiled (see `KerasCompileConfig`).
public enum KerasModelFile {
    /// What a file's first bytes say it is.
    package enum Kind { case kestrel, kerasZip, hdf5, unknown }

    package static func kind(of data: Data) -> Kind {
        let head = [UInt8](data.prefix(8))
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .kerasZip }
        if head.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) { return .hdf5 }
        if head.count == 8 { return .kestrel }
        return .unknown
    }

    /// A Keras 3 `.keras` archive.
    public static func loadKeras3(_ data: Data, source: String) throws -> Model {
        let zip = try ZipArchive(data: data, source: source)
        guard zip.entryNames.contains("config.json"), zip.entryNames.contains("model.weights.h5") else {
            throw KestrelError(.invalidFile, "\(source) is a zip file but not a Keras model (it lacks config.json or model.weights.h5)")
        }
        let config = try parseJSON(try zip.data(for: "config.json"), what: "\(source)/config.json")
        let model = try Model.fromConfig(config)
        try model.ensureBuilt()
        let weights = try HDF5File(data: try zip.data(for: "model.weights.h5"), source: "\(source)/model.weights.h5")
        let layersGroup = try weights.group(at: "layers")
        var values: [(Parameter, Tensor)] = []
        try collect(model, from: layersGroup, file: weights, into: &values)
        for (p, t) in values { p.value = t }
        KerasCompileConfig.apply((config as? [String: Any])?["compile_config"], to: model)
        return model
    }

    /// A legacy `.h5` file: `model_config` attribute and `model_weights/<layer>/<weight>`.
    public static func loadLegacyH5(_ data: Data, source: String) throws -> Model {
        let file = try HDF5File(data: data, source: source)
        guard let configText = file.root.attributes["model_config"]?.stringValues?.first else {
            throw KestrelError(.invalidFile, "\(source) is an HDF5 file but has no model_config attribute: it is not a whole Keras model (weights-only files need the architecture; save the model with model.save)")
        }
        let model = try Model.fromConfig(try parseJSON(Data(configText.utf8), what: "\(source) model_config"))
        try model.ensureBuilt()
        let root = try file.group(at: "model_weights")
        var values: [(Parameter, Tensor)] = []
        for layer in model.layers {
            let parameters = legacyWeightOrder(layer)
            guard !parameters.isEmpty else { continue }
            let group = try root.group(named: layer.name)
            let names = group.attributes["weight_names"]?.stringValues ?? []
            guard names.count == parameters.count else {
                throw KestrelError(.invalidFile, "\(source): layer \(layer.name) has \(names.count) weights in the file, Kestrel's \(type(of: layer).kerasClassName) has \(parameters.count)")
            }
            for (p, weightName) in zip(parameters, names) {
                values.append((p, try checked(try file.dataset(at: "model_weights/\(layer.name)/\(weightName)").readTensor(), for: p, source: source)))
            }
        }
        for (p, t) in values { p.value = t }
        if let text = file.root.attributes["training_config"]?.stringValues?.first,
           var training = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
            training["optimizer"] = training["optimizer_config"]
            KerasCompileConfig.apply(training, to: model)
        }
        return model
    }

    /// A layer's weights in the order a legacy `.h5` file lists them: the trainable ones, then
    /// the rest, as Keras's `_legacy_weights`. A nested model is one layer holding all of its
    /// layers' weights (a BatchNormalization's moving statistics come after every kernel).
    package static func legacyWeightOrder(_ layer: Layer) -> [Parameter] {
        let trainable = layer.trainableWeights
        let ids = Set(trainable.map(ObjectIdentifier.init))
        return trainable + layer.weights.filter { !ids.contains(ObjectIdentifier($0)) }
    }

    /// Reads each layer's weights from where Keras 3 keeps them (`Layer.kerasWeightGroups`).
    private static func collect(_ model: Model, from group: HDF5Group, file: HDF5File, into values: inout [(Parameter, Tensor)]) throws {
        for (key, layer) in zip(keras3GroupKeys(of: model), model.layers) where !layer.weights.isEmpty {
            let layerGroup = try group.group(named: key)
            if let nested = layer as? Model {
                try collect(nested, from: try layerGroup.group(named: "layers"), file: file, into: &values)
                continue
            }
            for weightGroup in layer.kerasWeightGroups {
                let vars = try weightGroup.path.split(separator: "/").reduce(layerGroup) { try $0.group(named: String($1)) }
                let stored = vars.children.compactMap { Int($0.name) }.sorted()
                guard stored == Array(weightGroup.weights.indices) else {
                    throw KestrelError(.invalidFile, "model.weights.h5: layer \(layer.name) (\(key)/\(weightGroup.path)) holds \(stored.count) weights, Kestrel's \(type(of: layer).kerasClassName) expects \(weightGroup.weights.count) there; the file was saved from a different architecture")
                }
                for (index, p) in weightGroup.weights.enumerated() {
                    values.append((p, try checked(try vars.dataset(named: String(index)).readTensor(), for: p, source: "model.weights.h5")))
                }
            }
        }
    }

    private static func checked(_ t: Tensor, for p: Parameter, source: String) throws -> Tensor {
        guard t.shape == p.shape else {
            throw KestrelError(.shapeMismatch, "\(source): weight for \(p.path) has shape \(t.shape), Kestrel expects \(p.shape)")
        }
        return t
    }

    private static func parseJSON(_ data: Data, what: String) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: data)
        } catch {
            throw KestrelError(.invalidFile, "\(what) is not valid JSON")
        }
    }
}
