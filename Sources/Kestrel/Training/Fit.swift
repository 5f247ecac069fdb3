import Foundation

/// Keras's training loop: `fit`, and the one-batch steps it is made of.
extension Model {
    /// Trains for `epochs` passes over (x, y) and returns the per-epoch history.
    /// Everything is validated before the first step: a wrong shape, a label out of range
    /// or NaN in the data throws an error saying what was expected and what came.
    @discardableResult
    public func fit(x: Tensor, y: Tensor, batchSize: Int = 32, epochs: Int = 1, validationSplit: Float = 0,
                    validationData: (x: Tensor, y: Tensor)? = nil, shuffle: Bool = true,
                    callbacks: [Callback] = [], verbose: Verbosity = .auto) throws -> History {
        let (_, loss) = try requireCompiled("fit")
        guard batchSize > 0 else { throw KestrelError(.invalidArgument, "\(name).fit: batchSize must be positive, got \(batchSize)") }
        guard epochs >= 0 else { throw KestrelError(.invalidArgument, "\(name).fit: epochs must be ≥ 0, got \(epochs)") }
        guard validationSplit >= 0 && validationSplit < 1 else {
            throw KestrelError(.invalidArgument, "\(name).fit: validationSplit must be in [0, 1), got \(validationSplit)")
        }
        try validateSamples(x: x, y: y, caller: "fit")
        var trainX = x, trainY = y
        var validation = validationData
        if validation == nil && validationSplit > 0 {
            let n = x.shape[0]
            let split = n - Int((Float(n) * validationSplit).rounded(.down))
            guard split > 0 && split < n else {
                throw KestrelError(.invalidArgument, "\(name).fit: validationSplit \(validationSplit) of \(n) samples leaves an empty training or validation set")
            }
            validation = (x.sliced(alongAxis: 0, split..<n), y.sliced(alongAxis: 0, split..<n))
            trainX = x.sliced(alongAxis: 0, 0..<split)
            trainY = y.sliced(alongAxis: 0, 0..<split)
        }
        if let validation { try validateSamples(x: validation.x, y: validation.y, caller: "fit (validation data)") }
        try validateTargets(x: trainX, y: trainY, loss: loss, batchSize: batchSize)

        let history = History()
        stopTraining = false
        for callback in callbacks { try callback.onTrainBegin(model: self) }
        let shuffleSeed = GlobalRandom.nextSeed()
        var lastLogs: [String: Float] = [:]
        let firstEpoch = epochsCompleted
        for epoch in firstEpoch..<(firstEpoch + epochs) {
            for callback in callbacks { try callback.onEpochBegin(model: self, epoch: epoch) }
            if verbose != .silent { print("Epoch \(epoch + 1)/\(firstEpoch + epochs)") }
            let plan = BatchPlan(count: trainX.shape[0], batchSize: batchSize, shuffleSeed: shuffle ? shuffleSeed &+ UInt64(epoch) : nil)
            var bar = ProgressBar(total: plan.batches, verbosity: verbose)
            let tracker = LossTracker()
            for m in metrics { m.reset() }
            for b in 0..<plan.batches {
                for callback in callbacks { try callback.onBatchBegin(model: self, batch: b) }
                let xb = plan.batch(b, of: trainX), yb = plan.batch(b, of: trainY)
                let batchLoss = try trainStep(x: xb, y: yb)
                tracker.add(batchLoss, weight: xb.shape[0])
                let logs = currentLogs(loss: tracker.mean)
                for callback in callbacks { try callback.onBatchEnd(model: self, batch: b, logs: Dictionary(uniqueKeysWithValues: logs)) }
                if !batchLoss.isFinite {
                    if callbacks.contains(where: { $0 is TerminateOnNaN }) { break }
                    throw KestrelError(.numerical, "\(name).fit: the loss became \(batchLoss) at epoch \(epoch + 1), batch \(b + 1). Lower the learning rate, clip gradients (clipnorm), or check the data for extreme values")
                }
                bar.update(step: b + 1, logs: logs)
                if stopTraining { break }
            }
            var logs = currentLogs(loss: tracker.mean)
            if let validation {
                let results = try evaluateLogs(x: validation.x, y: validation.y, batchSize: batchSize)
                logs += results.map { ("val_" + $0.0, $0.1) }
            }
            bar.finish(logs: logs)
            lastLogs = Dictionary(uniqueKeysWithValues: logs)
            epochsCompleted = epoch + 1
            history.record(epoch: epoch, logs: lastLogs)
            for callback in callbacks { try callback.onEpochEnd(model: self, epoch: epoch, logs: lastLogs) }
            if stopTraining { break }
        }
        for callback in callbacks { try callback.onTrainEnd(model: self, logs: lastLogs) }
        return history
    }

    /// One optimizer step on one batch (Keras `train_on_batch`); returns loss and metrics
    /// of this batch.
    @discardableResult
    public func trainOnBatch(x: Tensor, y: Tensor) throws -> [String: Float] {
        let (_, loss) = try requireCompiled("trainOnBatch")
        try validateSamples(x: x, y: y, caller: "trainOnBatch")
        try validateTargets(x: x, y: y, loss: loss, batchSize: x.shape[0])
        for m in metrics { m.reset() }
        let value = try trainStep(x: x, y: y)
        return Dictionary(uniqueKeysWithValues: currentLogs(loss: value))
    }

    /// Forward, loss (plus regularization penalties), gradients and one optimizer update.
    func trainStep(x: Tensor, y: Tensor) throws -> Float {
        let (optimizer, loss) = try requireCompiled("fit")
        let parameters = trainableWeights
        let prediction = try self(x, training: true)
        var total = loss(yTrue: y, yPred: prediction)
        for penalty in regularizationLosses { total = total + penalty }
        let gradients = Tensor.gradients(of: total, withRespectTo: parameters.map(\.value))
        try optimizer.apply(gradients: gradients, to: parameters)
        let detached = prediction.detached()
        for m in metrics { m.update(yTrue: y, yPred: detached) }
        return total.scalar
    }

    /// (name, value) pairs in Keras's order: loss first, then the metrics.
    func currentLogs(loss: Float) -> [(String, Float)] {
        [("loss", loss)] + metrics.map { ($0.name, $0.result) }
    }

    /// Same number of samples in x and y, x matches the model's input, no NaN.
    func validateSamples(x: Tensor, y: Tensor, caller: String) throws {
        guard x.rank >= 1, y.rank >= 1, x.shape[0] == y.shape[0] else {
            throw KestrelError(.shapeMismatch, "\(name).\(caller): x has \(x.shape.first ?? 0) samples (shape \(x.shape)) but y has \(y.shape.first ?? 0) (shape \(y.shape)); they must have the same length on axis 0")
        }
        guard x.shape[0] > 0 else {
            throw KestrelError(.invalidData, "\(name).\(caller): no samples (x has shape \(x.shape))")
        }
        try validateInput(x)
        if y.withUnsafeBufferPointer({ $0.contains { $0.isNaN } }) {
            throw KestrelError(.invalidData, "\(name).\(caller): the targets y contain NaN; remove or impute those samples")
        }
    }

    /// Runs the loss's own checks (shape, label range) against the model's output shape,
    /// without training: one inference on a single sample gives the output shape.
    func validateTargets(x: Tensor, y: Tensor, loss: any Loss, batchSize: Int) throws {
        let probe = try withoutGradients { try self(x.sliced(alongAxis: 0, 0..<1), training: false) }
        let chunk = Swift.max(batchSize, 1024)
        var start = 0
        while start < y.shape[0] {
            let end = Swift.min(start + chunk, y.shape[0])
            let template = Tensor.zeros([end - start] + probe.shape.dropFirst())
            try loss.validate(yTrue: y.sliced(alongAxis: 0, start..<end), yPred: template)
            start = end
        }
    }
}

/// The running, sample-weighted mean of the batch losses of an epoch (Keras's loss tracker).
final class LossTracker {
    private var total = 0.0
    private var weight = 0

    func add(_ value: Float, weight: Int) {
        total += Double(value) * Double(weight)
        self.weight += weight
    }

    var mean: Float { weight > 0 ? Float(total / Double(weight)) : 0 }
}
