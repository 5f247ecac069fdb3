import Foundation
import KestrelCore
import KestrelNN

/// Exports a model for inference to ONNX (opset 17), so ONNX Runtime, TensorRT or any ONNX
/// consumer can serve it. Tensors keep Kestrel's (Keras's) channels-last layout; convolutions
/// and pooling are wrapped in transposes to ONNX's channels-first ones. Recurrent layers
/// become ONNX's RNN, LSTM and GRU ops (Bidirectional as one bidirectional op). Dropout is
/// the identity, BatchNormalization its folded scale and shift. Masks, attention layers,
/// ConvLSTM and stateful layers are not exported: the export throws, naming the layer.
public enum ONNXExport {
    /// The ONNX `ModelProto` bytes of `model`.
    public static func data(of model: Model) throws -> Data {
        let graph = ONNXGraph()
        let inputs = try declaredInputs(of: model)
        var values: [ONNXGraph.Value] = []
        for input in inputs {
            let name = graph.name(input.name)
            graph.addInput(name, shape: [nil] + input.shape.indices.map { input.unknownAxes.contains($0) ? nil : input.shape[$0] })
            values.append(ONNXGraph.Value(name: name, shape: [1] + input.shape))
        }
        let outputs = try lower(model, inputs: values, into: graph)
        // Sizes traced with an input of unknown sizes are only examples: leave them dynamic.
        let sizesAreKnown = inputs.allSatisfy { $0.unknownAxes.isEmpty }
        for (index, output) in outputs.enumerated() {
            let name = graph.op("Identity", [output.name], model.outputNames[safe: index] ?? "output_\(index)")
            graph.addOutput(name, shape: [nil] + output.shape.dropFirst().map { sizesAreKnown ? $0 : nil })
        }
        return graph.model(graphName: model.name, producerVersion: "1")
    }

    private static func declaredInputs(of model: Model) throws -> [Input] {
        if !model.declaredInputs.isEmpty { return model.declaredInputs }
        guard let shape = model.inputShape else {
            throw KestrelError(.invalidArgument, "\(model.name): the model is not built, so its input shape is unknown. Give it an Input(shape:) or run it on data before exporting to ONNX")
        }
        return [Input(shape: shape, name: "input")]
    }

    /// Lowers a whole model (or a nested one) applied to `inputs`; returns its outputs.
    static func lower(_ model: Model, inputs: [ONNXGraph.Value], into graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        guard let layerGraph = model.graph else {
            return try model.layers.filter { !($0 is Input) }.reduce(inputs) { values, layer in
                try lower(layer, values, into: graph)
            }
        }
        var computed: [ObjectIdentifier: ONNXGraph.Value] = [:]
        for (input, value) in zip(layerGraph.inputs, inputs) { computed[ObjectIdentifier(input.output)] = value }
        for node in layerGraph.nodes {
            let args = node.inputs.map { computed[ObjectIdentifier($0)]! }
            let results = try lower(node.layer, args, into: graph)
            for (symbol, value) in zip(node.outputs, results) { computed[ObjectIdentifier(symbol)] = value }
        }
        return layerGraph.outputs.map { computed[ObjectIdentifier($0)]! }
    }

    /// Lowers one layer: runs it on zeros of the inputs' shapes (for the output shapes) and
    /// appends the ONNX nodes that compute it.
    static func lower(_ layer: Layer, _ inputs: [ONNXGraph.Value], into graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        if let nested = layer as? Model { return try lower(nested, inputs: inputs, into: graph) }
        let probes = inputs.map { Tensor.zeros($0.shape) }
        let results = try withoutGradients { try layer(probes) }
        let names = try ONNXLowering(graph: graph, layer: layer, inputs: inputs, outputShapes: results.map(\.shape)).lower()
        return zip(names, results).map { ONNXGraph.Value(name: $0, shape: $1.shape) }
    }

    static func unsupported(_ layer: Layer, _ why: String) -> KestrelError {
        KestrelError(.unsupported, "ONNX export: layer \(layer.name) (\(type(of: layer).kerasClassName)) cannot be exported: \(why). Save the model as .keras or .safetensors instead")
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

extension Model {
    /// Names for the ONNX graph's outputs: the layers that produce them.
    var outputNames: [String] {
        if let graph { return graph.outputs.map { $0.producer?.layer.name ?? "output" } }
        return [layers.last?.name ?? "output"]
    }
}
