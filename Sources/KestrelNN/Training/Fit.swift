import Foundation
import KestrelCore

/// Keras's training loop: `fit`, and the one-batch steps it is made of.
extension Model {
    /// Trains for `epochs` passes over (x, y) and returns the per-epoch history.
    /// Everything is validated before the first step: a wrong shape, a label out of range
    /// or NaN in the data throws an error saying what was expected and what came.
    /// `sampleWeight` (per sample, or per position of sequence targets) or `classWeight`
    /// (per class id) weigh the loss as in Keras (the compiled metrics stay unweighted, as
    /// Keras's `metrics` do); a mask that reaches the output (Embedding `maskZero`, Masking)
    /// leaves padded positions out of the loss and the metrics.
    @discardableResult
    public func fit(x: Tensor, y: Tensor, batchSize: Int = 32, epochs: Int = 1, validationSplit: Float = 0,
                    validationData: (x: Tensor, y: Tensor)? = nil, shuffle: Bool = true,
                    sampleWeight: Tensor? = nil, classWeight: [Int: Float]? = nil, validationSampleWeight: Tensor? = nil,
                    callbacks: [Callback] = [], verbose: Verbosity = .auto,
                    communicator: (any Communicator)? = nil) throws -> History {
        try fit(x: [x], y: [y], batchSize: batchSize, epochs: epochs, validationSplit: validationSplit,
                validationData: validationData.map { ([$0.x], [$0.y]) }, shuffle: shuffle,
                sampleWeight: sampleWeight.map { [$0] }, classWeight: classWeight,
                validationSampleWeight: validationSampleWeight.map { [$0] }, callbacks: callbacks, verbose: verbose,
                communicator: communicator)
    }

    /// Training for models with several inputs and/or outputs: one tensor per input in `x`
    /// and one target per output in `y`, in the model's order; `sampleWeight` holds one
    /// weight tensor (or nil) per output.
    ///
    /// With a `communicator` of several processes (`mpirun -np N`, `MPICommunicator`) the
    /// training is data-parallel: `batchSize` is the global batch, of which each rank trains
    /// on its shard; rank 0's weights and shuffle seed are taken by all at the start; the
    /// gradients are summed over ranks so every rank makes the update one process would make
    /// on the whole batch; losses and metrics are reduced over ranks, BatchNormalization's
    /// moving statistics averaged, and every rank takes the same callback decisions. Only
    /// rank 0 prints and runs the callbacks that write files. Every rank passes the same data.
    @discardableResult
    public func fit(x: [Tensor], y: [Tensor], batchSize: Int = 32, epochs: Int = 1, validationSplit: Float = 0,
                    validationData: (x: [Tensor], y: [Tensor])? = nil, shuffle: Bool = true,
                    sampleWeight: [Tensor?]? = nil, classWeight: [Int: Float]? = nil, validationSampleWeight: [Tensor?]? = nil,
                    callbacks: [Callback] = [], verbose: Verbosity = .auto,
                    communicator: (any Communicator)? = nil) throws -> History {
        _ = try requireCompiled("fit")
        guard batchSize > 0 else { throw KestrelError(.invalidArgument, "\(name).fit: batchSize must be positive, got \(batchSize)") }
        guard epochs >= 0, !epochsCompleted.addingReportingOverflow(epochs).overflow else {
            throw KestrelError(.invalidArgument, "\(name).fit: epochs must be ≥ 0 and, with the \(epochsCompleted) epochs already completed, fit in Int; got \(epochs)")
        }
        guard validationSplit >= 0 && validationSplit < 1 else {
            throw KestrelError(.invalidArgument, "\(name).fit: validationSplit must be in [0, 1), got \(validationSplit)")
        }
        let n = try validateSamples(x: x, y: y, caller: "fit")
        if validationSampleWeight != nil && validationData == nil {
            throw KestrelError(.invalidArgument, "\(name).fit: validationSampleWeight needs validationData; with validationSplit the split takes its weights from sampleWeight")
        }
        let weights = try resolvedSampleWeights(sampleWeight, classWeight: classWeight, y: y, caller: "fit")
        var trainX = x, trainY = y, trainWeights = weights
        var validation = validationData.map { (x: $0.x, y: $0.y, weights: validationSampleWeight ?? []) }
        if validation == nil && validationSplit > 0 {
            let split = n - Int((Float(n) * validationSplit).rounded(.down))
            guard split > 0 && split < n else {
                throw KestrelError(.invalidArgument, "\(name).fit: validationSplit \(validationSplit) of \(n) samples leaves an empty training or validation set")
            }
            validation = (x.map { $0.sliced(alongAxis: 0, split..<n) }, y.map { $0.sliced(alongAxis: 0, split..<n) },
                          weights.map { $0?.sliced(alongAxis: 0, split..<n) })
            trainX = x.map { $0.sliced(alongAxis: 0, 0..<split) }
            trainY = y.map { $0.sliced(alongAxis: 0, 0..<split) }
            trainWeights = weights.map { $0?.sliced(alongAxis: 0, 0..<split) }
        }
        if let v = validation {
            _ = try validateSamples(x: v.x, y: v.y, caller: "fit (validation data)")
            validation!.weights = try resolvedSampleWeights(v.weights.isEmpty ? nil : v.weights, classWeight: nil, y: v.y,
                                                            caller: "fit (validation data)")
        }
        try validateTargets(x: trainX, y: trainY, batchSize: batchSize)

        let dp = DataParallelTraining(communicator: communicator ?? SingleProcessCommunicator())
        if dp.isDistributed, let single = callbacks.first(where: { $0.placement == .singleProcess }) {
            throw KestrelError(.unsupported, "\(name).fit: \(type(of: single)) does not support data-parallel training (\(dp.size) ranks); remove it, or train in one process")
        }
        let callbacks = dp.rank == 0 ? callbacks : callbacks.filter { $0.placement == .everyRank }
        let verbose = dp.rank == 0 ? verbose : .silent
        let history = History()
        stopTraining = false
        resumePoint = nil
        try dp.attempt { for callback in callbacks { try callback.onTrainBegin(model: self) } }
        try dp.requireSameOnEveryRank([Double(trainX[0].shape[0]), Double(batchSize), Double(epochs), Double(weights.count),
                                       Double(self.parameterCount)],
                                      describing: "training set sizes, batch sizes, epochs or models")
        try dp.broadcastWeights(self.weights)
        let drawnSeed = try dp.broadcast(seed: GlobalRandom.nextSeed())
        let count = trainX[0].shape[0]
        let batchesPerEpoch = (count + batchSize - 1) / batchSize
        let resume = resumePoint
        resumePoint = nil
        try resume?.validate(epochs: epochs, batches: batchesPerEpoch, lossCount: losses.count,
                             metricCount: metrics.count, model: name)
        let shuffleSeed = resume?.shuffleSeed ?? drawnSeed
        let firstEpoch = resume?.firstEpoch ?? epochsCompleted
        let startEpoch = resume?.epoch ?? firstEpoch
        epochsCompleted = startEpoch
        defer { fitProgress = nil }
        var lastLogs: [String: Float] = [:]
        for epoch in startEpoch..<(firstEpoch + epochs) {
            let resumed = epoch == startEpoch ? resume : nil
            try dp.attempt { for callback in callbacks { try callback.onEpochBegin(model: self, epoch: epoch) } }
            if verbose != .silent { print("Epoch \(epoch + 1)/\(firstEpoch + epochs)") }
            let plan = BatchPlan(count: count, batchSize: batchSize, shuffleSeed: shuffle ? shuffleSeed &+ UInt64(epoch) : nil)
            var bar = ProgressBar(total: plan.batches, verbosity: verbose)
            let trackers = LossTrackers(outputs: losses.count)
            for m in metrics { m.reset() }
            if let resumed {
                trackers.totals = resumed.lossTotals
                for (m, state) in zip(metrics, resumed.metricStates) { m.state = state }
            }
            func progress(batchesDone: Int) -> FitProgress {
                FitProgress(firstEpoch: firstEpoch, epoch: epoch, batchesDone: batchesDone, shuffleSeed: shuffleSeed,
                            lossTotals: trackers.totals, metricStates: metrics.map(\.state))
            }
            fitProgress = progress(batchesDone: resumed?.batchesDone ?? 0)
            var logs = try reducedLogs(trackers, dp)
            for b in (resumed?.batchesDone ?? 0)..<plan.batches {
                try dp.attempt { for callback in callbacks { try callback.onBatchBegin(model: self, batch: b) } }
                let part = dp.shard(ofBatch: plan.size(ofBatch: b))
                try distributedTrainStep(plan: plan, batch: b, part: part, x: trainX, y: trainY,
                                         sampleWeights: trainWeights, trackers: trackers, dp: dp)
                fitProgress = progress(batchesDone: b + 1)
                logs = try reducedLogs(trackers, dp)
                let loss = logs[0].1
                try dp.attempt {
                    for callback in callbacks { try callback.onBatchEnd(model: self, batch: b, logs: Dictionary(uniqueKeysWithValues: logs)) }
                }
                if !loss.isFinite {
                    if callbacks.contains(where: { $0 is TerminateOnNaN }) { break }
                    throw KestrelError(.numerical, "\(name).fit: the loss became \(loss) at epoch \(epoch + 1), batch \(b + 1). Lower the learning rate, clip gradients (clipnorm), or check the data for extreme values")
                }
                bar.update(step: b + 1, logs: logs)
                if try dp.agreeToStop(stopTraining) { stopTraining = true; break }
            }
            try dp.attempt {
                if let validation {
                    let results = try evaluateLogs(x: validation.x, y: validation.y, sampleWeights: validation.weights,
                                                   batchSize: batchSize)
                    logs += results.map { ("val_" + $0.0, $0.1) }
                }
            }
            logs = try dp.rankZeros(logs)
            bar.finish(logs: logs)
            lastLogs = Dictionary(uniqueKeysWithValues: logs)
            epochsCompleted = epoch + 1
            fitProgress = FitProgress(firstEpoch: firstEpoch, epoch: epoch + 1, batchesDone: 0, shuffleSeed: shuffleSeed,
                                      lossTotals: LossTrackers(outputs: losses.count).totals,
                                      metricStates: metrics.map { _ in [] })
            history.record(epoch: epoch, logs: lastLogs)
            try dp.attempt { for callback in callbacks { try callback.onEpochEnd(model: self, epoch: epoch, logs: lastLogs) } }
            if try dp.agreeToStop(stopTraining) { stopTraining = true; break }
        }
        try dp.attempt { for callback in callbacks { try callback.onTrainEnd(model: self, logs: lastLogs) } }
        _ = try dp.agreeToStop(false)
        return history
    }

    /// One optimizer step on one batch (Keras `train_on_batch`); returns loss and metrics
    /// of this batch.
    @discardableResult
    public func trainOnBatch(x: Tensor, y: Tensor, sampleWeight: Tensor? = nil, classWeight: [Int: Float]? = nil) throws -> [String: Float] {
        try trainOnBatch(x: [x], y: [y], sampleWeight: sampleWeight.map { [$0] }, classWeight: classWeight)
    }

    /// One optimizer step on one batch of a multi-input/output model.
    @discardableResult
    public func trainOnBatch(x: [Tensor], y: [Tensor], sampleWeight: [Tensor?]? = nil,
                             classWeight: [Int: Float]? = nil) throws -> [String: Float] {
        _ = try requireCompiled("trainOnBatch")
        _ = try validateSamples(x: x, y: y, caller: "trainOnBatch")
        let weights = try resolvedSampleWeights(sampleWeight, classWeight: classWeight, y: y, caller: "trainOnBatch")
        try validateTargets(x: x, y: y, batchSize: x[0].shape[0])
        for m in metrics { m.reset() }
        let trackers = LossTrackers(outputs: losses.count)
        trackers.add(try trainStep(x: x, y: y, sampleWeights: weights), weight: x[0].shape[0])
        return Dictionary(uniqueKeysWithValues: currentLogs(trackers))
    }

    /// Forward, weighted losses (plus regularization penalties), gradients, one optimizer
    /// update, and the metrics of the batch.
    package func trainStep(x: [Tensor], y: [Tensor], sampleWeights: [Tensor?]) throws -> BatchLoss {
        let optimizer = try requireCompiled("fit")
        let step = try batchGradients(x: x, y: y, sampleWeights: sampleWeights)
        try optimizer.apply(gradients: step.gradients, to: trainableWeights)
        updateMetrics(y: y, predictions: step.predictions, masks: step.masks, sampleWeights: sampleWeights)
        return step.loss
    }

    /// Forward and backward on one batch: its losses, and the gradients of
    /// `dataScale` · (weighted losses) + `penaltyScale` · (regularization penalties).
    package func batchGradients(x: [Tensor], y: [Tensor], sampleWeights: [Tensor?], dataScale: Float = 1,
                                penaltyScale: Float = 1) throws -> BatchGradients {
        let parameters = trainableWeights
        try buildIfNeeded(inputShapes: x.map(\.shape))
        let (predictions, masks) = try forward(x, training: true)
        let (total, perOutput) = combinedLoss(y: y, predictions: predictions, sampleWeights: sampleWeights, masks: masks)
        var objective = total
        if dataScale != 1 || penaltyScale != 1 {
            let data = zip(perOutput, lossWeights).map { $0 * $1 }.reduce(Tensor(0), +)
            objective = data * dataScale + regularizationLosses.reduce(Tensor(0), +) * penaltyScale
        }
        let gradients = Tensor.gradients(of: objective, withRespectTo: parameters.map(\.value))
        return BatchGradients(loss: BatchLoss(total: total.scalar, perOutput: perOutput.map(\.scalar)), gradients: gradients,
                              predictions: predictions.map { $0.detached() }, masks: masks)
    }

    /// One step of `fit` on this rank's `part` of batch `b`: the gradient of the rank's share
    /// of the batch's mean loss, summed over ranks, then the update every rank makes alike.
    /// An empty part (a batch smaller than the group) contributes zeros.
    package func distributedTrainStep(plan: BatchPlan, batch b: Int, part: Range<Int>, x: [Tensor], y: [Tensor],
                                      sampleWeights: [Tensor?], trackers: LossTrackers, dp: DataParallelTraining) throws {
        let optimizer = try requireCompiled("fit")
        let xb = x.map { plan.batch(b, of: $0, part: part) }, yb = y.map { plan.batch(b, of: $0, part: part) }
        let wb = sampleWeights.map { $0.map { plan.batch(b, of: $0, part: part) } }
        guard dp.isDistributed else {
            trackers.add(try trainStep(x: xb, y: yb, sampleWeights: wb), weight: part.count)
            return
        }
        let parameters = trainableWeights
        var step: BatchGradients?
        if !part.isEmpty {
            try dp.attempt {
                step = try batchGradients(x: xb, y: yb, sampleWeights: wb,
                                          dataScale: Float(part.count) / Float(plan.size(ofBatch: b)),
                                          penaltyScale: 1 / Float(dp.size))
            }
        }
        let local = part.isEmpty ? parameters.map { Tensor.zeros($0.shape) } : step?.gradients
        let gradients = try dp.summed(gradients: local, of: parameters)
        try dp.attempt {
            try optimizer.apply(gradients: gradients, to: parameters)
            if let step {
                updateMetrics(y: yb, predictions: step.predictions, masks: step.masks, sampleWeights: wb)
                trackers.add(step.loss, weight: part.count)
            }
        }
        try dp.average(weights.filter { !$0.isTrainable })
    }

    /// The logs of `currentLogs`, from the loss trackers and metric states summed over ranks.
    package func reducedLogs(_ trackers: LossTrackers, _ dp: DataParallelTraining) throws -> [(String, Float)] {
        guard dp.isDistributed else { return currentLogs(trackers) }
        let localTotals = trackers.totals, localStates = metrics.map(\.state)
        let flat = localTotals.flatMap { [$0.sum, Double($0.samples)] } + localStates.flatMap { $0.map(Double.init) }
        let sums = try dp.summed(flat)
        var offset = 0
        trackers.totals = localTotals.map { _ in
            defer { offset += 2 }
            return FitProgress.LossTotal(sum: sums[offset], samples: Int(sums[offset + 1]))
        }
        for (m, state) in zip(metrics, localStates) {
            m.state = sums[offset..<(offset + state.count)].map { Float($0) }
            offset += state.count
        }
        let logs = currentLogs(trackers)
        trackers.totals = localTotals
        for (m, state) in zip(metrics, localStates) { m.state = state }
        return logs
    }

    /// Σ weight·loss over the outputs plus the regularization penalties; each output's loss
    /// honours its sample weights and the mask that reached it.
    package func combinedLoss(y: [Tensor], predictions: [Tensor], sampleWeights: [Tensor?], masks: [Tensor?]) -> (Tensor, [Tensor]) {
        let perOutput = losses.indices.map { k in
            losses[k](yTrue: y[k], yPred: predictions[k], sampleWeight: sampleWeights[k], mask: masks[k])
        }
        var total = zip(perOutput, lossWeights).map { $0 * $1 }.reduce(Tensor(0), +)
        for penalty in regularizationLosses { total = total + penalty }
        return (total, perOutput)
    }

    /// Keras 3's compiled `metrics`: a mask that reaches the output leaves padded positions
    /// out (Keras's `MeanMetricWrapper`), but sample and class weights do not apply to them;
    /// the `weighted_metrics` take the sample weights times the mask.
    package func updateMetrics(y: [Tensor], predictions: [Tensor], masks: [Tensor?], sampleWeights: [Tensor?]) {
        for (k, output) in outputMetrics.enumerated() {
            for m in output { m.update(yTrue: y[k], yPred: predictions[k], sampleWeight: masks[k]) }
        }
        for (k, output) in outputWeightedMetrics.enumerated() where !output.isEmpty {
            let weight = LossWeighting.weights(sampleWeights[k], mask: masks[k], scaledFor: .sum)
            for m in output { m.update(yTrue: y[k], yPred: predictions[k], sampleWeight: weight) }
        }
    }

    /// (name, value) pairs in Keras's order: the loss, per-output losses when there are
    /// several outputs, then the metrics.
    package func currentLogs(_ trackers: LossTrackers) -> [(String, Float)] {
        var logs = [("loss", trackers.total.mean)]
        let prefixes = outputPrefixes
        if losses.count > 1 {
            logs += zip(prefixes, trackers.perOutput).map { ($0 + "loss", $1.mean) }
        }
        for (prefix, output) in zip(prefixes, outputMetrics) {
            logs += output.map { (prefix + $0.name, $0.result) }
        }
        // Keras names a weighted metric `weighted_<name>` when an unweighted one took its name.
        for (prefix, output) in zip(prefixes, outputWeightedMetrics) {
            for m in output {
                let taken = logs.contains { $0.0 == prefix + m.name }
                logs.append((prefix + (taken ? "weighted_" : "") + m.name, m.result))
            }
        }
        return logs
    }

    /// Same number of samples everywhere, x matches the model's inputs, no NaN; returns N.
    package func validateSamples(x: [Tensor], y: [Tensor], caller: String) throws -> Int {
        let expectedInputs = inputShapes?.count ?? x.count
        guard x.count == expectedInputs else {
            throw KestrelError(.invalidArgument, "\(name).\(caller): the model has \(expectedInputs) inputs but x has \(x.count) tensors")
        }
        guard y.count == losses.count || losses.isEmpty else {
            throw KestrelError(.invalidArgument, "\(name).\(caller): the model has \(losses.count) outputs but y has \(y.count) tensors")
        }
        guard let n = x.first?.shape.first, n > 0 else {
            throw KestrelError(.invalidData, "\(name).\(caller): no samples (x has shape \(x.first?.shape ?? []))")
        }
        for t in x + y where t.shape.first != n {
            throw KestrelError(.shapeMismatch, "\(name).\(caller): x has \(n) samples (shape \(x[0].shape)) but another array has \(t.shape.first ?? 0) (shape \(t.shape)); x and y must have the same length on axis 0")
        }
        try validateInputs(x)
        for t in y where t.withUnsafeBufferPointer({ $0.contains { $0.isNaN } }) {
            throw KestrelError(.invalidData, "\(name).\(caller): the targets y contain NaN; remove or impute those samples")
        }
        return n
    }

    /// Runs each loss's own checks (shape, label range) against the model's output shapes,
    /// without training: one inference on a single sample gives the output shapes.
    package func validateTargets(x: [Tensor], y: [Tensor], batchSize: Int) throws {
        let probes = try withoutGradients { try self(x.map { $0.sliced(alongAxis: 0, 0..<1) }, training: false) }
        let chunk = Swift.max(batchSize, 1024)
        for (k, loss) in losses.enumerated() {
            var start = 0
            while start < y[k].shape[0] {
                let end = Swift.min(start + chunk, y[k].shape[0])
                let template = Tensor.zeros([end - start] + probes[k].shape.dropFirst())
                try loss.validate(yTrue: y[k].sliced(alongAxis: 0, start..<end), yPred: template)
                start = end
            }
        }
    }
}

/// What one batch's forward and backward pass gives.
package struct BatchGradients {
    package let loss: BatchLoss
    package let gradients: [Tensor]
    package let predictions: [Tensor]
    package let masks: [Tensor?]
}

/// The total and per-output losses of one batch.
package struct BatchLoss {
    package let total: Float
    package let perOutput: [Float]
}

/// The running, sample-weighted mean of a loss over an epoch (Keras's loss tracker).
package final class LossTracker {
    private var total = 0.0
    private var weight = 0

    package func add(_ value: Float, weight: Int) {
        total += Double(value) * Double(weight)
        self.weight += weight
    }

    package var state: FitProgress.LossTotal {
        get { FitProgress.LossTotal(sum: total, samples: weight) }
        set { (total, weight) = (newValue.sum, newValue.samples) }
    }

    package var mean: Float { weight > 0 ? Float(total / Double(weight)) : 0 }
}

/// Trackers for the total loss and each output's loss.
package final class LossTrackers {
    package let total = LossTracker()
    package let perOutput: [LossTracker]

    package init(outputs: Int) { perOutput = (0..<outputs).map { _ in LossTracker() } }

    /// The total's state, then each output's.
    package var totals: [FitProgress.LossTotal] {
        get { [total.state] + perOutput.map(\.state) }
        set {
            guard newValue.count == perOutput.count + 1 else { return }
            total.state = newValue[0]
            for (t, v) in zip(perOutput, newValue.dropFirst()) { t.state = v }
        }
    }

    package func add(_ loss: BatchLoss, weight: Int) {
        total.add(loss.total, weight: weight)
        for (t, v) in zip(perOutput, loss.perOutput) { t.add(v, weight: weight) }
    }
}
