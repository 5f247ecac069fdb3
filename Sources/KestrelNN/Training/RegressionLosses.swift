import KestrelCore

/// Regression losses: the mean over the last axis of an element-wise error, then the
/// reduction over the remaining (sample) positions, as Keras 3 computes them.

/// Mean of the squared error (Keras `MeanSquaredError`, `"mse"`).
public struct MeanSquaredError: Loss {
    public var name: String
    public var reduction: LossReduction

    public init(name: String = "mean_squared_error", reduction: LossReduction = .sumOverBatchSize) {
        self.name = name
        self.reduction = reduction
    }

    package init(kerasConfig r: KerasConfig) throws {
        self.init(name: try r.string("name", default: "mean_squared_error"), reduction: try LossReduction(kerasConfig: r))
    }

    public func values(yTrue: Tensor, yPred: Tensor) -> Tensor {
        let (t, p) = alignedRanks(yTrue, yPred)
        let e = p - t
        return (e * e).mean(alongAxis: -1)
    }

    public func validate(yTrue: Tensor, yPred: Tensor) throws {
        try validateSameShape("MeanSquaredError", yTrue: yTrue, yPred: yPred, targetHint: "one target value per output")
    }

    public var kerasClassName: String { "MeanSquaredError" }
    public var kerasConfig: [String: Any] { ["name": name, "reduction": reduction.rawValue] }
}

/// Mean of the absolute error (Keras `MeanAbsoluteError`, `"mae"`); the gradient at a zero
/// error is 0, as TensorFlow's.
public struct MeanAbsoluteError: Loss {
    public var name: String
    public var reduction: LossReduction

    public init(name: String = "mean_absolute_error", reduction: LossReduction = .sumOverBatchSize) {
        self.name = name
        self.reduction = reduction
    }

    package init(kerasConfig r: KerasConfig) throws {
        self.init(name: try r.string("name", default: "mean_absolute_error"), reduction: try LossReduction(kerasConfig: r))
    }

    public func values(yTrue: Tensor, yPred: Tensor) -> Tensor {
        let (t, p) = alignedRanks(yTrue, yPred)
        return abs(p - t).mean(alongAxis: -1)
    }

    public func validate(yTrue: Tensor, yPred: Tensor) throws {
        try validateSameShape("MeanAbsoluteError", yTrue: yTrue, yPred: yPred, targetHint: "one target value per output")
    }

    public var kerasClassName: String { "MeanAbsoluteError" }
    public var kerasConfig: [String: Any] { ["name": name, "reduction": reduction.rawValue] }
}

/// Huber loss (Keras `Huber`): `0.5 e²` where `|e| <= delta`, else `delta |e| − 0.5 delta²`;
/// quadratic near the target and linear far from it, so outliers pull less than in MSE.
public struct Huber: Loss {
    public var delta: Double
    public var name: String
    public var reduction: LossReduction

    public init(delta: Double = 1, name: String = "huber_loss", reduction: LossReduction = .sumOverBatchSize) {
        self.delta = delta
        self.name = name
        self.reduction = reduction
    }

    package init(kerasConfig r: KerasConfig) throws {
        self.init(delta: try r.double("delta", default: 1), name: try r.string("name", default: "huber_loss"),
                  reduction: try LossReduction(kerasConfig: r))
    }

    public func values(yTrue: Tensor, yPred: Tensor) -> Tensor {
        let (t, p) = alignedRanks(yTrue, yPred)
        let e = p - t
        let absError = abs(e)
        let quadratic = 0.5 * (e * e)
        let d = Float(delta)
        let linear = d * absError - 0.5 * (d * d)
        return `where`(absError.detached() .<= d, quadratic, linear).mean(alongAxis: -1)
    }

    public func validate(yTrue: Tensor, yPred: Tensor) throws {
        try validateSameShape("Huber", yTrue: yTrue, yPred: yPred, targetHint: "one target value per output")
    }

    public var kerasClassName: String { "Huber" }
    /// Includes `delta`, which Keras 3.15's own `get_config()` leaves out.
    public var kerasConfig: [String: Any] { ["name": name, "reduction": reduction.rawValue, "delta": delta] }
}
