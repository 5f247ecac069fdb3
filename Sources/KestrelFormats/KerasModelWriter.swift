import Foundation
import KestrelCore
import KestrelNN

/// Writes models in Keras's own formats, so a model trained in Swift opens in Keras
/// (`keras.saving.load_model`) and h5py: the Keras 3 `.keras` zip (config.json,
/// metadata.json, model.weights.h5 in Keras 3's weight layout) and the legacy whole-model
/// `.h5` (model_config attribute, `model_weights/<layer>/<weight>`). The compile
/// configuration is written too; optimizer state is not (Keras starts it afresh).
extension KerasModelFile {
    /// The Keras release whose file layout these writers follow, written as the files'
    /// `keras_version` (Keras uses it to pick compatibility paths when loading).
    package static let writtenKerasVersion = "3.15.1"

    /// A Keras 3 `.keras` archive of `model`.
    public static func keras3Data(of model: Model) throws -> Data {
        var config = try model.modelConfig
        if let compile = model.kerasCompileConfig { config["compile_config"] = compile }
        let metadata: [String: Any] = ["keras_version": writtenKerasVersion, "date_saved": Self.now]
        var zip = ZipWriter()
        try zip.add("metadata.json", Data(try Model.jsonString(metadata).utf8))
        try zip.add("config.json", Data(try Model.jsonString(config).utf8))
        try zip.add("model.weights.h5", try weightsFile(of: model).data())
        return zip.data
    }

    /// Keras 3's `model.weights.h5`: `layers/<group key>/<weight group>/<index>`.
    package static func weightsFile(of model: Model) throws -> HDF5Writer {
        try requireBuilt(model)
        let file = HDF5Writer()
        addWeights(of: model, to: file.root)
        return file
    }

    private static func addWeights(of model: Model, to group: HDF5Writer.Group) {
        group.group("vars").attributes.append(("name", .string(model.name)))
        let layers = group.group("layers")
        for (key, layer) in zip(keras3GroupKeys(of: model), model.layers) {
            let layerGroup = layers.group(key)
            if let nested = layer as? Model {
                addWeights(of: nested, to: layerGroup)
                continue
            }
            layerGroup.group("vars").attributes.append(("name", .string(layer.name)))
            for weightGroup in layer.kerasWeightGroups {
                let vars = layerGroup.group(path: weightGroup.path)
                for (index, p) in weightGroup.weights.enumerated() { vars.addDataset(String(index), p.value.detached()) }
            }
        }
    }

    /// Keras 3 names each layer's group `<snake_case class>` plus `_1`, `_2`… in layer
    /// order; a functional model's input layers take the first `input_layer` names.
    package static func keras3GroupKeys(of model: Model) -> [String] {
        LayerNames.kerasGroupKeys(model.layers, reserved: model.graph != nil ? ["input_layer": model.inputs.count] : [:])
    }

    /// A legacy Keras `.h5` file of `model`, as Keras's `model.save("….h5")` writes it.
    public static func legacyH5Data(of model: Model) throws -> Data {
        try requireBuilt(model)
        let file = HDF5Writer()
        file.root.attributes = [("backend", .string("tensorflow")), ("keras_version", .string(writtenKerasVersion)),
                                ("model_config", .string(try Model.jsonString(try model.modelConfig)))]
        if let compile = model.kerasCompileConfig {
            var training = compile
            training["optimizer_config"] = compile["optimizer"]
            training["optimizer"] = nil
            file.root.attributes.append(("training_config", .string(try Model.jsonString(training))))
        }
        let weights = file.root.group("model_weights")
        let layers = model.layers.filter { !($0 is Input) }
        weights.attributes = [("backend", .string("tensorflow")), ("keras_version", .string(writtenKerasVersion)),
                              ("layer_names", .strings(layers.map(\.name)))]
        for layer in layers {
            let group = weights.group(layer.name)
            // Keras names each dataset by the weight's path and lists the paths in order;
            // loaders match by that order, so the names only need to be distinct.
            var taken: Set<String> = []
            let weights = legacyWeightOrder(layer)
            let names = weights.map { p -> String in
                let base = p.path.hasPrefix(layer.name + "/") ? p.path : "\(layer.name)/\(p.path)"
                var name = base, n = 0
                while !taken.insert(name).inserted { n += 1; name = "\(base)_\(n)" }
                return name
            }
            group.attributes.append(("weight_names", .strings(names)))
            for (name, p) in zip(names, weights) {
                let parts = name.split(separator: "/").map(String.init)
                group.group(path: parts.dropLast().joined(separator: "/")).addDataset(parts.last!, p.value.detached())
            }
        }
        return try file.data()
    }

    private static func requireBuilt(_ model: Model) throws {
        guard !model.weights.isEmpty || model.inputShape != nil || model.graph != nil else {
            throw KestrelError(.invalidArgument, "\(model.name): the model is not built, so it has no weights to save yet. Give it an Input(shape:) or run it on data first")
        }
    }

    private static var now: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd@HH:mm:ss"
        return formatter.string(from: Date())
    }
}
