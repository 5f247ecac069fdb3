import KestrelCore

/// Keras config → Kestrel layer for the recurrent family (SimpleRNN, LSTM, GRU,
/// Bidirectional, TimeDistributed, Embedding, Masking).
extension KerasLayerRegistry {
    package static let recurrentBuilders: [String: Builder] = [
        "SimpleRNN": { c in SimpleRNN(options: try recurrentOptions(c), name: c.name) },
        "LSTM": { c in LSTM(options: try recurrentOptions(c), name: c.name) },
        "GRU": { c in GRU(options: try recurrentOptions(c), name: c.name) },
        "Bidirectional": { c in
            let mode = c.isNull("merge_mode") ? nil : try Bidirectional.MergeMode(rawValue: try c.string("merge_mode"))
                ?? { throw c.error("merge_mode", "concat, sum, mul, ave or null") }()
            let forward = try recurrentLayer(c, key: "layer")
            if c.isNull("backward_layer") {
                return Bidirectional(forward, mergeMode: mode, name: c.name)
            }
            return Bidirectional(forward: forward, backward: try recurrentLayer(c, key: "backward_layer"), mergeMode: mode, name: c.name)
        },
        "TimeDistributed": { c in TimeDistributed(try nestedLayer(c, key: "layer"), name: c.name) },
        "Embedding": { c in
            try c.rejectUnlessNull("activity_regularizer", "embeddings_constraint", "quantization_config")
            return Embedding(inputDim: try c.int("input_dim"), outputDim: try c.int("output_dim"),
                             maskZero: try c.bool("mask_zero", default: false),
                             embeddingsInitializer: try c.initializer("embeddings_initializer", default: RandomUniform()),
                             embeddingsRegularizer: try c.regularizer("embeddings_regularizer"), name: c.name)
        },
        "Masking": { c in Masking(maskValue: try c.float("mask_value", default: 0), name: c.name) },
    ]

    /// The options SimpleRNN, LSTM and GRU configs share (absent keys take Keras defaults).
    package static func recurrentOptions(_ c: KerasConfig) throws -> RecurrentConfiguration {
        try c.rejectUnlessNull("activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint")
        var o = RecurrentConfiguration(units: try c.int("units"))
        o.activation = c.values["activation"] == nil ? .tanh : try c.activation()
        o.recurrentActivation = c.values["recurrent_activation"] == nil ? .sigmoid : try c.activation("recurrent_activation")
        o.useBias = try c.bool("use_bias", default: true)
        o.returnSequences = try c.bool("return_sequences", default: false)
        o.returnState = try c.bool("return_state", default: false)
        o.goBackwards = try c.bool("go_backwards", default: false)
        o.stateful = try c.bool("stateful", default: false)
        o.zeroOutputForMask = try c.bool("zero_output_for_mask", default: false)
        o.unitForgetBias = try c.bool("unit_forget_bias", default: true)
        o.resetAfter = try c.bool("reset_after", default: true)
        o.dropout = try c.float("dropout", default: 0)
        o.recurrentDropout = try c.float("recurrent_dropout", default: 0)
        guard o.dropout >= 0, o.dropout < 1 else { throw c.error("dropout", "a rate in [0, 1)") }
        guard o.recurrentDropout >= 0, o.recurrentDropout < 1 else { throw c.error("recurrent_dropout", "a rate in [0, 1)") }
        o.kernelInitializer = try c.initializer("kernel_initializer", default: GlorotUniform())
        o.recurrentInitializer = try c.initializer("recurrent_initializer", default: Orthogonal())
        o.biasInitializer = try c.initializer("bias_initializer", default: Zeros())
        o.kernelRegularizer = try c.regularizer("kernel_regularizer")
        o.recurrentRegularizer = try c.regularizer("recurrent_regularizer")
        o.biasRegularizer = try c.regularizer("bias_regularizer")
        guard o.units > 0 else { throw c.error("units", "a positive integer") }
        return o
    }

    /// The layer a wrapper's config nests under `key` (`{"class_name", "config"}`).
    package static func nestedLayer(_ c: KerasConfig, key: String) throws -> Layer {
        guard let nested = c.values[key] as? [String: Any], let className = nested["class_name"] as? String,
              let config = nested["config"] as? [String: Any] else {
            throw c.error(key, "a nested layer {\"class_name\": …, \"config\": …}")
        }
        return try makeLayer(className: className, config: config)
    }

    package static func recurrentLayer(_ c: KerasConfig, key: String) throws -> RecurrentLayer {
        guard let layer = try nestedLayer(c, key: key) as? RecurrentLayer else {
            throw c.error(key, "a SimpleRNN, LSTM or GRU layer")
        }
        return layer
    }
}
