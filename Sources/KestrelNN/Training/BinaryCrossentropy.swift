import KestrelCore

/// Binary cross-entropy (Keras `BinaryCrossentropy`) for independent yes/no outputs.
/// From probabilities it clips to [1e-7, 1 − 1e-7] (clipped elements get no gradient) and
/// computes `−(y log p + (1−y) log(1−p))`; from logits it uses the fused stable form. Label
/// smoothing replaces `y` with `y(1 − ls) + 0.5 ls`. The element losses are averaged over
/// the last axis, then reduced.
public struct BinaryCrossentropy: PreActivationAwareLoss {
    public var fromLogits: Bool
    public var labelSmoothing: Double
    public var name: String
    public var reduction: LossReduction

    public init(fromLogits: Bool = false, labelSmoothing: Double = 0, name: String = "binary_crossentropy",
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
                  name: try r.string("name", default: "binary_crossentropy"),
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
        if labelSmoothing != 0 { t = t * Float(1 - labelSmoothing) + Float(0.5 * labelSmoothing) }
        let elementLoss: Tensor
        if fromLogits {
            elementLoss = Tensor.sigmoidCrossEntropy(logits: p, labels: t.broadcast(to: p.shape))
        } else {
            let q = clamp(p, min: ProbabilityClip.epsilon, max: ProbabilityClip.upper)
            elementLoss = -(t * log(q) + (1 - t) * log(1 - q))
        }
        return elementLoss.mean(alongAxis: -1)
    }

    public func validate(yTrue: Tensor, yPred: Tensor) throws {
        try validateSameShape("BinaryCrossentropy", yTrue: yTrue, yPred: yPred,
                              targetHint: "one 0/1 label per output unit")
    }

    public var kerasClassName: String { "BinaryCrossentropy" }
    public var kerasConfig: [String: Any] {
        ["name": name, "reduction": reduction.rawValue, "from_logits": fromLogits,
         "label_smoothing": labelSmoothing, "axis": -1]
    }
}
