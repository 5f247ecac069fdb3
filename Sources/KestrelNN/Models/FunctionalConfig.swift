import Foundation
import KestrelCore

/// Keras's functional-model config: the layers with their `inbound_nodes` (which tensors
/// each call consumed), and the model's input and output tensors. Writes Keras 3's form;
/// reads Keras 3's (`__keras_tensor__` args with `keras_history`) and Keras 2's
/// (`[[layer, node, tensor, kwargs], …]`).
extension Model {
    /// `{"class_name": "Functional", "config": …}` for a graph model.
    package var functionalConfig: [String: Any] {
        get throws {
            guard let graph else { throw KestrelError(.invalidArgument, "internal: not a functional model") }
            // Keras numbers a layer's nodes by their position among the nodes kept in this model.
            var position: [ObjectIdentifier: Int] = [:]
            var perLayer: [ObjectIdentifier: Int] = [:]
            for node in graph.nodes {
                let key = ObjectIdentifier(node.layer)
                position[ObjectIdentifier(node)] = perLayer[key, default: 0]
                perLayer[key, default: 0] += 1
            }
            func history(_ t: SymbolicTensor) -> [Any] {
                if let node = t.producer { return [node.layer.name, position[ObjectIdentifier(node)]!, t.outputIndex] }
                return [t.source?.name ?? "input", 0, 0]
            }
            func spec(_ t: SymbolicTensor) -> [String: Any] {
                ["class_name": "__keras_tensor__",
                 "config": ["shape": [NSNull()] + t.shape.map { $0 as Any }, "dtype": "float32", "keras_history": history(t)]]
            }
            var layerEntries: [[String: Any]] = graph.inputs.map { input in
                ["module": "keras.layers", "class_name": "InputLayer", "name": input.name, "inbound_nodes": [Any](),
                 "config": ["batch_shape": [NSNull()] + input.shape.indices.map { input.unknownAxes.contains($0) ? NSNull() : input.shape[$0] as Any },
                            "dtype": "float32", "sparse": false, "name": input.name]]
            }
            for layer in graph.layers {
                let nodes = graph.nodes.filter { $0.layer === layer }.map { node -> [String: Any] in
                    let call = layer.kerasCallArguments(node.inputs.map(spec))
                    return ["args": call.args, "kwargs": call.kwargs]
                }
                var entry: [String: Any] = ["module": "keras.layers", "class_name": type(of: layer).kerasClassName,
                                            "registered_name": NSNull()]
                if let model = layer as? Model {
                    let nested = try model.modelConfig
                    for key in ["module", "class_name", "registered_name"] { entry[key] = nested[key] }
                }
                entry["name"] = layer.name
                entry["config"] = try layerConfig(layer)
                entry["inbound_nodes"] = nodes
                layerEntries.append(entry)
            }
            // Keras 3 deserialises a functional model only under this module and registered name.
            return ["module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
                    "config": ["name": name, "trainable": trainable, "layers": layerEntries,
                               "input_layers": graph.inputs.map { [$0.name, 0, 0] },
                               "output_layers": graph.outputs.map(history)]]
        }
    }

    /// The Keras config of one layer; a nested model writes its full model config.
    package func layerConfig(_ layer: Layer) throws -> [String: Any] {
        if let model = layer as? Model { return (try model.modelConfig)["config"] as? [String: Any] ?? [:] }
        return layer.kerasConfig
    }

    /// Rebuilds a functional model from its Keras config.
    package static func functionalFromConfig(_ config: [String: Any]) throws -> Model {
        guard let entries = config["layers"] as? [[String: Any]] else {
            throw KestrelError(.invalidFile, "model config: Functional has no \"layers\" list")
        }
        var layers: [String: Layer] = [:]
        var pending: [(name: String, nodes: [Any])] = []
        for entry in entries {
            guard let className = entry["class_name"] as? String, let layerConfig = entry["config"] as? [String: Any] else {
                throw KestrelError(.invalidFile, "model config: a layer entry lacks class_name or config")
            }
            let layer: Layer
            if className == "Sequential" || className == "Functional" || className == "Model" {
                layer = try fromConfig(["class_name": className, "config": layerConfig])
            } else {
                layer = try KerasLayerRegistry.makeLayer(className: className, config: layerConfig)
            }
            let name = entry["name"] as? String ?? layer.name
            layers[name] = layer
            pending.append((name, entry["inbound_nodes"] as? [Any] ?? []))
        }
        // (layer, node, tensor) → symbolic tensor; inputs first, then nodes whose inputs exist.
        var tensors: [String: SymbolicTensor] = [:]
        func key(_ layer: String, _ node: Int, _ tensor: Int) -> String { "\(layer)#\(node)#\(tensor)" }
        for (name, layer) in layers { if let input = layer as? Input { tensors[key(name, 0, 0)] = input.output } }
        var nextNode: [String: Int] = [:]
        var progress = true
        while progress {
            progress = false
            for item in pending {
                let index = nextNode[item.name, default: 0]
                guard index < item.nodes.count else { continue }
                let sources = try inboundReferences(item.nodes[index], layer: item.name)
                guard sources.allSatisfy({ tensors[key($0.0, $0.1, $0.2)] != nil }) else { continue }
                if causalMaskRequested(item.nodes[index]) {
                    guard let attention = layers[item.name] as? CausallyMaskable else {
                        throw KestrelError(.unsupported, "model config: layer \(item.name) is called with use_causal_mask, which only attention layers take")
                    }
                    attention.useCausalMask = true
                }
                if attentionMaskGiven(item.nodes[index]) {
                    guard let attention = layers[item.name] as? MultiHeadAttention else {
                        throw KestrelError(.unsupported, "model config: layer \(item.name) is called with attention_mask, which only MultiHeadAttention takes in Kestrel")
                    }
                    attention.takesAttentionMask = true
                }
                let outputs = try layers[item.name]!(sources.map { tensors[key($0.0, $0.1, $0.2)]! })
                for (k, t) in outputs.enumerated() { tensors[key(item.name, index, k)] = t }
                nextNode[item.name] = index + 1
                progress = true
            }
        }
        func references(_ key: String) throws -> [(String, Int, Int)] {
            guard let list = config[key] as? [Any] else { throw KestrelError(.invalidFile, "model config: Functional lacks \(key)") }
            if list.first is String { return [try reference(list)] }
            return try list.map { try reference($0) }
        }
        func resolve(_ r: (String, Int, Int)) throws -> SymbolicTensor {
            guard let t = tensors[key(r.0, r.1, r.2)] else {
                throw KestrelError(.invalidFile, "model config: tensor \(r.0)[\(r.1)][\(r.2)] cannot be computed from the model's inputs")
            }
            return t
        }
        let inputs = try references("input_layers").map { r -> Input in
            guard let input = layers[r.0] as? Input else { throw KestrelError(.invalidFile, "model config: input \(r.0) is not an InputLayer") }
            return input
        }
        return try Model(inputs: inputs, outputs: try references("output_layers").map(resolve), name: config["name"] as? String)
    }

    /// `[layer, node, tensor, …]` from a Keras 2 list or a Keras 3 `keras_history`.
    private static func reference(_ value: Any) throws -> (String, Int, Int) {
        guard let list = value as? [Any], list.count >= 3, let layer = list[0] as? String,
              let node = kerasInteger(list[1]), let tensor = kerasInteger(list[2]) else {
            throw KestrelError(.invalidFile, "model config: bad tensor reference \(value)")
        }
        return (layer, node, tensor)
    }

    /// Whether a Keras 3 inbound node calls its layer with `use_causal_mask=True`.
    private static func causalMaskRequested(_ node: Any) -> Bool {
        ((node as? [String: Any])?["kwargs"] as? [String: Any])?["use_causal_mask"] as? Bool == true
    }

    /// The tensors one inbound node consumed, in call order (positional, then initial states).
    private static func inboundReferences(_ node: Any, layer: String) throws -> [(String, Int, Int)] {
        if let keras2 = node as? [Any], !(keras2.first is [String: Any]) {
            return try keras2.map { try reference($0) }
        }
        guard let call = node as? [String: Any] else {
            throw KestrelError(.invalidFile, "model config: layer \(layer) has a malformed inbound node")
        }
        var found: [(String, Int, Int)] = []
        func collect(_ value: Any) throws {
            if let dict = value as? [String: Any], dict["class_name"] as? String == "__keras_tensor__",
               let cfg = dict["config"] as? [String: Any], let history = cfg["keras_history"] {
                found.append(try reference(history))
            } else if let list = value as? [Any] {
                for v in list { try collect(v) }
            }
        }
        try collect(call["args"] ?? [])
        let kwargs = call["kwargs"] as? [String: Any] ?? [:]
        for name in tensorArguments { if let value = kwargs[name] { try collect(value) } }
        for (name, value) in kwargs.sorted(by: { $0.key < $1.key }) {
            if tensorArguments.contains(name) || (name == "use_causal_mask" && value is Bool) {
                continue  // collected above, or read by `causalMaskRequested`
            } else if !(value is NSNull) && !(name == "training" && value as? Bool == false) {
                throw KestrelError(.unsupported, "model config: layer \(layer) is called with argument \(name) = \(value), which Kestrel does not support")
            }
        }
        return found
    }

    /// The keyword arguments that carry tensors, in the order they follow the positional ones:
    /// MultiHeadAttention's key, a recurrent layer's initial states, then an attention mask
    /// (`attentionMaskGiven`).
    private static let tensorArguments = ["key", "initial_state", "attention_mask"]

    /// Whether a Keras 3 inbound node passes an `attention_mask` tensor (it comes last).
    private static func attentionMaskGiven(_ node: Any) -> Bool {
        guard let value = ((node as? [String: Any])?["kwargs"] as? [String: Any])?["attention_mask"] else { return false }
        return !(value is NSNull)
    }
}
