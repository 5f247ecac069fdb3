import KestrelCore

/// The layer graph of a functional model: its inputs, its outputs, and every node between
/// them in an order where each node comes after the nodes it depends on.
package struct LayerGraph {
    package let inputs: [Input]
    package let outputs: [SymbolicTensor]
    package let nodes: [GraphNode]
    /// The fusion rewrite: a node whose only output feeds only the node stored here, which
    /// takes nothing else, may run with it as one op (`LayerFusion`).
    package let fusedSuccessor: [ObjectIdentifier: GraphNode]

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
        fusedSuccessor = Self.fusiblePairs(nodes, outputs: outputs)
    }

    private static func fusiblePairs(_ nodes: [GraphNode], outputs: [SymbolicTensor]) -> [ObjectIdentifier: GraphNode] {
        var consumers: [ObjectIdentifier: [GraphNode]] = [:]
        for node in nodes {
            for input in node.inputs { consumers[ObjectIdentifier(input), default: []].append(node) }
        }
        let modelOutputs = Set(outputs.map(ObjectIdentifier.init))
        var pairs: [ObjectIdentifier: GraphNode] = [:]
        for node in nodes where node.outputs.count == 1 {
            let tensor = ObjectIdentifier(node.outputs[0])
            guard !modelOutputs.contains(tensor), let users = consumers[tensor], users.count == 1,
                  users[0].inputs.count == 1, LayerFusion.mayFuse(node.layer, users[0].layer) else { continue }
            pairs[ObjectIdentifier(node)] = users[0]
        }
        return pairs
    }

    /// Distinct layers in first-use order (shared layers once).
    package var layers: [Layer] {
        var seen = Set<ObjectIdentifier>()
        return nodes.map(\.layer).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// Runs the graph on concrete batches, one per input, passing masks along.
    package func run(_ values: [Tensor], training: Bool, modelName: String) throws -> (outputs: [Tensor], masks: [Tensor?]) {
        guard values.count == inputs.count else {
            throw KestrelError(.invalidArgument, "\(modelName) expects \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))), got \(values.count)")
        }
        var computed: [ObjectIdentifier: Tensor] = [:]
        var masks: [ObjectIdentifier: Tensor] = [:]
        for (input, value) in zip(inputs, values) {
            computed[ObjectIdentifier(input.output)] = try input(value)
        }
        var done = Set<ObjectIdentifier>()
        for node in nodes where !done.contains(ObjectIdentifier(node)) {
            let args = node.inputs.map { computed[ObjectIdentifier($0)]! }
            let inputMasks = node.inputs.map { masks[ObjectIdentifier($0)] }
            let mask = inputMasks.first ?? nil
            if let next = fusedSuccessor[ObjectIdentifier(node)],
               let fused = try LayerFusion.run(node.layer, next.layer, input: args[0], mask: mask) {
                computed[ObjectIdentifier(next.outputs[0])] = fused.output
                done.insert(ObjectIdentifier(next))
                continue
            }
            let results = try node.layer(args, masks: inputMasks, training: training)
            let outMask = node.layer.computeMask(args, masks: inputMasks)
            for (symbol, value) in zip(node.outputs, results) {
                computed[ObjectIdentifier(symbol)] = value
                if let outMask { masks[ObjectIdentifier(symbol)] = outMask }
            }
        }
        return (outputs.map { computed[ObjectIdentifier($0)]! }, outputs.map { masks[ObjectIdentifier($0)] })
    }
}
