import Foundation
import Kestrel

/// Multilayer-perceptron classifiers on the shipped digit sets: the first models a
/// newcomer trains. Each returns the test accuracy; `epochs` can be lowered for tests.
public enum MLPDemos {
    /// 8×8 digits (scikit-learn's split): 64 → 128 relu → dropout 0.5 → 10.
    public static func digits(epochs: Int = 100, verbose: Verbosity = .auto, options: DemoOptions = DemoOptions()) throws -> Float {
        try trainClassifier(dataset: "digits", maxValue: 16, epochs: epochs, batchSize: 32, verbose: verbose, options: options) {
            Input(shape: [8, 8, 1])
            Flatten()
            Dense(128, activation: .relu)
            Dropout(0.5)
            Dense(10)
        }
    }

    /// mnist5k (4000 training images): 784 → 256 relu → dropout → 128 relu → 10.
    public static func mnist(epochs: Int = 20, verbose: Verbosity = .auto, options: DemoOptions = DemoOptions()) throws -> Float {
        try trainClassifier(dataset: "mnist5k", maxValue: 255, epochs: epochs, batchSize: 32, verbose: verbose, options: options) {
            Input(shape: [28, 28, 1])
            Flatten()
            Dense(256, activation: .relu)
            Dropout(0.3)
            Dense(128, activation: .relu)
            Dense(10)
        }
    }

    /// Trains `layers` with Adam and sparse cross-entropy on a shipped image set (seed 42)
    /// and returns the test accuracy.
    static func trainClassifier(dataset: String, maxValue: Float, epochs: Int, batchSize: Int, verbose: Verbosity,
                                options: DemoOptions,
                                @LayerBuilder _ layers: () -> [Layer]) throws -> Float {
        GlobalRandom.setSeed(42)
        let train = try DemoData.images(dataset, split: "train", maxValue: maxValue)
        let test = try DemoData.images(dataset, split: "test", maxValue: maxValue)
        let model = Sequential(layers())
        try model.compile(optimizer: Adam(learningRate: 1e-3),
                          loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
        if verbose != .silent { print(try model.summary()) }
        try options.fit(model, x: train.images, y: train.labels, batchSize: batchSize, epochs: epochs, verbose: verbose)
        return try model.evaluate(x: test.images, y: test.labels)["accuracy"] ?? 0
    }
}
