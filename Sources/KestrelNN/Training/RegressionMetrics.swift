import KestrelCore

/// Regression metrics: the per-sample mean over the last axis of an element-wise error,
/// averaged over all samples seen (Keras `MeanAbsoluteError` / `MeanSquaredError` metrics).

/// Running mean absolute error (Keras metric `MeanAbsoluteError`, `"mae"`).
public final class MeanAbsoluteErrorMetric: MeanMetric {
    public init(name: String = "mean_absolute_error") {
        super.init(name: name) { yTrue, yPred in
            let (t, p) = alignedRanks(yTrue, yPred)
            return abs(p - t).mean(alongAxis: -1)
        }
    }
}

/// Running mean squared error (Keras metric `MeanSquaredError`, `"mse"`).
public final class MeanSquaredErrorMetric: MeanMetric {
    public init(name: String = "mean_squared_error") {
        super.init(name: name) { yTrue, yPred in
            let (t, p) = alignedRanks(yTrue, yPred)
            let e = p - t
            return (e * e).mean(alongAxis: -1)
        }
    }
}
