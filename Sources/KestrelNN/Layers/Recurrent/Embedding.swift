import Foundation
import KestrelCore

/// Token ids → learned vectors (Keras `Embedding`): `embeddings` (inputDim, outputDim) and
/// y = embeddings[ids], so ids of shape (N, T) give (N, T, outputDim). Ids arrive as a
/// Float tensor of whole numbers. With `maskZero`, id 0 is padding: the layer emits a
/// (N, T) mask that recurrent layers downstream honour.
public final class Embedding: Layer {
    public let inputDim: Int
    public let outputDim: Int
    public let maskZero: Bool
    public let embeddingsInitializer: Initializer
    public let embeddingsRegularizer: Regularizer?
    public private(set) var embeddings: Parameter?

    public init(inputDim: Int, outputDim: Int, maskZero: Bool = false,
                embeddingsInitializer: Initializer = RandomUniform(), embeddingsRegularizer: Regularizer? = nil, name: String? = nil) {
        self.inputDim = inputDim
        self.outputDim = outputDim
        self.maskZero = maskZero
        self.embeddingsInitializer = embeddingsInitializer
        self.embeddingsRegularizer = embeddingsRegularizer
        super.init(name: name)
    }

    public override func build(inputShapes: [[Int]]) throws {
        try require(inputDim > 0, "inputDim must be positive (the vocabulary size), got \(inputDim)")
        try require(outputDim > 0, "outputDim must be positive, got \(outputDim)")
        embeddings = try addWeight("embeddings", shape: [inputDim, outputDim], initializer: embeddingsInitializer,
                                   regularizer: embeddingsRegularizer)
    }

    public override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        try expectInputs(inputs, count: 1)
        let x = inputs[0]
        var ids = [Int](repeating: 0, count: x.count)
        try x.withUnsafeBufferPointer { p in
            for (i, v) in p.enumerated() {
                guard v >= 0, v < Float(inputDim), v == v.rounded() else {
                    throw KestrelError(.invalidArgument, "\(name): Embedding ids must be whole numbers in 0..<\(inputDim) (inputDim); got \(v) at flat index \(i) of input \(x.shape)")
                }
                ids[i] = Int(v)
            }
        }
        return [embeddings!.value.gathering(IntTensor(shape: x.shape, scalars: ids), alongAxis: 0)]
    }

    public override func computeMask(_ inputs: [Tensor], mask: Tensor?) -> Tensor? {
        maskZero ? inputs[0].detached() .!= 0 : nil
    }

    public override var configuration: [String: Any] {
        ["input_dim": inputDim, "output_dim": outputDim, "mask_zero": maskZero,
         "embeddings_initializer": embeddingsInitializer.kerasSerialized,
         "embeddings_regularizer": embeddingsRegularizer?.kerasConfig ?? NSNull()]
    }
}

extension Embedding: KerasReadableLayer {
    /// The layer a Keras `Embedding` config describes; absent keys take Keras's defaults.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        try c.rejectUnlessNull("activity_regularizer", "embeddings_constraint", "quantization_config")
        // Keras 2's fixed sequence length only declares the input's shape.
        if let length = try c.optionalInt("input_length"), length < 1 { throw c.error("input_length", "a positive integer or null") }
        return Embedding(inputDim: try c.int("input_dim"), outputDim: try c.int("output_dim"),
                         maskZero: try c.bool("mask_zero", default: false),
                         embeddingsInitializer: try c.initializer("embeddings_initializer", default: RandomUniform()),
                         embeddingsRegularizer: try c.regularizer("embeddings_regularizer"), name: c.name)
    }
}
