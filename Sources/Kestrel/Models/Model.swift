import Foundation

/// A trainable network: a layer made of layers, with Keras's training API
/// (`compile`, `fit`, `evaluate`, `predict`), `summary()` and save/load. `Sequential`
/// stacks layers; the functional graph builds on the same base.
open class Model: Layer {
    /// The layers in order (for `Sequential`, the stack; `Input` excluded).
    open var layers: [Layer] { [] }

    /// The optimizer, loss and metrics set by `compile`.
    public internal(set) var optimizer: Optimizer?
    public internal(set) var loss: (any Loss)?
    public internal(set) var metrics: [any Metric] = []
    /// Set by a callback (EarlyStopping, TerminateOnNaN) to end `fit` after this batch/epoch.
    public var stopTraining = false
    /// Epochs completed by `fit` over the model's life, so a resumed fit continues the count.
    public internal(set) var epochsCompleted = 0

    /// Per-sample input shape, when known (from `Input` or the first batch).
    public internal(set) var inputShape: [Int]?
    /// Output shape of each layer for one sample, recorded when the model is built.
    var layerOutputShapes: [ObjectIdentifier: [Int]] = [:]

    /// Every weight of every layer, in layer order (Keras `model.weights`).
    public var weights: [Parameter] {
        var seen = Set<ObjectIdentifier>()
        return layers.flatMap(\.parameters).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// The weights the optimizer updates.
    public var trainableWeights: [Parameter] {
        guard trainable else { return [] }
        var seen = Set<ObjectIdentifier>()
        return layers.flatMap(\.trainableParameters).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    open override var regularizationLosses: [Tensor] { layers.flatMap(\.regularizationLosses) }

    /// Builds every layer for samples of `inputShape` by running one zero sample through
    /// the model (no gradients), recording each layer's output shape for `summary()`.
    public func build(inputShape: [Int]) throws {
        self.inputShape = inputShape
        _ = try withoutGradients { try self([Tensor.zeros([1] + inputShape)], training: false) }
    }

    /// Builds the layers from the known input shape if that has not happened yet.
    func ensureBuilt() throws {
        if layerOutputShapes.isEmpty, let inputShape { try build(inputShape: inputShape) }
    }

    /// Runs the model on a batch (Keras `model(x)`).
    public func predictOnBatch(_ x: Tensor) throws -> Tensor {
        try validateInput(x)
        return try withoutGradients { try self(x, training: false) }
    }

    /// Checks a batch against the model's input shape before any work.
    public func validateInput(_ x: Tensor) throws {
        if let inputShape, Array(x.shape.dropFirst()) != inputShape {
            throw KestrelError(.shapeMismatch, "\(name): expected input of shape (samples, \(inputShape.map(String.init).joined(separator: ", "))); got \(x.shape)")
        }
        let hasNaN = x.withUnsafeBufferPointer { $0.contains { !$0.isFinite } }
        if hasNaN {
            throw KestrelError(.invalidData, "\(name): the input contains NaN or infinite values; clean or impute them before calling the model")
        }
    }

    /// Total number of scalars in all weights.
    public var parameterCount: Int { weights.reduce(0) { $0 + Shape.count($1.shape) } }
}
