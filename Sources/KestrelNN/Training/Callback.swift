import KestrelCore

/// Hooks into `fit` (Keras callbacks): each method is called at the matching point of
/// training with the current logs (`loss`, metrics, and `val_…` at epoch end). All hooks
/// have empty default implementations, so a callback implements only what it needs.
public protocol Callback: AnyObject {
    func onTrainBegin(model: Model) throws
    func onTrainEnd(model: Model, logs: [String: Float]) throws
    func onEpochBegin(model: Model, epoch: Int) throws
    func onEpochEnd(model: Model, epoch: Int, logs: [String: Float]) throws
    func onBatchBegin(model: Model, batch: Int) throws
    func onBatchEnd(model: Model, batch: Int, logs: [String: Float]) throws
    /// Where it runs when `fit` is data-parallel (default: on every rank).
    var placement: CallbackPlacement { get }
}

/// Where a callback runs in a data-parallel `fit`: callbacks that steer training run on every
/// rank (they see the same reduced logs, so they decide alike); those that write files run on
/// rank 0 only, so ranks do not write over each other.
public enum CallbackPlacement: Sendable {
    case everyRank
    case rankZero
    /// Refuses data-parallel training (it would need every rank to resume alike).
    case singleProcess
}

extension Callback {
    public func onTrainBegin(model: Model) throws {}
    public func onTrainEnd(model: Model, logs: [String: Float]) throws {}
    public func onEpochBegin(model: Model, epoch: Int) throws {}
    public func onEpochEnd(model: Model, epoch: Int, logs: [String: Float]) throws {}
    public func onBatchBegin(model: Model, batch: Int) throws {}
    public func onBatchEnd(model: Model, batch: Int, logs: [String: Float]) throws {}
    public var placement: CallbackPlacement { .everyRank }
}

/// Whether a monitored quantity improves by going down (loss) or up (accuracy). `auto`
/// decides from the name as Keras does: names containing "acc", "auc" or "precision"… go up.
public enum MonitorMode: String {
    case auto, min, max

    package func resolved(for monitor: String) -> MonitorMode {
        guard self == .auto else { return self }
        let upward = ["acc", "accuracy", "auc", "precision", "recall", "top_k"]
        return upward.contains { monitor.hasSuffix($0) || monitor.contains("_\($0)") || monitor == $0 } ? .max : .min
    }

    /// True when `value` beats `reference` by more than `minDelta`.
    package func improves(_ value: Float, on reference: Float, minDelta: Float) -> Bool {
        switch self {
        case .max: return value - Swift.abs(minDelta) > reference
        default: return value + Swift.abs(minDelta) < reference
        }
    }

    package var worst: Float { self == .max ? -.infinity : .infinity }
}

/// Reads the monitored value from the logs, or throws naming what is available.
package func monitoredValue(_ monitor: String, in logs: [String: Float], by callback: String) throws -> Float? {
    if let v = logs[monitor] { return v }
    if logs.keys.contains(where: { $0.hasPrefix("val_") }) || !monitor.hasPrefix("val_") {
        throw KestrelError(.invalidArgument, "\(callback): monitored value \"\(monitor)\" is not in the logs (available: \(logs.keys.sorted().joined(separator: ", ")))")
    }
    return nil  // no validation data this epoch
}
