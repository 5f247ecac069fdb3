import KestrelCore

/// The layer graph of a functional model: its inputs, its outputs, and every node between
/// them in an order where each node comes after the nodes it depends on.
package struct LayerGraph {
    package let inputs: [Input]
    package let outputs: [SymbolicTensor]
    package let nodes: [GraphNode]

    package init(inputs: [Input], outputs: [SymbolicTensor], modelName: String) throws {
        guard !inputs.isEmpty, !outputs.isEmpty else {
            throw KestrelError(.invalidArgument, "\(modelName): Model(inputs:outputs:) needs at least one input and one output")
        }
        var seen = Set<ObjectIdentifier>()
        var reached: [GraphNode] = []
        var stack = outputs
        let inputIDs = Set(inputs.map { ObjectIdentifier($0.output) })
        while let t = stack.popLast() {
            guard let node = t.producer else {
                guard inputIDs.contains(ObjectIdentifier(t)) else {
                    throw KestrelError(.invalidArgument, "\(modelName): the outputs depend on input \(t.source?.name ?? "?") of shape \(t.shape), which is not among Model(inputs:); add it to inputs")
                }
                continue
            }
            if seen.insert(ObjectIdentifier(node)).inserted {
                reached.append(node)
                stack.append(contentsOf: node.inputs)
            }
        }
        self.inputs = inputs
        self.outputs = outputs
        nodes = reached.sorted { $0.sequence < $1.sequence }
    }

    /// Distinct layers in first-use order (shared layers once).
    package var layers: [Layer] {
        var seen = Set<ObjectIdentifier>()
        return nodes.map(\.layer).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// Runs the graph on concrete batches, one per input, passing masks along.
    package func run(_ values: [Tensor], training: Bool, modelName: String) throws -> [Tensor] {
        guard values.count == inputs.count else {
            throw KestrelError(.invalidArgument, "\(modelName) expects \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))), got \(values.count)")
        }
        var computed: [ObjectIdentifier: Tensor] = [:]
        var masks: [ObjectIdentifier: Tensor] = [:]
        for (input, value) in zip(inputs, values) {
            computed[ObjectIdentifier(input.output)] = try input(value)
        }
        for node in nodes {
            let args = node.inputs.map { computed[ObjectIdentifier($0)]! }
            let mask = node.inputs.first.flatMap { masks[ObjectIdentifier($0)] }
            let results = try node.layer(args, mask: mask, training: training)
            let outMask = node.layer.computeMask(args, mask: mask)
            for (symbol, value) in zip(node.outputs, results) {
                computed[ObjectIdentifier(symbol)] = value
                if let outMask { masks[ObjectIdentifier(symbol)] = outMask }
            }
        }
        return outputs.map { computed[ObjectIdentifier($0)]! }
    }
}
