import KestrelCore

/// Sparse categorical cross-entropy (Keras `SparseCategoricalCrossentropy`): targets are
/// integer class ids stored as Float values, shape `(N)` or `(N, T)` against predictions
/// `(N, C)` or `(N, T, C)` (a trailing axis of size 1 on the targets is accepted). From
/// logits it is the fused `logSoftmax + pick` op; from probabilities Keras clips `p` to
/// [1e-7, 1 − 1e-7], takes the log and applies the same op, which amounts to
/// `−log(p_y / Σ p)`. With `ignoreClass`, positions holding that id add nothing and the
/// sum is divided by the number of the other positions, as Keras's loss mask does.
public struct SparseCategoricalCrossentropy: PreActivationAwareLoss {
    public var fromLogits: Bool
    public var ignoreClass: Int?
    public var name: String
    public var reduction: LossReduction

    public init(fromLogits: Bool = false, ignoreClass: Int? = nil, name: String = "sparse_categorical_crossentropy",
                reduction: LossReduction = .sumOverBatchSize) {
        self.fromLogits = fromLogits
        self.ignoreClass = ignoreClass
        self.name = name
        self.reduction = reduction
    }

    package init(kerasConfig r: KerasConfig) throws {
        try r.requireUnset("axis", orEqualTo: -1.0, what: "only the last axis is supported")
        self.init(fromLogits: try r.bool("from_logits", default: false),
                  ignoreClass: try r.optionalInt("ignore_class"),
                  name: try r.string("name", default: "sparse_categorical_crossentropy"),
                  reduction: try LossReduction(kerasConfig: r))
    }

    /// The targets with a trailing size-1 axis removed when they have the predictions' rank.
    private func squeezedLabels(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        yTrue.rank == yPred.rank && yTrue.shape.last == 1 ? yTrue.reshaped(Array(yTrue.shape.dropLast())) : yTrue
    }

    public func values(yTrue: Tensor, yPred: Tensor) -> Tensor {
        crossentropy(yTrue, yPred, fromLogits: fromLogits)
    }

    public func callAsFunction(yTrue: Tensor, yPred: Tensor, preActivation: Tensor?) -> Tensor {
        guard let preActivation else { return self(yTrue: yTrue, yPred: yPred) }
        let values = crossentropy(yTrue, preActivation, fromLogits: true)
        guard let mask = valueMask(yTrue: yTrue, yPred: yPred) else { return reduction.reduce(values) }
        return reduction.reduce(values * LossWeighting.weights(nil, mask: mask, scaledFor: reduction)!)
    }

    /// With `ignoreClass`, 0 where the label is that class (Keras's loss mask).
    public func valueMask(yTrue: Tensor, yPred: Tensor) -> Tensor? {
        guard let ignoreClass else { return nil }
        let ignored = Float(ignoreClass)
        let labels = squeezedLabels(yTrue, yPred)
        return Tensor(shape: labels.shape, scalars: labels.scalars.map { $0 == ignored ? 0 : 1 })
    }

    /// Per-position cross-entropy; ignored positions give 0.
    private func crossentropy(_ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool) -> Tensor {
        let labelTensor = squeezedLabels(yTrue, yPred)
        checkedPrecondition(labelTensor.shape == Array(yPred.shape.dropLast()),
                     "SparseCategoricalCrossentropy: y_true shape \(yTrue.shape) does not fit y_pred shape \(yPred.shape); call validate(yTrue:yPred:) for details")
        // A NaN or fractional id becomes -1, which the op reports as out of range.
        let labels = labelTensor.withUnsafeBufferPointer { $0.map { Int(exactly: $0) ?? -1 } }
        let logits = fromLogits ? yPred : log(clamp(yPred, min: ProbabilityClip.epsilon, max: ProbabilityClip.upper))
        return Tensor.sparseSoftmaxCrossEntropy(logits: logits, labels: labels, ignoredClass: ignoreClass)
    }

    public func validate(yTrue: Tensor, yPred: Tensor) throws {
        let labels = squeezedLabels(yTrue, yPred)
        let expected = Array(yPred.shape.dropLast())
        guard yPred.rank >= 1, labels.shape == expected else {
            throw KestrelError(.shapeMismatch,
                               "SparseCategoricalCrossentropy: y_true has shape \(yTrue.shape) but y_pred has shape \(yPred.shape); expected y_true of shape \(expected) holding one class id per position. For one-hot targets use CategoricalCrossentropy")
        }
        try validateFinite("SparseCategoricalCrossentropy", yTrue: yTrue, yPred: yPred)
        let classes = yPred.shape.last ?? 0
        let bad = labels.withUnsafeBufferPointer { ids in
            ids.enumerated().first { _, v in
                v.rounded() != v || ((Int(exactly: v) ?? -1) != ignoreClass && (v < 0 || v >= Float(classes)))
            }
        }
        if let (index, value) = bad {
            throw KestrelError(.invalidData,
                               "SparseCategoricalCrossentropy: y_true[\(index)] = \(value) is not a class id in [0, \(classes)) (y_pred has \(classes) classes on its last axis); re-encode the labels as integers 0..<\(classes) or widen the output layer")
        }
    }

    public var kerasClassName: String { "SparseCategoricalCrossentropy" }
    public var kerasConfig: [String: Any] {
        ["name": name, "reduction": reduction.rawValue, "from_logits": fromLogits,
         "ignore_class": ignoreClass.map { $0 as Any } ?? kerasNull, "axis": -1]
    }
}
