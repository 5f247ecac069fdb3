import KestrelCore

/// Keras's `compile`: chooses the optimizer, the loss of each output (and its weight in
/// the total) and the metrics that `fit`, `evaluate` and the progress output report.
extension Model {
    /// Metrics may be given by Keras name (`"accuracy"`, `"mae"`, `"top_k_categorical_accuracy"`);
    /// `"accuracy"` becomes binary, categorical or sparse accuracy to suit the outputs, as in Keras.
    /// `metrics` see only the mask that reaches an output; `weightedMetrics` (Keras
    /// `weighted_metrics`) also the sample and class weights given to fit and evaluate.
    public func compile(optimizer: Optimizer, loss: any Loss, metrics: [String] = [], weightedMetrics: [String] = []) throws {
        try compile(optimizer: optimizer, losses: [loss], metrics: metrics, weightedMetrics: weightedMetrics)
    }

    /// The loss by its Keras name, e.g. `"sparse_categorical_crossentropy"`.
    public func compile(optimizer: Optimizer, loss: String, metrics: [String] = [], weightedMetrics: [String] = []) throws {
        try compile(optimizer: optimizer, loss: try Losses.named(loss), metrics: metrics, weightedMetrics: weightedMetrics)
    }

    /// The same with metric objects (single output).
    public func compile(optimizer: Optimizer, loss: any Loss, metricObjects: [any Metric]) {
        self.optimizer = optimizer
        losses = [loss]
        lossWeights = [1]
        outputMetrics = [metricObjects]
        outputWeightedMetrics = [[]]
    }

    /// A model with several outputs: one loss per output (in output order), optional weights
    /// of each loss in the total (default 1), and metrics (and weighted metrics) applied to
    /// every output.
    public func compile(optimizer: Optimizer, losses: [any Loss], lossWeights: [Float]? = nil, metrics: [String] = [],
                        weightedMetrics: [String] = []) throws {
        let outputCount = graph?.outputs.count ?? 1
        guard losses.count == outputCount else {
            throw KestrelError(.invalidArgument, "\(name).compile: the model has \(outputCount) output\(outputCount == 1 ? "" : "s") but \(losses.count) loss\(losses.count == 1 ? " was" : "es were") given; give one loss per output")
        }
        let weights = lossWeights ?? Array(repeating: 1, count: outputCount)
        guard weights.count == outputCount else {
            throw KestrelError(.invalidArgument, "\(name).compile: \(weights.count) loss weights for \(outputCount) outputs")
        }
        self.optimizer = optimizer
        self.losses = losses
        self.lossWeights = weights
        outputMetrics = try losses.map { loss in try metrics.map { try Metrics.resolve($0, loss: loss) } }
        outputWeightedMetrics = try losses.map { loss in try weightedMetrics.map { try Metrics.resolve($0, loss: loss) } }
    }

    package func requireCompiled(_ caller: String) throws -> Optimizer {
        guard let optimizer, !losses.isEmpty else {
            throw KestrelError(.invalidArgument, "\(name).\(caller): the model is not compiled. Call compile(optimizer:loss:metrics:) first")
        }
        return optimizer
    }

    /// Names used in logs for each output: empty for a single output, else the name of the
    /// layer producing it (Keras's `dense_1_loss`, `dense_1_accuracy`).
    package var outputPrefixes: [String] {
        guard let graph, graph.outputs.count > 1 else { return [""] }
        return graph.outputs.map { ($0.producer?.layer.name ?? "output") + "_" }
    }
}
