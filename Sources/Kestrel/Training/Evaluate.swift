/// Batched inference and evaluation (Keras `predict`, `evaluate`, `test_on_batch`).
extension Model {
    /// Loss and metrics over (x, y), computed in batches without gradients.
    public func evaluate(x: Tensor, y: Tensor, batchSize: Int = 32, verbose: Verbosity = .silent) throws -> [String: Float] {
        let (_, loss) = try requireCompiled("evaluate")
        try validateSamples(x: x, y: y, caller: "evaluate")
        try validateTargets(x: x, y: y, loss: loss, batchSize: batchSize)
        let logs = try evaluateLogs(x: x, y: y, batchSize: batchSize)
        if verbose != .silent { ProgressBar(total: (x.shape[0] + batchSize - 1) / batchSize, verbosity: verbose).finish(logs: logs) }
        return Dictionary(uniqueKeysWithValues: logs)
    }

    /// Loss and metrics of one batch, without updating weights.
    public func testOnBatch(x: Tensor, y: Tensor) throws -> [String: Float] {
        try evaluate(x: x, y: y, batchSize: Swift.max(x.shape.first ?? 1, 1))
    }

    func evaluateLogs(x: Tensor, y: Tensor, batchSize: Int) throws -> [(String, Float)] {
        let (_, loss) = try requireCompiled("evaluate")
        let plan = BatchPlan(count: x.shape[0], batchSize: batchSize)
        let tracker = LossTracker()
        for m in metrics { m.reset() }
        try withoutGradients {
            for b in 0..<plan.batches {
                let xb = plan.batch(b, of: x), yb = plan.batch(b, of: y)
                let prediction = try self(xb, training: false)
                var total = loss(yTrue: yb, yPred: prediction)
                for penalty in regularizationLosses { total = total + penalty }
                tracker.add(total.scalar, weight: xb.shape[0])
                for m in metrics { m.update(yTrue: yb, yPred: prediction) }
            }
        }
        return currentLogs(loss: tracker.mean)
    }

    /// The model's outputs for every sample, computed in batches without gradients.
    public func predict(_ x: Tensor, batchSize: Int = 32) throws -> Tensor {
        guard batchSize > 0 else { throw KestrelError(.invalidArgument, "\(name).predict: batchSize must be positive, got \(batchSize)") }
        guard x.rank >= 1, x.shape[0] > 0 else {
            throw KestrelError(.invalidData, "\(name).predict: no samples (x has shape \(x.shape))")
        }
        try validateInput(x)
        let plan = BatchPlan(count: x.shape[0], batchSize: batchSize)
        let outputs = try withoutGradients {
            try (0..<plan.batches).map { try self(plan.batch($0, of: x), training: false) }
        }
        return outputs.count == 1 ? outputs[0] : Tensor.concatenate(outputs, alongAxis: 0)
    }
}
