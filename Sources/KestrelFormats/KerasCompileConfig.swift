import Foundation
import KestrelCore
import KestrelNN

/// The `compile_config` that a compiled Keras 3 model keeps in its `.keras` file (optimizer,
/// loss, loss weights, metrics, weighted metrics; a legacy `.h5` file's `training_config` holds the same),
/// applied to the loaded model so that it evaluates and trains
/// on as the Keras model would. A model whose compile settings Kestrel cannot reproduce
/// (a custom loss, a metric object) is loaded uncompiled: prediction never depends on them.
enum KerasCompileConfig {
    /// Compiles `model` from `config` when every part maps to Kestrel; otherwise leaves it
    /// uncompiled.
    static func apply(_ config: Any?, to model: Model) {
        guard let config = config as? [String: Any] else { return }
        do {
            let optimizer = try optimizer(config["optimizer"])
            let losses = try lossList(config["loss"])
            let weights = (config["loss_weights"] as? [NSNumber])?.map(\.floatValue)
            try model.compile(optimizer: optimizer, losses: losses, lossWeights: weights, metrics: try metricNames(config["metrics"]),
                              weightedMetrics: try metricNames(config["weighted_metrics"]))
        } catch {
            return
        }
    }

    private static func optimizer(_ entry: Any?) throws -> Optimizer {
        if let name = entry as? String { return try Optimizers.named(name) }
        guard let object = entry as? [String: Any], let className = object["class_name"] as? String else {
            throw KestrelError(.unsupported, "compile_config: no optimizer")
        }
        return try Optimizers.fromKeras(className: className, config: object["config"] as? [String: Any] ?? [:])
    }

    private static func lossList(_ entry: Any?) throws -> [any Loss] {
        if let list = entry as? [Any] { return try list.map(loss) }
        return [try loss(entry as Any)]
    }

    private static func loss(_ entry: Any) throws -> any Loss {
        if let name = entry as? String { return try Losses.named(name) }
        guard let object = entry as? [String: Any], let className = object["class_name"] as? String else {
            throw KestrelError(.unsupported, "compile_config: a loss that is neither a name nor a Keras object")
        }
        return try Losses.fromKeras(className: className, config: object["config"] as? [String: Any] ?? [:])
    }

    /// Metric names of a single-output model, as `compile(metrics:)` takes them.
    private static func metricNames(_ entry: Any?) throws -> [String] {
        guard let list = entry as? [Any] else { return [] }
        return try list.map {
            guard let name = $0 as? String else { throw KestrelError(.unsupported, "compile_config: a metric object") }
            return name
        }
    }
}

extension Model {
    /// The `compile_config` Keras 3 would write for this model (nil before `compile`):
    /// optimizer and losses as Keras objects, loss weights, metric names.
    package var kerasCompileConfig: [String: Any]? {
        guard let optimizer, !losses.isEmpty else { return nil }
        func object(_ module: String, _ className: String, _ config: [String: Any]) -> [String: Any] {
            ["module": module, "class_name": className, "config": config, "registered_name": kerasNull]
        }
        let lossObjects = losses.map { object("keras.losses", $0.kerasClassName, $0.kerasConfig) }
        return [
            "optimizer": object("keras.optimizers", optimizer.kerasClassName, optimizer.kerasConfig),
            "loss": lossObjects.count == 1 ? lossObjects[0] : lossObjects,
            "loss_weights": lossWeights.map(Double.init),
            "metrics": (outputMetrics.first ?? []).map(\.name),
            "weighted_metrics": (outputWeightedMetrics.first ?? []).map(\.name),
            "run_eagerly": false, "steps_per_execution": 1, "jit_compile": false,
        ]
    }
}
