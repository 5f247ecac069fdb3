import KestrelCore

/// Categorical cross-entropy (Keras `CategoricalCrossentropy`) for one-hot (or soft)
/// targets over the last axis. From probabilities it first divides `p` by its row sum,
/// then clips to [1e-7, 1 − 1e-7] and computes `−Σ y log p` (the gradient includes the
/// renormalisation); from logits it is `−Σ y logSoftmax(z)`. Label smoothing replaces `y`
/// with `y(1 − ls) + ls / classes`.
public struct CategoricalCrossentropy: PreActivationAwareLoss {
    public var fromLogits: Bool
    public var labelSmoothing: Double
    public var name: String
    public var reduction: LossReduction

    public init(fromLogits: Bool = false, labelSmoothing: Double = 0, name: String = "categorical_crossentropy",
                reduction: LossReduction = .sumOverBatchSize) {
        self.fromLogits = fromLogits
        self.labelSmoothing = labelSmoothing
        self.name = name
        self.reduction = reduction
    }

    package init(kerasConfig r: KerasConfig) throws {
        try r.requireUnset("axis", orEqualTo: -1.0, what: "only the last axis is supported")
        self.init(fromLogits: try r.bool("from_logits", default: false),
                  labelSmoothing: try r.double("label_smoothing", default: 0),
                  name: try r.string("name", default: "categorical_crossentropy"),
                  reduction: try LossReduction(kerasConfig: r))
    }

    public func values(yTrue: Tensor, yPred: Tensor) -> Tensor {
        crossentropy(yTrue, yPred, fromLogits: fromLogits)
    }

    public func callAsFunction(yTrue: Tensor, yPred: Tensor, preActivation: Tensor?) -> Tensor {
        guard let preActivation else { return self(yTrue: yTrue, yPred: yPred) }
        return reduction.reduce(crossentropy(yTrue, preActivation, fromLogits: true))
    }

    private func crossentropy(_ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool) -> Tensor {
        var (t, p) = alignedRanks(yTrue, yPred)
        t = t.detached()
        if labelSmoothing != 0 {
            let classes = Float(p.shape.last ?? 1)
            t = t * Float(1 - labelSmoothing) + Float(labelSmoothing) / classes
        }
        let logProbabilities: Tensor
        if fromLogits {
            logProbabilities = logSoftmax(p, alongAxis: -1)
        } else {
            let normalised = p / p.sum(alongAxis: -1, keepingDimensions: true)
            logProbabilities = log(clamp(normalised, min: ProbabilityClip.epsilon, max: ProbabilityClip.upper))
        }
        return -(t * logProbabilities).sum(alongAxis: -1)
    }

    public func validate(yTrue: Tensor, yPred: Tensor) throws {
        try validateSameShape("CategoricalCrossentropy", yTrue: yTrue, yPred: yPred,
                              targetHint: "one-hot rows with one entry per class; for integer class ids use SparseCategoricalCrossentropy")
    }

    public var kerasClassName: String { "CategoricalCrossentropy" }
    public var kerasConfig: [String: Any] {
        ["name": name, "reduction": reduction.rawValue, "from_logits": fromLogits,
         "label_smoothing": labelSmoothing, "axis": -1]
    }
}
