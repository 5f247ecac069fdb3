import Foundation
import Kestrel

/// Multilayer-perceptron classifiers on the shipped digit sets: the first models a
/// newcomer trains. Each returns the test accuracy; `epochs` can be lowered for tests.
public enum MLPDemos {
    /// 8×8 digits (scikit-learn's split): 64 → 256 relu → dropout → 10.
    public static func digits(epochs: Int = 60, verbose: Verbosity = .auto) throws -> Float {
        GlobalRandom.setSeed(42)
        let train = try DemoData.images("digits", split: "train", maxValue: 16)
        let test = try DemoData.images("digits", split: "test", maxValue: 16)
        let model = Sequential {
            Input(shape: [8, 8, 1])
            Flatten()
            Dense(256, activation: .relu)
            Dropout(0.2)
            Dense(10)
        }
        try model.compile(optimizer: Adam(learningRate: 1e-3),
                          loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
        if verbose != .silent { print(try model.summary()) }
        try model.fit(x: train.images, y: train.labels, batchSize: 32, epochs: epochs, verbose: verbose)
        return try model.evaluate(x: test.images, y: test.labels)["accuracy"] ?? 0
    }

    /// mnist5k (4000 training images): 784 → 256 relu → dropout → 128 relu → 10.
    public static func mnist(epochs: Int = 20, verbose: Verbosity = .auto) throws -> Float {
        GlobalRandom.setSeed(42)
        let train = try DemoData.images("mnist5k", split: "train", maxValue: 255)
        let test = try DemoData.images("mnist5k", split: "test", maxValue: 255)
        let model = Sequential {
            Input(shape: [28, 28, 1])
            Flatten()
            Dense(256, activation: .relu)
            Dropout(0.3)
            Dense(128, activation: .relu)
            Dense(10)
        }
        try model.compile(optimizer: Adam(learningRate: 1e-3),
                          loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
        if verbose != .silent { print(try model.summary()) }
        try model.fit(x: train.images, y: train.labels, batchSize: 32, epochs: epochs, verbose: verbose)
        return try model.evaluate(x: test.images, y: test.labels)["accuracy"] ?? 0
    }
}
