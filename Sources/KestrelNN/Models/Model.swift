import Foundation
import KestrelCore

/// A trainable network: a layer made of layers, with Keras's training API
/// (`compile`, `fit`, `evaluate`, `predict`), `summary()` and save/load. `Sequential`
/// stacks layers; the functional graph builds on the same base.
open class Model: Layer {
    /// The graph of a functional model; `nil` for `Sequential`.
    package let graph: LayerGraph?

    public override init(name: String? = nil) {
        graph = nil
        super.init(name: name)
    }

    /// A functional model (Keras `Model(inputs, outputs)`): the layers recorded between the
    /// given inputs and outputs by calling layers on symbolic tensors.
    public init(inputs: [Input], outputs: [SymbolicTensor], name: String? = nil) throws {
        let modelName = name ?? LayerNames.peek(for: "Functional")
        graph = try LayerGraph(inputs: inputs, outputs: outputs, modelName: modelName)
        super.init(name: name)
        inputShape = inputs.count == 1 ? inputs[0].shape : nil
        for node in graph!.nodes where layerOutputShapes[ObjectIdentifier(node.layer)] == nil {
            layerOutputShapes[ObjectIdentifier(node.layer)] = node.outputs.first?.shape
            layerOutputUnknownAxes[ObjectIdentifier(node.layer)] = node.outputs.first?.unknownAxes
        }
    }

    /// A functional model with one input and one output.
    public convenience init(inputs: Input, outputs: SymbolicTensor, name: String? = nil) throws {
        try self.init(inputs: [inputs], outputs: [outputs], name: name)
    }

    open override class var kerasClassName: String { "Functional" }

    /// The layers in order (for `Sequential`, the stack; `Input` excluded).
    open var layers: [Layer] { graph?.layers ?? [] }

    open override var sublayers: [Layer] { layers }

    /// The model's inputs, for a functional model.
    public var inputs: [Input] { graph?.inputs ?? [] }

    open override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try forward(inputs, training: training).outputs
    }

    /// One forward pass on built layers: the outputs, and the mask that reaches each output
    /// (nil where none does), which the losses and metrics of `fit` and `evaluate` honour.
    package func forward(_ inputs: [Tensor], training: Bool) throws -> (outputs: [Tensor], masks: [Tensor?]) {
        guard let graph else {
            throw KestrelError(.unsupported, "\(name): a Model without layers; use Sequential or Model(inputs:outputs:)")
        }
        return try graph.run(inputs, training: training, modelName: name)
    }

    /// The optimizer set by `compile`.
    public package(set) var optimizer: Optimizer?
    /// One loss per output, their weights in the total loss, the metrics of each output, and
    /// its weighted metrics (Keras `weighted_metrics`: sample and class weights apply to them).
    public package(set) var losses: [any Loss] = []
    public package(set) var lossWeights: [Float] = []
    public package(set) var outputMetrics: [[any Metric]] = []
    public package(set) var outputWeightedMetrics: [[any Metric]] = []

    /// The loss of a single-output model.
    public var loss: (any Loss)? { losses.first }
    /// Every metric of every output, then every weighted metric.
    public var metrics: [any Metric] { outputMetrics.flatMap { $0 } + outputWeightedMetrics.flatMap { $0 } }
    /// Set by a callback (EarlyStopping, TerminateOnNaN) to end `fit` after this batch/epoch.
    public var stopTraining = false
    /// Epochs completed by `fit` over the model's life, so a resumed fit continues the count.
    public package(set) var epochsCompleted = 0
    /// Where the running `fit` stands after its latest batch; nil outside `fit`.
    public package(set) var fitProgress: FitProgress?
    /// Set before `fit`'s first epoch (by `BackupAndRestore.onTrainBegin`) to resume an
    /// interrupted `fit` from this point instead of starting it; `fit` consumes it.
    public var resumePoint: FitProgress?

    /// Per-sample input shape, when known (from `Input` or the first batch).
    public package(set) var inputShape: [Int]?
    /// Output shape of each layer for one sample, recorded when the model is built.
    package var layerOutputShapes: [ObjectIdentifier: [Int]] = [:]
    /// The axes of each layer's output whose size follows an unknown input size.
    package var layerOutputUnknownAxes: [ObjectIdentifier: Set<Int>] = [:]

    /// The `Input`s the model was declared with (none for a Sequential built from data).
    package var declaredInputs: [Input] { graph?.inputs ?? [] }

    /// Builds every layer for samples of `inputShape` by running one zero sample through
    /// the model (no gradients), recording each layer's output shape for `summary()`.
    /// Throws when a size is below 1 or one sample exceeds `Layer.maximumTensorElements`.
    public func build(inputShape: [Int]) throws {
        try Input.checkSampleShape(inputShape, owner: name)
        self.inputShape = inputShape
        _ = try withoutGradients { try self([Tensor.zeros([1] + inputShape)], training: false) }
        guard graph == nil, let input = declaredInputs.first, !input.unknownAxes.isEmpty else { return }
        // A second sample with other sizes on the unknown axes tells which output sizes follow them.
        let first = layerOutputShapes
        layerOutputShapes = [:]
        do {
            _ = try withoutGradients { try self([Tensor.zeros([1] + input.shape(withUnknownSizes: Input.alternateSize))], training: false) }
        } catch let error as KestrelError {
            throw KestrelError(error.kind, "\(name): a layer needs known sizes where the input has unknown ones (None): \(error.message)")
        }
        for (layer, shape) in first {
            guard let other = layerOutputShapes[layer], other.count == shape.count else { continue }
            layerOutputUnknownAxes[layer] = Set(shape.indices.filter { shape[$0] != other[$0] })
        }
        layerOutputShapes = first
    }

    /// Builds the layers from the known input shape if that has not happened yet.
    package func ensureBuilt() throws {
        guard graph == nil, let inputShape else { return }
        let unknownSizesUnchecked = !(declaredInputs.first?.unknownAxes.isEmpty ?? true) && layerOutputUnknownAxes.isEmpty
        if layerOutputShapes.isEmpty || unknownSizesUnchecked { try build(inputShape: inputShape) }
    }

    /// Per-sample shapes of every input (one for Sequential).
    package var inputShapes: [[Int]]? {
        if let graph { return graph.inputs.map(\.shape) }
        return inputShape.map { [$0] }
    }

    /// Runs the model on a batch (Keras `model(x)`).
    public func predictOnBatch(_ x: Tensor) throws -> Tensor {
        try validateInput(x)
        return try withoutGradients { try self(x, training: false) }
    }

    /// Checks a batch against the model's input shape before any work.
    public func validateInput(_ x: Tensor) throws {
        try validateInputs([x])
    }

    /// Checks one batch per model input: shapes (per sample) and finite values.
    public func validateInputs(_ x: [Tensor]) throws {
        if let shapes = inputShapes {
            guard shapes.count == x.count else {
                throw KestrelError(.invalidArgument, "\(name): expected \(shapes.count) inputs, got \(x.count)")
            }
            let declared = declaredInputs.count == shapes.count ? declaredInputs : []
            for (k, (shape, t)) in zip(shapes, x).enumerated() {
                let sample = Array(t.shape.dropFirst())
                if declared.isEmpty ? sample == shape : declared[k].accepts(sample) { continue }
                let which = shapes.count > 1 ? " \(k) (\(inputs[k].name))" : ""
                let expected = declared.isEmpty ? "(samples, \(shape.map(String.init).joined(separator: ", ")))" : declared[k].shapeDescription
                throw KestrelError(.shapeMismatch, "\(name): expected input\(which) of shape \(expected); got \(t.shape)")
            }
        }
        for t in x where t.withUnsafeBufferPointer({ $0.contains { !$0.isFinite } }) {
            throw KestrelError(.invalidData, "\(name): the input contains NaN or infinite values; clean or impute them before calling the model")
        }
    }

    /// Total number of scalars in all weights.
    public var parameterCount: Int { weights.reduce(0) { $0 + Shape.count($1.shape) } }
}
