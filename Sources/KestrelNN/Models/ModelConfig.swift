import Foundation
import KestrelCore

/// A model's architecture as Keras config JSON (`{"class_name", "config"}`), written and
/// read back: what a model file stores and what nested sub-models are made of.
extension Model {
    /// Keras `{"class_name", "config"}` of the architecture.
    public var modelConfig: [String: Any] {
        get throws {
            guard let sequential = self as? Sequential else { return try functionalConfig }
            var layerConfigs: [[String: Any]] = []
            if let shape = sequential.inputShape {
                let unknown = sequential.declaredInputs.first?.unknownAxes ?? []
                let sizes = shape.indices.map { unknown.contains($0) ? NSNull() : shape[$0] as Any }
                layerConfigs.append(["module": "keras.layers", "class_name": "InputLayer",
                                     "config": ["batch_shape": [NSNull()] + sizes, "dtype": "float32", "sparse": false, "name": "input_layer"]])
            }
            for layer in sequential.layers {
                layerConfigs.append(["module": "keras.layers", "class_name": type(of: layer).kerasClassName, "config": try layerConfig(layer)])
            }
            return ["module": "keras", "class_name": "Sequential", "registered_name": NSNull(),
                    "config": ["name": name, "trainable": trainable, "layers": layerConfigs]]
        }
    }

    /// Builds a model from Keras-style `{"class_name": "Sequential", "config": …}` JSON.
    public static func fromConfig(_ json: Any) throws -> Model {
        guard let top = json as? [String: Any], let className = top["class_name"] as? String,
              let config = top["config"] as? [String: Any] else {
            throw KestrelError(.invalidFile, "model config: expected {\"class_name\": …, \"config\": …}")
        }
        if className == "Functional" || className == "Model" { return try functionalFromConfig(config) }
        guard className == "Sequential" else {
            throw KestrelError(.unsupported, "model config: \(className) models are not supported (Sequential and Functional are)")
        }
        guard let layerList = config["layers"] as? [[String: Any]] else {
            throw KestrelError(.invalidFile, "model config: Sequential has no \"layers\" list")
        }
        let model = Sequential(name: config["name"] as? String)
        var pendingShape: [Int]? = nil
        if let build = config["build_input_shape"] as? [Any] {
            let sizes = build.dropFirst().map { $0 is NSNull ? nil : kerasInteger($0) }
            if sizes.contains(where: { $0 == nil }) {
                // Unknown sizes (variable-length sequences): the model starts with an Input that has them.
                if layerList.first?["class_name"] as? String != "InputLayer" { try model.add(Input(shape: sizes)) }
            } else {
                pendingShape = sizes.compactMap { $0 }
            }
        }
        for entry in layerList {
            guard let layerClass = entry["class_name"] as? String, let layerConfig = entry["config"] as? [String: Any] else {
                throw KestrelError(.invalidFile, "model config: a layer entry lacks class_name or config")
            }
            let layer = layerClass == "Sequential" || layerClass == "Functional"
                ? try fromConfig(["class_name": layerClass, "config": layerConfig])
                : try KerasLayerRegistry.makeLayer(className: layerClass, config: layerConfig)
            if layer is Input {
                guard model.layers.isEmpty, model.inputShape == nil else {
                    throw KestrelError(.invalidFile, "model config: Sequential \(model.name) has an InputLayer (\(layer.name)) after other layers; an InputLayer may only come first, fix the config JSON")
                }
                pendingShape = nil
            }
            try model.add(layer)
        }
        if let pendingShape, model.inputShape == nil { try model.build(inputShape: pendingShape) }
        return model
    }

    package static func jsonString(_ object: Any) throws -> String {
        guard JSONSerialization.isValidJSONObject(object) else {
            throw KestrelError(.invalidArgument, "internal: configuration is not JSON-serialisable")
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
