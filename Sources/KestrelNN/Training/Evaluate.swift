import KestrelCore

/// Batched inference and evaluation (Keras `predict`, `evaluate`, `test_on_batch`).
extension Model {
    /// Loss and metrics over (x, y), computed in batches without gradients; `sampleWeight`
    /// weighs the loss and masks apply as in `fit`.
    public func evaluate(x: Tensor, y: Tensor, sampleWeight: Tensor? = nil, batchSize: Int = 32,
                         verbose: Verbosity = .silent) throws -> [String: Float] {
        try evaluate(x: [x], y: [y], sampleWeight: sampleWeight.map { [$0] }, batchSize: batchSize, verbose: verbose)
    }

    /// Evaluation of a multi-input/output model.
    public func evaluate(x: [Tensor], y: [Tensor], sampleWeight: [Tensor?]? = nil, batchSize: Int = 32,
                         verbose: Verbosity = .silent) throws -> [String: Float] {
        _ = try requireCompiled("evaluate")
        guard batchSize > 0 else { throw KestrelError(.invalidArgument, "\(name).evaluate: batchSize must be positive, got \(batchSize)") }
        let n = try validateSamples(x: x, y: y, caller: "evaluate")
        let weights = try resolvedSampleWeights(sampleWeight, classWeight: nil, y: y, caller: "evaluate")
        try validateTargets(x: x, y: y, batchSize: batchSize)
        let logs = try evaluateLogs(x: x, y: y, sampleWeights: weights, batchSize: batchSize)
        if verbose != .silent { ProgressBar(total: (n + batchSize - 1) / batchSize, verbosity: verbose).finish(logs: logs) }
        return Dictionary(uniqueKeysWithValues: logs)
    }

    /// Loss and metrics of one batch, without updating weights.
    public func testOnBatch(x: Tensor, y: Tensor, sampleWeight: Tensor? = nil) throws -> [String: Float] {
        try evaluate(x: x, y: y, sampleWeight: sampleWeight, batchSize: Swift.max(x.shape.first ?? 1, 1))
    }

    package func evaluateLogs(x: [Tensor], y: [Tensor], sampleWeights: [Tensor?], batchSize: Int) throws -> [(String, Float)] {
        _ = try requireCompiled("evaluate")
        let plan = BatchPlan(count: x[0].shape[0], batchSize: batchSize)
        let trackers = LossTrackers(outputs: losses.count)
        for m in metrics { m.reset() }
        try withoutGradients {
            for b in 0..<plan.batches {
                let xb = x.map { plan.batch(b, of: $0) }, yb = y.map { plan.batch(b, of: $0) }
                let wb = sampleWeights.map { $0.map { plan.batch(b, of: $0) } }
                try buildIfNeeded(inputShapes: xb.map(\.shape))
                let (predictions, masks) = try forward(xb, training: false)
                let (total, perOutput) = combinedLoss(y: yb, predictions: predictions, sampleWeights: wb, masks: masks)
                trackers.add(BatchLoss(total: total.scalar, perOutput: perOutput.map(\.scalar)), weight: xb[0].shape[0])
                updateMetrics(y: yb, predictions: predictions, masks: masks, sampleWeights: wb)
            }
        }
        return currentLogs(trackers)
    }

    /// The model's outputs for every sample, computed in batches without gradients.
    public func predict(_ x: Tensor, batchSize: Int = 32) throws -> Tensor {
        let outputs = try predict([x], batchSize: batchSize)
        guard outputs.count == 1 else {
            throw KestrelError(.invalidArgument, "\(name).predict: the model has \(outputs.count) outputs; use predict(_: [Tensor]) to get all of them")
        }
        return outputs[0]
    }

    /// Predictions of a multi-input/output model: one tensor per output.
    public func predict(_ x: [Tensor], batchSize: Int = 32) throws -> [Tensor] {
        guard batchSize > 0 else { throw KestrelError(.invalidArgument, "\(name).predict: batchSize must be positive, got \(batchSize)") }
        guard let n = x.first?.shape.first, n > 0, x.allSatisfy({ $0.shape.first == n }) else {
            throw KestrelError(.invalidData, "\(name).predict: every input needs the same, non-zero number of samples (got shapes \(x.map(\.shape)))")
        }
        try validateInputs(x)
        let plan = BatchPlan(count: n, batchSize: batchSize)
        let batches = try withoutGradients {
            try (0..<plan.batches).map { b in try self(x.map { plan.batch(b, of: $0) }, training: false) }
        }
        return (0..<(batches.first?.count ?? 0)).map { k in
            batches.count == 1 ? batches[0][k] : Tensor.concatenate(batches.map { $0[k] }, alongAxis: 0)
        }
    }
}
