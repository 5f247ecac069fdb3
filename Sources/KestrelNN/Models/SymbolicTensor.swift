import Foundation
import KestrelCore

/// A placeholder for a batch flowing through a layer graph (Keras's `KerasTensor`): calling
/// a layer on symbolic tensors records a node of the graph instead of computing anything,
/// and `Model(inputs:outputs:)` turns the recorded graph into a model. The shape is per
/// sample (no batch axis).
public final class SymbolicTensor: CustomStringConvertible {
    /// The per-sample shape; sizes on `unknownAxes` are the placeholder's.
    public let shape: [Int]
    /// Axes whose size follows an unknown input size (Keras's `None`).
    public let unknownAxes: Set<Int>
    /// The node that produces it; `nil` for a model input.
    package let producer: GraphNode?
    /// Which output of the producing layer it is.
    package let outputIndex: Int
    /// The `Input` it stands for, when it is a model input.
    public private(set) weak var source: Input?

    package init(shape: [Int], producer: GraphNode?, outputIndex: Int, source: Input? = nil, unknownAxes: Set<Int> = []) {
        self.shape = shape
        self.unknownAxes = unknownAxes
        self.producer = producer
        self.outputIndex = outputIndex
        self.source = source
    }

    /// `layer_name[node][output]`, Keras's notation in summaries and configs.
    public var description: String {
        if let producer { return "\(producer.layer.name)[\(producer.index)][\(outputIndex)]" }
        return "\(source?.name ?? "input")[0][0]"
    }
}

/// One call of a layer in a graph: the layer, the symbolic tensors it consumed and those it
/// produced. Nodes are numbered in creation order, which is a topological order.
package final class GraphNode {
    package let layer: Layer
    package let inputs: [SymbolicTensor]
    package var outputs: [SymbolicTensor] = []
    package let sequence: Int
    /// How many times `layer` had been called in graphs before this call (Keras node index).
    package let index: Int

    private nonisolated(unsafe) static var counter = 0
    private static let lock = NSLock()

    package init(layer: Layer, inputs: [SymbolicTensor]) {
        self.layer = layer
        self.inputs = inputs
        GraphNode.lock.lock()
        GraphNode.counter += 1
        sequence = GraphNode.counter
        GraphNode.lock.unlock()
        index = layer.graphCallCount
        layer.graphCallCount += 1
    }
}

extension Input {
    /// The symbolic tensor this input feeds into a graph.
    public var output: SymbolicTensor { symbolic }
}

extension Layer {
    /// Records a call of this layer on symbolic inputs and returns its symbolic outputs.
    /// The layer is built (and its output shapes found) by running it once on one zero sample.
    public func callAsFunction(_ inputs: [SymbolicTensor]) throws -> [SymbolicTensor] {
        guard !inputs.isEmpty else {
            throw KestrelError(.invalidArgument, "\(name): called on an empty list of inputs")
        }
        for input in inputs { try Input.checkSampleShape(input.shape, owner: name) }
        let probes = inputs.map { Tensor.zeros([1] + $0.shape) }
        let outputs = try withoutGradients { try self(probes, training: false) }
        // With unknown sizes, a second probe of other sizes tells which output sizes follow them.
        var varying = outputs.map { _ in Set<Int>() }
        if inputs.contains(where: { !$0.unknownAxes.isEmpty }) {
            let alternates = inputs.map { input in
                Tensor.zeros([1] + input.shape.indices.map { input.unknownAxes.contains($0) ? Input.alternateSize : input.shape[$0] })
            }
            let second: [Tensor]
            do {
                second = try withoutGradients { try self(alternates, training: false) }
            } catch let error as KestrelError {
                throw KestrelError(error.kind, "\(name) needs known sizes where its input has unknown ones (None): \(error.message)")
            }
            for (k, (a, b)) in zip(outputs, second).enumerated() where a.rank == b.rank {
                varying[k] = Set((1..<a.rank).filter { a.shape[$0] != b.shape[$0] }.map { $0 - 1 })
            }
        }
        let node = GraphNode(layer: self, inputs: inputs)
        node.outputs = outputs.enumerated().map {
            SymbolicTensor(shape: Array($0.element.shape.dropFirst()), producer: node, outputIndex: $0.offset,
                           unknownAxes: varying[$0.offset])
        }
        return node.outputs
    }

    /// Records a call on one symbolic input; the layer must have exactly one output.
    public func callAsFunction(_ input: SymbolicTensor) throws -> SymbolicTensor {
        let outputs = try self([input])
        guard outputs.count == 1 else {
            throw KestrelError(.invalidArgument, "\(name) returns \(outputs.count) outputs; call it with a list to receive all of them")
        }
        return outputs[0]
    }

    /// Records a call on a model input.
    public func callAsFunction(_ input: Input) throws -> SymbolicTensor {
        try self(input.output)
    }
}
