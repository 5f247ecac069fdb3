import Kestrel

/// The models of the sequence-block benchmarks (`mha-block`, `convlstm2d`), built as the
/// reference scripts in `Benchmarks/reference/` build them in torch and Keras: the same
/// sizes, loss and Adam(1e-3, ε = 1e-7).
enum SequenceBlockModels {
    /// A self-attention block over (64 steps, 128 features): MultiHeadAttention(8 heads of
    /// 16) with a residual Add and LayerNormalization, then mean over time and 10 logits.
    static func attentionBlock(steps: Int, features: Int, heads: Int, classes: Int) throws -> Model {
        let input = Input(shape: [steps, features])
        let attended = try MultiHeadAttention(numHeads: heads, keyDim: features / heads)([input.output, input.output])[0]
        var x = try Add()([input.output, attended])[0]
        x = try LayerNormalization(epsilon: 1e-5)(x)
        x = try GlobalAveragePooling1D()(x)
        let model = try Model(inputs: input, outputs: try Dense(classes)(x))
        try model.compile(optimizer: Adam(learningRate: 1e-3, epsilon: 1e-7), loss: SparseCategoricalCrossentropy(fromLogits: true))
        return model
    }

    /// ConvLSTM2D(filters, 3×3, same) over (time, rows, cols, 1) frames, its last h averaged
    /// over the image, then 10 logits.
    static func convLSTM(steps: Int, side: Int, filters: Int, classes: Int) throws -> Sequential {
        let model = try Sequential {
            Input(shape: [steps, side, side, 1])
            ConvLSTM2D(filters, kernelSize: 3, padding: .same)
            GlobalAveragePooling2D()
            Dense(classes)
        }
        try model.compile(optimizer: Adam(learningRate: 1e-3, epsilon: 1e-7), loss: SparseCategoricalCrossentropy(fromLogits: true))
        return model
    }
}
