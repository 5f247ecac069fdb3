import Foundation
import Kestrel

/// Which book a King James verse comes from, Genesis or Exodus, from its words: the verses
/// (the first 1533 lines of the shipped text are Genesis) are shuffled with a fixed seed
/// and split 80/20; a `TextVectorization` adapted on the training verses turns each into
/// ids padded to 48, and Embedding(maskZero) → Bidirectional(LSTM(24)) → Dense(1, sigmoid)
/// reads only the real words (the mask keeps the padding out). The baseline is the
/// majority class of the test verses.
public enum VerseClassifierDemo {
    public struct Result {
        public let testAccuracy: Float
        public let majorityBaseline: Float
    }

    public static func run(epochs: Int = 6, verbose: Verbosity = .auto, options: DemoOptions = DemoOptions()) throws -> Result {
        GlobalRandom.setSeed(42)
        let text = String(decoding: try SequenceData.text("kjv", file: "kjv-genesis-exodus.txt"), as: UTF8.self)
        let verses = text.split(separator: "\n").map(String.init)
        let genesisVerses = 1533
        var order = Array(verses.indices)
        var generator = RandomGenerator(seed: 7)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, generator.nextIndex(below: i + 1)) }
        let split = order.count * 4 / 5
        let trainIndices = Array(order[..<split]), testIndices = Array(order[split...])
        let vectorizer = try TextVectorization(maxTokens: 6000, outputSequenceLength: 48)
        try vectorizer.adapt(trainIndices.map { verses[$0] })
        func encoded(_ indices: [Int]) throws -> (x: Tensor, y: Tensor) {
            (try vectorizer(indices.map { verses[$0] }), Tensor(shape: [indices.count, 1], scalars: indices.map { $0 < genesisVerses ? 0 : 1 }))
        }
        let train = try encoded(trainIndices), test = try encoded(testIndices)
        let model = Sequential {
            Input(shape: [48])
            Embedding(inputDim: vectorizer.vocabulary.count, outputDim: 32, maskZero: true)
            Bidirectional(LSTM(24))
            Dense(1, activation: .sigmoid)
        }
        try model.compile(optimizer: Adam(learningRate: 3e-3), loss: BinaryCrossentropy(), metrics: ["accuracy"])
        if verbose != .silent { print(try model.summary()) }
        try options.fit(model, x: train.x, y: train.y, batchSize: 32, epochs: epochs, verbose: verbose)
        let accuracy = try model.evaluate(x: test.x, y: test.y)["accuracy"] ?? 0
        let exodusShare = test.y.scalars.reduce(0, +) / Float(test.y.count)
        return Result(testAccuracy: accuracy, majorityBaseline: Swift.max(exodusShare, 1 - exodusShare))
    }
}
