import Foundation
import KestrelCore

/// The one mapping from Keras layer configs to Kestrel layers, shared by the conformance
/// runner, model loading and Keras import.
public enum KerasLayerRegistry {
    /// Builds the layer a Keras `{"class_name", "config"}` pair describes.
    public static func makeLayer(className: String, config values: [String: Any]) throws -> Layer {
        let c = KerasConfig(className: className, values: values)
        guard let make = builders[className] else {
            throw KestrelError(.unsupported, "Keras layer \(className) is not supported by Kestrel yet (supported: \(builders.keys.sorted().joined(separator: ", ")))")
        }
        try validateSizes(c)
        let layer = try make(c)
        if let trainable = values["trainable"] as? Bool { layer.trainable = trainable }
        return layer
    }

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

    /// Turns one Keras layer config into a Kestrel layer.
    public typealias Builder = (KerasConfig) throws -> Layer

    /// Every known class: the core layers here, convolutional and recurrent ones in their
    /// own files.
    private static let builders: [String: Builder] = coreBuilders
        .merging(convolutionBuilders) { a, _ in a }
        .merging(recurrentBuilders) { a, _ in a }

    private static let coreBuilders: [String: Builder] = [
        "InputLayer": { c in
            let shape: [Int]
            if let batchShape = (c.values["batch_shape"] ?? c.values["batch_input_shape"]) as? [Any] {
                shape = batchShape.dropFirst().compactMap { ($0 as? NSNumber)?.intValue }
                guard shape.count == batchShape.count - 1 else { throw c.error("batch_shape", "[null, sizes…] with known sizes") }
            } else {
                shape = try c.ints("shape")
            }
            return Input(shape: shape, name: c.name)
        },
        "Dense": { c in
            try c.rejectUnlessNull("activity_regularizer", "kernel_constraint", "bias_constraint", "quantization_config")
            return Dense(try c.int("units"), activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                         kernelInitializer: try c.initializer("kernel_initializer", default: GlorotUniform()),
                         biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                         kernelRegularizer: try c.regularizer("kernel_regularizer"),
                         biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
        },
        "Activation": { c in Activation(try c.activation(), name: c.name) },
        "ReLU": { c in
            ReLU(maxValue: try c.optionalFloat("max_value"), negativeSlope: try c.float("negative_slope", default: 0),
                 threshold: try c.float("threshold", default: 0), name: c.name)
        },
        "LeakyReLU": { c in LeakyReLU(negativeSlope: try c.float("negative_slope", default: 0.3), name: c.name) },
        "ELU": { c in ELU(alpha: try c.float("alpha", default: 1), name: c.name) },
        "Softmax": { c in Softmax(axis: try c.int("axis", default: -1), name: c.name) },
        "Dropout": { c in
            try c.rejectUnlessNull("noise_shape")
            return Dropout(try c.float("rate"), name: c.name)
        },
        "Flatten": { c in
            try c.rejectUnless("data_format", is: "channels_last")
            return Flatten(name: c.name)
        },
        "Reshape": { c in Reshape(try c.ints("target_shape"), name: c.name) },
        "Permute": { c in Permute(try c.ints("dims"), name: c.name) },
        "RepeatVector": { c in RepeatVector(try c.int("n"), name: c.name) },
        "Add": { c in Add(name: c.name) },
        "Subtract": { c in Subtract(name: c.name) },
        "Multiply": { c in Multiply(name: c.name) },
        "Average": { c in Average(name: c.name) },
        "Maximum": { c in Maximum(name: c.name) },
        "Minimum": { c in Minimum(name: c.name) },
        "Concatenate": { c in Concatenate(axis: try c.int("axis", default: -1), name: c.name) },
    ]
}
