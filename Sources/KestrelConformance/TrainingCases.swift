import KestrelCore
import KestrelNN
import KestrelFormats

/// Conformance runners for the loss, optimizer and whole-model fixture kinds.
extension ConformanceRunner {
    /// A loss case: `loss` and `dy_pred` = d(loss)/d(y_pred) from the stored targets.
    static func runLoss(_ c: ConformanceCase) throws -> ConformanceOutcome {
        let loss = try Losses.fromKeras(className: c.className, config: try c.config)
        let yTrue = try c.tensor("y_true")
        let yPred = try c.tensor("y_pred").requiringGradient()
        let value = loss(yTrue: yTrue, yPred: yPred)
        var comparison = ConformanceComparison(atol: c.atol, rtol: c.rtol)
        comparison.compare("loss", got: value, want: try c.tensor("loss"))
        let grad = Tensor.gradients(of: value, withRespectTo: [yPred])[0]
        comparison.compare("dy_pred", got: grad, want: try c.tensor("dy_pred"))
        return comparison.outcome
    }

    /// An optimizer case: one optimizer, three steps from `w0` with gradients `g1…g3`.
    static func runOptimizer(_ c: ConformanceCase) throws -> ConformanceOutcome {
        let optimizer = try Optimizers.fromKeras(className: c.className, config: try c.config)
        let w = Parameter(name: "w", value: try c.tensor("w0"))
        var comparison = ConformanceComparison(atol: c.atol, rtol: c.rtol)
        var step = 1
        while c.has("g\(step)") && c.has("w\(step)") {
            try optimizer.apply(gradients: [try c.tensor("g\(step)")], to: [w])
            comparison.compare("w\(step)", got: w.value, want: try c.tensor("w\(step)"))
            step += 1
        }
        return comparison.outcome
    }

    /// A model case: logits from `model(x, training=True)`, the mean sparse cross-entropy,
    /// its gradients, and the weights after one optimizer step.
    static func runModel(_ c: ConformanceCase) throws -> ConformanceOutcome {
        let model = try Model.fromConfig(["class_name": c.className, "config": try c.config])
        try model.ensureBuilt()
        let weightNames = try c.metaList("weights")
        guard weightNames.count == model.weights.count else {
            return .failed(reason: "the model has \(model.weights.count) weights, the fixture \(weightNames.count)", maxAbsoluteError: .nan, maxRelativeError: .nan)
        }
        for (p, name) in zip(model.weights, weightNames) { try p.assign(try c.tensor(name)) }
        guard let lossConfig = try c.metaJSON("loss_config") as? [String: Any],
              let optimizerConfig = try c.metaJSON("optimizer_config") as? [String: Any] else {
            throw KestrelError(.invalidFile, "conformance: model case \(c.name) lacks loss_config or optimizer_config")
        }
        let loss = try Losses.fromKeras(className: lossConfig["class_name"] as? String ?? "", config: lossConfig["config"] as? [String: Any] ?? [:])
        let optimizer = try Optimizers.fromKeras(className: optimizerConfig["class_name"] as? String ?? "", config: optimizerConfig["config"] as? [String: Any] ?? [:])
        let x = try c.tensor("x").requiringGradient()
        let labels = try c.tensor("labels")
        let y = try model(x, training: true)
        let value = loss(yTrue: labels, yPred: y)
        var comparison = ConformanceComparison(atol: c.atol, rtol: c.rtol)
        comparison.compare("y", got: y, want: try c.tensor("y"))
        comparison.compare("loss", got: value, want: try c.tensor("loss"))
        let parameters = model.weights
        let grads = Tensor.gradients(of: value, withRespectTo: [x] + parameters.map(\.value))
        comparison.compare("dx", got: grads[0], want: try c.tensor("dx"))
        for (k, name) in weightNames.enumerated() {
            comparison.compare("d" + name, got: grads[k + 1], want: try c.tensor("d" + name))
        }
        try optimizer.apply(gradients: Array(grads.dropFirst()), to: parameters)
        for (p, name) in zip(parameters, weightNames) {
            comparison.compare(name.replacingOccurrences(of: "w/", with: "w_after/"), got: p.value,
                               want: try c.tensor(name.replacingOccurrences(of: "w/", with: "w_after/")))
        }
        return comparison.outcome
    }
}
