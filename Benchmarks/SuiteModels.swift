import Kestrel

/// The broader benchmark suite (issue 13): models people write beyond W2–W5, each built as
/// `Benchmarks/reference/suite.py` builds it in torch and Keras, compiled with Adam(1e-3,
/// ε = 1e-7) and sparse cross-entropy on logits. Inputs are synthetic (values do not change
/// the timing): uniform [0, 1) images and series, token ids below the vocabulary.
enum SuiteModels {
    struct Entry {
        let batch: Int
        /// Per-sample input shape; `vocabulary` > 0 means token ids below it.
        let input: [Int]
        let vocabulary: Int
        let classes: Int
        let build: () throws -> Model
    }

    static let entries: [String: Entry] = {
        var e: [String: Entry] = [
            // A Conv1D stack over a 9-channel sensor series (HAR-style).
            "conv1d-stack": Entry(batch: 64, input: [128, 9], vocabulary: 0, classes: 6) {
                try Sequential {
                    Input(shape: [128, 9])
                    Conv1D(32, kernelSize: 5, activation: .relu)
                    MaxPooling1D(2)
                    Conv1D(64, kernelSize: 5, activation: .relu)
                    GlobalAveragePooling1D()
                    Dense(6)
                }
            },
            // VGG-style: two same-padded 3×3 convolutions per stage on 32×32×3.
            "vgg-cifar": Entry(batch: 64, input: [32, 32, 3], vocabulary: 0, classes: 10) {
                try Sequential {
                    Input(shape: [32, 32, 3])
                    Conv2D(32, kernelSize: 3, padding: .same, activation: .relu)
                    Conv2D(32, kernelSize: 3, padding: .same, activation: .relu)
                    MaxPooling2D(2)
                    Conv2D(64, kernelSize: 3, padding: .same, activation: .relu)
                    Conv2D(64, kernelSize: 3, padding: .same, activation: .relu)
                    MaxPooling2D(2)
                    Flatten()
                    Dense(128, activation: .relu)
                    Dense(10)
                }
            },
            // Embedding + two stacked LSTM(256) over 80 tokens.
            "text-lstm": Entry(batch: 32, input: [80], vocabulary: 10_000, classes: 2) {
                try Sequential {
                    Input(shape: [80])
                    Embedding(inputDim: 10_000, outputDim: 128)
                    LSTM(256, returnSequences: true)
                    LSTM(256)
                    Dense(2)
                }
            },
            // A GRU over a large batch of short series.
            "gru-large-batch": Entry(batch: 512, input: [32, 16], vocabulary: 0, classes: 4) {
                try Sequential {
                    Input(shape: [32, 16])
                    GRU(64)
                    Dense(4)
                }
            },
            // W2's CNN written with the functional API, so the graph runner is judged too.
            "cnn-mnist-functional": Entry(batch: 128, input: [28, 28, 1], vocabulary: 0, classes: 10) {
                try BenchModels.cnnMNISTFunctional()
            },
            // (k, 1) kernels: convolutions along time only, over 9 sensor rows kept apart.
            "k1-kernels": Entry(batch: 64, input: [128, 9, 1], vocabulary: 0, classes: 6) {
                try Sequential {
                    Input(shape: [128, 9, 1])
                    Conv2D(16, kernelSize: (8, 1), activation: .relu)
                    MaxPooling2D(poolSize: (2, 1))
                    Conv2D(32, kernelSize: (8, 1), activation: .relu)
                    Flatten()
                    Dense(6)
                }
            },
        ]
        // The LSTM width sweep over (50 steps, 32 features).
        for units in [64, 128, 256, 512] {
            e["lstm-\(units)"] = Entry(batch: 64, input: [50, 32], vocabulary: 0, classes: 10) {
                try Sequential {
                    Input(shape: [50, 32])
                    LSTM(units)
                    Dense(10)
                }
            }
        }
        return e
    }()
}
