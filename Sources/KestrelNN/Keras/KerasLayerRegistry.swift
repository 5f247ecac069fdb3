import Foundation
import KestrelCore

/// The one mapping from Keras class names to Kestrel layer types, shared by the conformance
/// runner, model loading and Keras import.
public enum KerasLayerRegistry {
    /// Builds the layer a Keras `{"class_name", "config"}` pair describes.
    public static func makeLayer(className: String, config values: [String: Any]) throws -> Layer {
        let c = KerasConfig(className: className, values: values)
        guard let make = builders[className] else {
            throw KestrelError(.unsupported, "Keras layer \(className) is not supported by Kestrel yet (supported: \(builders.keys.sorted().joined(separator: ", ")))")
        }
        try validateSizes(c)
        let layer = try make.fromKeras(c)
        if let trainable = c["trainable"] as? Bool { layer.trainable = trainable }
        if let seed = try c.optionalInt("seed") {
            guard seed >= 0 else { throw c.error("seed", "a non-negative integer or null") }
            layer.generator = RandomGenerator(seed: UInt64(seed))
        }
        try c.requireEveryKeyRead(ignoring: keysWithoutMeaning)
        return layer
    }

    /// Keys any Keras layer config may carry that change nothing Kestrel computes: the dtype
    /// policy (Kestrel computes in float32), the input shape a first layer was declared with
    /// (the model's input carries it) and Keras's internal autocast switch.
    private static let keysWithoutMeaning: Set<String> = ["name", "dtype", "batch_input_shape", "batch_shape", "autocast"]

    public static var supportedClassNames: [String] { builders.keys.sorted() }

    /// Sizes and rates that layer initialisers treat as programming errors are checked here,
    /// so a bad config throws instead of stopping the program.
    package static func validateSizes(_ c: KerasConfig) throws {
        let positive = ["units", "filters", "kernel_size", "pool_size", "strides", "dilation_rate", "size", "n",
                        "input_dim", "output_dim", "depth_multiplier"]
        for key in positive where !c.isNull(key) {
            let numbers = (c.values[key] as? [NSNumber]) ?? (c.values[key] as? NSNumber).map { [$0] } ?? []
            if numbers.contains(where: { $0.doubleValue < 1 || $0.doubleValue != $0.doubleValue.rounded() }) {
                throw KestrelError(.invalidArgument, "\(c.className) config: \"\(key)\" must hold positive integers, got \(c.values[key]!)")
            }
        }
        for key in ["rate", "dropout", "recurrent_dropout"] where !c.isNull(key) {
            guard let r = (c.values[key] as? NSNumber)?.doubleValue, r >= 0, r < 1 else {
                throw KestrelError(.invalidArgument, "\(c.className) config: \"\(key)\" must be a number in [0, 1), got \(c.values[key]!)")
            }
        }
    }

    /// Every layer class Kestrel reads from Keras configs. Each reads its own config in its
    /// file (`fromKeras`), next to `configuration`, which writes it; add a new layer here.
    public static let layerTypes: [any KerasReadableLayer.Type] = [
        Input.self, Dense.self, Activation.self, ReLU.self, LeakyReLU.self, ELU.self,
        Softmax.self, Dropout.self, Flatten.self, Reshape.self, Permute.self, RepeatVector.self,
        Add.self, Subtract.self, Multiply.self, Average.self, Maximum.self, Minimum.self,
        Concatenate.self, Conv1D.self, Conv2D.self, Conv2DTranspose.self, DepthwiseConv2D.self, SeparableConv2D.self,
        MaxPooling2D.self, AveragePooling2D.self, MaxPooling1D.self, AveragePooling1D.self, GlobalMaxPooling2D.self, GlobalAveragePooling2D.self,
        GlobalMaxPooling1D.self, GlobalAveragePooling1D.self, ZeroPadding2D.self, ZeroPadding1D.self, Cropping2D.self, Cropping1D.self,
        UpSampling2D.self, UpSampling1D.self, BatchNormalization.self, LayerNormalization.self, SimpleRNN.self, LSTM.self,
        GRU.self, Bidirectional.self, TimeDistributed.self, Embedding.self, Masking.self,
        RNN.self, SimpleRNNCell.self, LSTMCell.self, GRUCell.self, StackedRNNCells.self,
        Attention.self, AdditiveAttention.self, MultiHeadAttention.self, Dot.self, ConvLSTM1D.self, ConvLSTM2D.self,
        Conv3D.self, Conv3DTranspose.self, Conv1DTranspose.self, SeparableConv1D.self, DepthwiseConv1D.self,
        MaxPooling3D.self, AveragePooling3D.self, GlobalMaxPooling3D.self, GlobalAveragePooling3D.self,
        UpSampling3D.self, ZeroPadding3D.self, Cropping3D.self,
        Rescaling.self, Normalization.self, Resizing.self, CenterCrop.self,
    ]

    private static let builders: [String: any KerasReadableLayer.Type] =
        Dictionary(uniqueKeysWithValues: layerTypes.map { ($0.kerasClassName, $0) })
}

/// A layer Keras configs can describe: its file reads the config (`fromKeras`) next to the
/// `configuration` that writes it, so one file holds the layer's whole Keras contract.
public protocol KerasReadableLayer: Layer {
    /// The layer a Keras `get_config()` describes; absent keys take the layer's defaults.
    static func fromKeras(_ config: KerasConfig) throws -> Layer
}

/// Nested layers inside wrapper configs (Bidirectional, TimeDistributed).
extension KerasConfig {
    /// The layer a wrapper's config nests under `key` (`{"class_name", "config"}`).
    package func nestedLayer(_ key: String) throws -> Layer {
        guard let nested = self[key] as? [String: Any], let className = nested["class_name"] as? String,
              let config = nested["config"] as? [String: Any] else {
            throw error(key, "a nested layer {\"class_name\": …, \"config\": …}")
        }
        return try KerasLayerRegistry.makeLayer(className: className, config: config)
    }

    /// The SimpleRNN, LSTM or GRU a wrapper's config nests under `key`.
    package func nestedRecurrentLayer(_ key: String) throws -> RecurrentLayer {
        guard let layer = try nestedLayer(key) as? RecurrentLayer else {
            throw error(key, "a SimpleRNN, LSTM or GRU layer")
        }
        return layer
    }
}
