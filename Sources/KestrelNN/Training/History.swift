import KestrelCore

/// What `fit` returns: per-epoch values of the loss and every metric, for training
/// (`loss`, `accuracy`) and validation (`val_loss`, `val_accuracy`), as Keras's History.
public final class History {
    /// Metric name → one value per completed epoch.
    public private(set) var history: [String: [Float]] = [:]
    /// Indices of the completed epochs.
    public private(set) var epochs: [Int] = []

    public init() {}

    package func record(epoch: Int, logs: [String: Float]) {
        epochs.append(epoch)
        for (key, value) in logs { history[key, default: []].append(value) }
    }

    public subscript(_ key: String) -> [Float]? { history[key] }
}
