/// Keras's `compile`: chooses the optimizer, the loss and the metrics that `fit`,
/// `evaluate` and the progress output use.
extension Model {
    /// Metrics may be given by Keras name (`"accuracy"`, `"mae"`, `"top_k_categorical_accuracy"`);
    /// `"accuracy"` becomes binary, categorical or sparse accuracy to suit the loss, as in Keras.
    public func compile(optimizer: Optimizer, loss: any Loss, metrics: [String] = []) throws {
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = try metrics.map { try Metrics.resolve($0, loss: loss) }
    }

    /// The same with metric objects.
    public func compile(optimizer: Optimizer, loss: any Loss, metricObjects: [any Metric]) {
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metricObjects
    }

    /// The loss by its Keras name, e.g. `"sparse_categorical_crossentropy"`.
    public func compile(optimizer: Optimizer, loss: String, metrics: [String] = []) throws {
        try compile(optimizer: optimizer, loss: try Losses.named(loss), metrics: metrics)
    }

    func requireCompiled(_ caller: String) throws -> (Optimizer, any Loss) {
        guard let optimizer, let loss else {
            throw KestrelError(.invalidArgument, "\(name).\(caller): the model is not compiled. Call compile(optimizer:loss:metrics:) first")
        }
        return (optimizer, loss)
    }
}
