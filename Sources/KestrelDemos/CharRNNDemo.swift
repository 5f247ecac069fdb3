import Foundation
import Kestrel

/// A character-level language model on the first two books of the King James Bible:
/// Embedding → LSTM(returnSequences) → Dense over the characters, trained to predict the
/// next character at every step (many-to-many) with Adam and gradient clipping (clipnorm),
/// then sampled one character at a time from a seed string (one-to-many).
public enum CharRNNDemo {
    public struct Result {
        /// Validation cross-entropy in bits per character (the last 10% of the verses).
        public let validationBitsPerChar: Float
        public let sample: String
    }

    public static func run(epochs: Int = 8, units: Int = 256, sequenceLength: Int = 100, sampleLength: Int = 400,
                           verbose: Verbosity = .auto, options: DemoOptions = DemoOptions()) throws -> Result {
        GlobalRandom.setSeed(42)
        let text = try SequenceData.text("kjv", file: "kjv-genesis-exodus.txt")
        let alphabet = Array(Set(text)).sorted()
        var index = [Int](repeating: 0, count: 256)
        for (i, c) in alphabet.enumerated() { index[Int(c)] = i }
        // First 90% of the verses for training, the rest for validation.
        let lineEnds = text.indices.filter { text[$0] == 10 }
        let split = lineEnds[lineEnds.count * 9 / 10] + 1
        func windows(_ range: Range<Int>) -> (x: Tensor, y: Tensor) {
            let count = (range.count - 1) / sequenceLength
            var x = [Float](), y = [Float]()
            x.reserveCapacity(count * sequenceLength)
            y.reserveCapacity(count * sequenceLength)
            for w in 0..<count {
                let start = range.lowerBound + w * sequenceLength
                for k in 0..<sequenceLength {
                    x.append(Float(index[Int(text[start + k])]))
                    y.append(Float(index[Int(text[start + k + 1])]))
                }
            }
            return (Tensor(shape: [count, sequenceLength], scalars: x), Tensor(shape: [count, sequenceLength], scalars: y))
        }
        let train = windows(0..<split), validation = windows(split..<text.count)
        let model = Sequential {
            Embedding(inputDim: alphabet.count, outputDim: 32)
            LSTM(units, returnSequences: true)
            Dense(alphabet.count)
        }
        try model.compile(optimizer: Adam(learningRate: 4e-3, clipnorm: 1), loss: SparseCategoricalCrossentropy(fromLogits: true))
        try options.fit(model, x: train.x, y: train.y, batchSize: 32, epochs: epochs, verbose: verbose)
        let loss = try model.evaluate(x: validation.x, y: validation.y)["loss"] ?? .nan
        let sample = try generate(model, seed: "And God said", alphabet: alphabet, index: index, length: sampleLength,
                                  context: sequenceLength, temperature: 0.7)
        return Result(validationBitsPerChar: loss / Float(M_LN2), sample: sample)
    }

    /// Samples `length` characters after `seed`: each step runs the model on the last
    /// `context` characters and draws the next one from softmax(logits / temperature).
    static func generate(_ model: Sequential, seed: String, alphabet: [UInt8], index: [Int], length: Int,
                         context: Int, temperature: Float) throws -> String {
        var generator = RandomGenerator(seed: 7)
        var ids = Array(seed.utf8).map { index[Int($0)] }
        for _ in 0..<length {
            let window = ids.suffix(context)
            let x = Tensor(shape: [1, window.count], scalars: window.map(Float.init))
            let logits = try withoutGradients { try model(x) }.selecting(index: window.count - 1, alongAxis: 1)
            let p = softmax(logits / temperature).scalars
            var r = generator.nextUniform(), next = p.count - 1
            for (i, q) in p.enumerated() {
                r -= q
                if r < 0 { next = i; break }
            }
            ids.append(next)
        }
        return String(decoding: ids.map { alphabet[$0] }, as: UTF8.self)
    }
}
