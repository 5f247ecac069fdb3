import Kestrel

/// The reference workloads' models (WORKLOADS.md), built exactly as specified: layer
/// sizes, activations, loss and Adam(1e-3, ε = 1e-7). Shared by the timing and startup
/// benchmarks.
enum BenchModels {
    /// W2 cnn-mnist: two conv/pool stages, Dense 128, 10 logits (225 034 parameters).
    static func cnnMNIST() throws -> Sequential {
        let model = Sequential {
            Input(shape: [28, 28, 1])
            Conv2D(32, kernelSize: 3, activation: .relu)
            MaxPooling2D(2)
            Conv2D(64, kernelSize: 3, activation: .relu)
            MaxPooling2D(2)
            Flatten()
            Dense(128, activation: .relu)
            Dense(10)
        }
        try model.compile(optimizer: Adam(learningRate: 1e-3, epsilon: 1e-7), loss: SparseCategoricalCrossentropy(fromLogits: true))
        return model
    }

    /// W2 built with the functional API (`Model(inputs:outputs:)`): the same layers, so the
    /// benchmark shows whether the graph runner (and its fusion rewrite) matches Sequential.
    static func cnnMNISTFunctional() throws -> Model {
        let input = Input(shape: [28, 28, 1])
        var x = try Conv2D(32, kernelSize: 3, activation: .relu)(input)
        x = try MaxPooling2D(2)(x)
        x = try Conv2D(64, kernelSize: 3, activation: .relu)(x)
        x = try MaxPooling2D(2)(x)
        x = try Flatten()(x)
        x = try Dense(128, activation: .relu)(x)
        let model = try Model(inputs: input, outputs: try Dense(10)(x))
        try model.compile(optimizer: Adam(learningRate: 1e-3, epsilon: 1e-7), loss: SparseCategoricalCrossentropy(fromLogits: true))
        return model
    }

    /// W5 conv-autoencoder: 28×28×1 → 7×7×8 → 28×28×1 with sigmoid output, MSE (3 217 parameters).
    static func convAutoencoder() throws -> Sequential {
        let model = Sequential {
            Input(shape: [28, 28, 1])
            Conv2D(16, kernelSize: 3, padding: .same, activation: .relu)
            MaxPooling2D(2)
            Conv2D(8, kernelSize: 3, padding: .same, activation: .relu)
            MaxPooling2D(2)
            Conv2D(8, kernelSize: 3, padding: .same, activation: .relu)
            UpSampling2D(2)
            Conv2D(16, kernelSize: 3, padding: .same, activation: .relu)
            UpSampling2D(2)
            Conv2D(1, kernelSize: 3, padding: .same, activation: .sigmoid)
        }
        try model.compile(optimizer: Adam(learningRate: 1e-3, epsilon: 1e-7), loss: MeanSquaredError())
        return model
    }

    /// W3 lstm-many-to-one: LSTM(128) over (100, 16) → 5 logits (74 885 parameters).
    static func lstmManyToOne() throws -> Sequential {
        let model = Sequential { LSTM(128); Dense(5) }
        try model.compile(optimizer: Adam(learningRate: 1e-3, epsilon: 1e-7), loss: SparseCategoricalCrossentropy(fromLogits: true))
        return model
    }

    /// W4 bigru-many-to-many: Bidirectional(GRU(64)) over (64, 32) → TimeDistributed(Dense(8)), MSE
    /// (38 664 parameters).
    static func biGRUManyToMany() throws -> Sequential {
        let model = Sequential { Bidirectional(GRU(64, returnSequences: true)); TimeDistributed(Dense(8)) }
        try model.compile(optimizer: Adam(learningRate: 1e-3, epsilon: 1e-7), loss: MeanSquaredError())
        return model
    }
}
