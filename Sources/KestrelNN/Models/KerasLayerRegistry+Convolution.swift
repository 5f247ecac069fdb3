import Foundation
import KestrelCore

/// Keras config → Kestrel layer for the convolutional family (convolutions, pooling,
/// padding, cropping, upsampling, normalization).
extension KerasLayerRegistry {
    package static let convolutionBuilders: [String: Builder] = [
        "Conv1D": { c in
            try ConvolutionConfig.checkCommon(c)
            return Conv1D(try c.int("filters"), kernelSize: try c.ints("kernel_size", count: 1)[0],
                          strides: try c.ints("strides", count: 1, default: [1])[0],
                          padding: try ConvolutionConfig.padding(c, allowCausal: true),
                          dilationRate: try c.ints("dilation_rate", count: 1, default: [1])[0],
                          activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                          kernelInitializer: try c.initializer("kernel_initializer", default: GlorotUniform()),
                          biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                          kernelRegularizer: try c.regularizer("kernel_regularizer"),
                          biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
        },
        "Conv2D": { c in
            try ConvolutionConfig.checkCommon(c)
            return Conv2D(try c.int("filters"), kernelSize: try ConvolutionConfig.pair(c, "kernel_size"),
                          strides: try ConvolutionConfig.pair(c, "strides", default: 1), padding: try ConvolutionConfig.padding(c),
                          dilationRate: try ConvolutionConfig.pair(c, "dilation_rate", default: 1),
                          activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                          kernelInitializer: try c.initializer("kernel_initializer", default: GlorotUniform()),
                          biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                          kernelRegularizer: try c.regularizer("kernel_regularizer"),
                          biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
        },
        "Conv2DTranspose": { c in
            try ConvolutionConfig.checkCommon(c)
            try c.rejectUnlessNull("output_padding")
            return Conv2DTranspose(try c.int("filters"), kernelSize: try ConvolutionConfig.pair(c, "kernel_size"),
                                   strides: try ConvolutionConfig.pair(c, "strides", default: 1),
                                   padding: try ConvolutionConfig.padding(c),
                                   dilationRate: try ConvolutionConfig.pair(c, "dilation_rate", default: 1),
                                   activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                                   kernelInitializer: try c.initializer("kernel_initializer", default: GlorotUniform()),
                                   biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                                   kernelRegularizer: try c.regularizer("kernel_regularizer"),
                                   biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
        },
        "DepthwiseConv2D": { c in
            try ConvolutionConfig.checkCommon(c, kernel: "depthwise")
            return DepthwiseConv2D(kernelSize: try ConvolutionConfig.pair(c, "kernel_size"),
                                   strides: try ConvolutionConfig.pair(c, "strides", default: 1),
                                   padding: try ConvolutionConfig.padding(c), depthMultiplier: try c.int("depth_multiplier", default: 1),
                                   dilationRate: try ConvolutionConfig.pair(c, "dilation_rate", default: 1),
                                   activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                                   depthwiseInitializer: try c.initializer("depthwise_initializer", default: GlorotUniform()),
                                   biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                                   depthwiseRegularizer: try c.regularizer("depthwise_regularizer"),
                                   biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
        },
        "SeparableConv2D": { c in
            try ConvolutionConfig.checkCommon(c, kernel: "depthwise")
            try c.rejectUnlessNull("pointwise_constraint")
            return SeparableConv2D(try c.int("filters"), kernelSize: try ConvolutionConfig.pair(c, "kernel_size"),
                                   strides: try ConvolutionConfig.pair(c, "strides", default: 1),
                                   padding: try ConvolutionConfig.padding(c), depthMultiplier: try c.int("depth_multiplier", default: 1),
                                   dilationRate: try ConvolutionConfig.pair(c, "dilation_rate", default: 1),
                                   activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
                                   depthwiseInitializer: try c.initializer("depthwise_initializer", default: GlorotUniform()),
                                   pointwiseInitializer: try c.initializer("pointwise_initializer", default: GlorotUniform()),
                                   biasInitializer: try c.initializer("bias_initializer", default: Zeros()),
                                   depthwiseRegularizer: try c.regularizer("depthwise_regularizer"),
                                   pointwiseRegularizer: try c.regularizer("pointwise_regularizer"),
                                   biasRegularizer: try c.regularizer("bias_regularizer"), name: c.name)
        },
        "MaxPooling2D": { c in
            let (pool, strides, padding) = try ConvolutionConfig.pooling2D(c)
            return MaxPooling2D(poolSize: pool, strides: strides, padding: padding, name: c.name)
        },
        "AveragePooling2D": { c in
            let (pool, strides, padding) = try ConvolutionConfig.pooling2D(c)
            return AveragePooling2D(poolSize: pool, strides: strides, padding: padding, name: c.name)
        },
        "MaxPooling1D": { c in
            let (pool, strides, padding) = try ConvolutionConfig.pooling1D(c)
            return MaxPooling1D(pool, strides: strides, padding: padding, name: c.name)
        },
        "AveragePooling1D": { c in
            let (pool, strides, padding) = try ConvolutionConfig.pooling1D(c)
            return AveragePooling1D(pool, strides: strides, padding: padding, name: c.name)
        },
        "GlobalMaxPooling2D": { c in GlobalMaxPooling2D(keepdims: try ConvolutionConfig.keepdims(c), name: c.name) },
        "GlobalAveragePooling2D": { c in GlobalAveragePooling2D(keepdims: try ConvolutionConfig.keepdims(c), name: c.name) },
        "GlobalMaxPooling1D": { c in GlobalMaxPooling1D(keepdims: try ConvolutionConfig.keepdims(c), name: c.name) },
        "GlobalAveragePooling1D": { c in GlobalAveragePooling1D(keepdims: try ConvolutionConfig.keepdims(c), name: c.name) },
        "ZeroPadding2D": { c in
            try c.rejectUnless("data_format", is: "channels_last")
            let p = try ConvolutionConfig.amounts2D(c, "padding")
            return ZeroPadding2D(padding: (p[0], p[1]), name: c.name)
        },
        "ZeroPadding1D": { c in
            try c.rejectUnless("data_format", is: "channels_last")
            return ZeroPadding1D(padding: try ConvolutionConfig.amounts1D(c, "padding"), name: c.name)
        },
        "Cropping2D": { c in
            try c.rejectUnless("data_format", is: "channels_last")
            let p = try ConvolutionConfig.amounts2D(c, "cropping")
            return Cropping2D(cropping: (p[0], p[1]), name: c.name)
        },
        "Cropping1D": { c in Cropping1D(cropping: try ConvolutionConfig.amounts1D(c, "cropping"), name: c.name) },
        "UpSampling2D": { c in
            try c.rejectUnless("data_format", is: "channels_last")
            let text = try c.string("interpolation", default: "nearest")
            guard let interpolation = UpSampling2D.Interpolation(rawValue: text) else {
                throw KestrelError(.unsupported, "UpSampling2D config: interpolation \"\(text)\" is not supported; Kestrel supports nearest and bilinear")
            }
            return UpSampling2D(size: try ConvolutionConfig.pair(c, "size", default: 2), interpolation: interpolation, name: c.name)
        },
        "UpSampling1D": { c in UpSampling1D(try c.int("size", default: 2), name: c.name) },
        "BatchNormalization": { c in
            try c.rejectUnlessNull("beta_constraint", "gamma_constraint")
            if try c.bool("renorm", default: false) {
                throw KestrelError(.unsupported, "BatchNormalization config: renorm = true is not supported by Kestrel; use renorm false")
            }
            let axes = try c.ints("axis", count: 1, default: [-1])
            guard axes.count == 1 else { throw c.error("axis", "one axis") }
            return BatchNormalization(axis: axes[0], momentum: try c.float("momentum", default: 0.99),
                                      epsilon: try c.float("epsilon", default: 1e-3), center: try c.bool("center", default: true),
                                      scale: try c.bool("scale", default: true),
                                      betaInitializer: try c.initializer("beta_initializer", default: Zeros()),
                                      gammaInitializer: try c.initializer("gamma_initializer", default: Ones()),
                                      movingMeanInitializer: try c.initializer("moving_mean_initializer", default: Zeros()),
                                      movingVarianceInitializer: try c.initializer("moving_variance_initializer", default: Ones()),
                                      betaRegularizer: try c.regularizer("beta_regularizer"),
                                      gammaRegularizer: try c.regularizer("gamma_regularizer"), name: c.name)
        },
        "LayerNormalization": { c in
            try c.rejectUnlessNull("beta_constraint", "gamma_constraint")
            if try c.bool("rms_scaling", default: false) {
                throw KestrelError(.unsupported, "LayerNormalization config: rms_scaling = true is not supported by Kestrel; use false")
            }
            return LayerNormalization(axes: try c.ints("axis", count: 1, default: [-1]), epsilon: try c.float("epsilon", default: 1e-3),
                                      center: try c.bool("center", default: true), scale: try c.bool("scale", default: true),
                                      betaInitializer: try c.initializer("beta_initializer", default: Zeros()),
                                      gammaInitializer: try c.initializer("gamma_initializer", default: Ones()),
                                      betaRegularizer: try c.regularizer("beta_regularizer"),
                                      gammaRegularizer: try c.regularizer("gamma_regularizer"), name: c.name)
        },
    ]
}

/// Readers for the config keys the convolutional layers share.
package enum ConvolutionConfig {
    /// data_format, groups, constraints and activity regularizer must be at their neutral values.
    package static func checkCommon(_ c: KerasConfig, kernel: String = "kernel") throws {
        try c.rejectUnless("data_format", is: "channels_last")
        if !c.isNull("groups"), try c.int("groups") != 1 {
            throw KestrelError(.unsupported, "\(c.className) config: groups = \(c.values["groups"]!) is not supported by Kestrel; use groups 1")
        }
        try c.rejectUnlessNull("activity_regularizer", "\(kernel)_constraint", "bias_constraint")
    }

    package static func padding(_ c: KerasConfig, allowCausal: Bool = false) throws -> ConvolutionPadding {
        try ConvolutionPadding(keras: try c.string("padding", default: "valid"), layer: "\(c.className) config", allowCausal: allowCausal)
    }

    /// A 2-tuple argument (an integer means the same for both axes).
    package static func pair(_ c: KerasConfig, _ key: String, default value: Int? = nil) throws -> (Int, Int) {
        let v = try c.ints(key, count: 2, default: value.map { [$0, $0] })
        guard v.count == 2 else { throw c.error(key, "2 integers") }
        return (v[0], v[1])
    }

    package static func pooling2D(_ c: KerasConfig) throws -> ((Int, Int), (Int, Int)?, ConvolutionPadding) {
        try c.rejectUnless("data_format", is: "channels_last")
        let pool = try pair(c, "pool_size", default: 2)
        return (pool, c.isNull("strides") ? nil : try pair(c, "strides"), try padding(c))
    }

    package static func pooling1D(_ c: KerasConfig) throws -> (Int, Int?, ConvolutionPadding) {
        try c.rejectUnless("data_format", is: "channels_last")
        let pool = try c.ints("pool_size", count: 1, default: [2])[0]
        return (pool, c.isNull("strides") ? nil : try c.ints("strides", count: 1)[0], try padding(c))
    }

    package static func keepdims(_ c: KerasConfig) throws -> Bool {
        try c.rejectUnless("data_format", is: "channels_last")
        return try c.bool("keepdims", default: false)
    }

    /// (before, after): an integer (both) or a list of two.
    package static func amounts1D(_ c: KerasConfig, _ key: String) throws -> (Int, Int) {
        let v = try c.ints(key, count: 2)
        guard v.count == 2 else { throw c.error(key, "an integer or [before, after]") }
        return (v[0], v[1])
    }

    /// ((top, bottom), (left, right)) from an integer, [rows, cols] (symmetric) or
    /// [[top, bottom], [left, right]].
    package static func amounts2D(_ c: KerasConfig, _ key: String) throws -> [(Int, Int)] {
        if let nested = c.values[key] as? [[NSNumber]], nested.count == 2, nested.allSatisfy({ $0.count == 2 }) {
            return nested.map { ($0[0].intValue, $0[1].intValue) }
        }
        let v = try c.ints(key, count: 2)
        guard v.count == 2 else { throw c.error(key, "an integer, [rows, cols] or [[top, bottom], [left, right]]") }
        return [(v[0], v[0]), (v[1], v[1])]
    }
}
