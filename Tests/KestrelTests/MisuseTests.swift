import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
import Kestrel

/// Bad arguments from code throw a KestrelError naming the layer or call, the argument,
/// the value and what to do, at the latest when the layer is built; none stops the program.
final class MisuseTests: XCTestCase {
    /// Builds a Sequential model of `layers` for samples of `shape`.
    private func build(_ shape: [Int], _ layers: [Layer]) throws {
        try Sequential([Input(shape: shape)] + layers).ensureBuilt()
    }

    private func compiledModel() throws -> Sequential {
        let model = Sequential { Input(shape: [3]); Dense(2) }
        try model.compile(optimizer: SGD(), loss: MeanSquaredError())
        return model
    }

    func testBatchSizesMustBePositive() throws {
        let model = try compiledModel()
        let x = Tensor.zeros([4, 3]), y = Tensor.zeros([4, 2])
        for size in [0, -1] {
            assertThrowsKestrel(.invalidArgument, [".evaluate", "batchSize must be positive", "got \(size)"]) {
                _ = try model.evaluate(x: x, y: y, batchSize: size)
            }
            assertThrowsKestrel(.invalidArgument, [".fit", "batchSize must be positive", "got \(size)"]) {
                try model.fit(x: x, y: y, batchSize: size, verbose: .silent)
            }
            assertThrowsKestrel(.invalidArgument, [".predict", "batchSize must be positive", "got \(size)"]) {
                _ = try model.predict(x, batchSize: size)
            }
        }
    }

    func testLayerSizesMustBePositive() {
        assertThrowsKestrel(.invalidArgument, ["d (Dense)", "units must be positive", "got 0"]) {
            try self.build([3], [Dense(0, name: "d")])
        }
        assertThrowsKestrel(.invalidArgument, ["c (Conv2D)", "filters must be positive", "got 0"]) {
            try self.build([6, 6, 1], [Conv2D(0, kernelSize: 3, name: "c")])
        }
        assertThrowsKestrel(.invalidArgument, ["c1 (Conv1D)", "filters must be positive", "got -2"]) {
            try self.build([6, 1], [Conv1D(-2, kernelSize: 3, name: "c1")])
        }
        assertThrowsKestrel(.invalidArgument, ["t (Conv2DTranspose)", "filters must be positive"]) {
            try self.build([6, 6, 1], [Conv2DTranspose(0, kernelSize: 3, name: "t")])
        }
        assertThrowsKestrel(.invalidArgument, ["dw (DepthwiseConv2D)", "depthMultiplier must be positive"]) {
            try self.build([6, 6, 1], [DepthwiseConv2D(kernelSize: (3, 3), depthMultiplier: 0, name: "dw")])
        }
        assertThrowsKestrel(.invalidArgument, ["s (SeparableConv2D)", "filters must be positive"]) {
            try self.build([6, 6, 1], [SeparableConv2D(0, kernelSize: (3, 3), name: "s")])
        }
        assertThrowsKestrel(.invalidArgument, ["kernel size", "must all be positive"]) {
            try self.build([6, 6, 1], [Conv2D(2, kernelSize: 0)])
        }
        assertThrowsKestrel(.invalidArgument, ["up (UpSampling2D)", "size must be positive"]) {
            try self.build([4, 4, 1], [UpSampling2D(size: (0, 2), name: "up")])
        }
        assertThrowsKestrel(.invalidArgument, ["up1 (UpSampling1D)", "size must be positive", "got -1"]) {
            try self.build([4, 1], [UpSampling1D(-1, name: "up1")])
        }
    }

    /// Recurrent layers, cells and Embedding check their sizes and rates when built.
    func testRecurrentSizesAndRatesThrow() {
        assertThrowsKestrel(.invalidArgument, ["l (LSTM)", "units must be positive", "got 0"]) {
            try self.build([5, 2], [LSTM(0, name: "l")])
        }
        assertThrowsKestrel(.invalidArgument, ["g (GRU)", "recurrent_dropout must be in [0, 1)", "1.5"]) {
            try self.build([5, 2], [GRU(3, recurrentDropout: 1.5, name: "g")])
        }
        assertThrowsKestrel(.invalidArgument, ["s (SimpleRNN)", "dropout must be in [0, 1)"]) {
            try self.build([5, 2], [SimpleRNN(3, dropout: -0.5, name: "s")])
        }
        assertThrowsKestrel(.invalidArgument, ["c (LSTMCell)", "units must be positive"]) {
            try self.build([5, 2], [RNN(LSTMCell(0, name: "c"))])
        }
        assertThrowsKestrel(.invalidArgument, ["e (Embedding)", "inputDim must be positive", "got 0"]) {
            try self.build([5], [Embedding(inputDim: 0, outputDim: 4, name: "e")])
        }
    }

    func testInputShapesMustBePositive() {
        assertThrowsKestrel(.invalidArgument, ["input shape [0]", "must be positive", "Input(shape:)"]) {
            try self.build([0], [Dense(2)])
        }
        assertThrowsKestrel(.invalidArgument, ["input shape [4, -8]", "must be positive"]) {
            let input = Input(shape: [4, -8])
            _ = try Dense(2)(input.output)
        }
        assertThrowsKestrel(.invalidArgument, ["input shape [-1]"]) { try Sequential { Dense(2) }.build(inputShape: [-1]) }
    }

    func testRatesAndEpsilonsMustBeInRange() {
        for rate: Float in [1.5, 1, -0.1] {
            assertThrowsKestrel(.invalidArgument, ["drop (Dropout)", "rate must be in [0, 1)", "got \(rate)"]) {
                try self.build([3], [Dropout(rate, name: "drop")])
            }
        }
        assertThrowsKestrel(.invalidArgument, ["Dropout", "rate"]) { _ = try Dropout(2)(Tensor.zeros([1, 3]), training: true) }
        assertThrowsKestrel(.invalidArgument, ["bn (BatchNormalization)", "epsilon must be a positive number", "got 0.0"]) {
            try self.build([3], [BatchNormalization(epsilon: 0, name: "bn")])
        }
        assertThrowsKestrel(.invalidArgument, ["ln (LayerNormalization)", "epsilon must be a positive number", "got -1.0"]) {
            try self.build([3], [LayerNormalization(epsilon: -1, name: "ln")])
        }
        assertThrowsKestrel(.invalidArgument, ["ln (LayerNormalization)", "axes must name at least one axis"]) {
            try self.build([3], [LayerNormalization(axes: [], name: "ln")])
        }
    }

    func testPaddingAndStrideCombinationsKerasRejects() {
        assertThrowsKestrel(.invalidArgument, ["c (Conv2D)", "padding .causal", "only supported by Conv1D", ".valid or .same"]) {
            try self.build([6, 6, 1], [Conv2D(2, kernelSize: 3, padding: .causal, name: "c")])
        }
        assertThrowsKestrel(.invalidArgument, ["p (MaxPooling2D)", "padding .causal"]) {
            try self.build([6, 6, 1], [MaxPooling2D(poolSize: (2, 2), padding: .causal, name: "p")])
        }
        assertThrowsKestrel(.invalidArgument, ["dw (DepthwiseConv2D)", "padding .causal"]) {
            try self.build([6, 6, 1], [DepthwiseConv2D(kernelSize: (3, 3), padding: .causal, name: "dw")])
        }
        assertThrowsKestrel(.invalidArgument, ["c (Conv2D)", "strides [2, 2] > 1", "dilation rate [2, 2] > 1", "set one of them to 1"]) {
            try self.build([9, 9, 1], [Conv2D(2, kernelSize: 3, strides: 2, dilationRate: 2, name: "c")])
        }
        assertThrowsKestrel(.invalidArgument, ["c1 (Conv1D)", "strides [2] > 1"]) {
            try self.build([9, 1], [Conv1D(2, kernelSize: 3, strides: 2, dilationRate: 3, name: "c1")])
        }
        XCTAssertNoThrow(try build([9, 1], [Conv1D(2, kernelSize: 3, padding: .causal)]))
    }

    func testReduceLROnPlateauFactorMustBeBelowOne() throws {
        let model = try compiledModel()
        for factor: Float in [2, 1, .nan] {
            assertThrowsKestrel(.invalidArgument, ["ReduceLROnPlateau", "factor must be < 1", "got \(factor)"]) {
                try model.fit(x: Tensor.zeros([4, 3]), y: Tensor.zeros([4, 2]), callbacks: [ReduceLROnPlateau(factor: factor)],
                              verbose: .silent)
            }
        }
    }

    func testOptimizerAndScheduleSettingsKerasRejectsThrow() {
        for momentum in [-0.1, 1.5] {
            assertThrowsKestrel(.invalidArgument, ["SGD", "momentum must be in [0, 1]", "got \(momentum)"]) { _ = try SGD(momentum: momentum) }
        }
        assertThrowsKestrel(.invalidArgument, ["adam", "only one of clipnorm, clipvalue and globalClipnorm", "got 2"]) {
            _ = try Adam(clipnorm: 1, clipvalue: 1)
        }
        assertThrowsKestrel(.invalidArgument, ["rmsprop", "clipnorm must be a positive number", "got -1"]) { _ = try RMSprop(clipnorm: -1) }
        assertThrowsKestrel(.invalidArgument, ["ExponentialDecay", "decaySteps must be positive", "got 0"]) {
            _ = try ExponentialDecay(initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5)
        }
        assertThrowsKestrel(.invalidArgument, ["CosineDecay", "decaySteps must be positive", "got -3"]) {
            _ = try CosineDecay(initialLearningRate: 0.1, decaySteps: -3)
        }
        assertThrowsKestrel(.invalidArgument, ["PiecewiseConstant", "2 values for 2 boundaries", "one more value"]) {
            _ = try PiecewiseConstantDecay(boundaries: [1, 2], values: [1, 0.5])
        }
        for scale in [0, -2, Double.infinity] {
            assertThrowsKestrel(.invalidArgument, ["VarianceScaling", "scale must be a positive number", "got \(scale)"]) {
                _ = try VarianceScaling(scale: scale)
            }
        }
    }

    func testInputAfterOtherLayersOfASequentialThrows() {
        let model = Sequential([Dense(2)])
        assertThrowsKestrel(.invalidArgument, ["Input(shape:) must be the first layer", "after 1 layer", "move it to the top"]) {
            try model.add(Input(shape: [3], name: "late"))
        }
        // The builder cannot throw, so the first use reports it.
        let built = Sequential {
            Dense(2)
            Input(shape: [3])
        }
        assertThrowsKestrel(.invalidArgument, ["Input(shape:) must be the first layer"]) {
            _ = try built.predict(Tensor.zeros([1, 3]))
        }
    }
    func testSampleAndClassWeightsThatDoNotFitThrow() throws {
        let model = try compiledModel()
        let x = Tensor.zeros([4, 3]), y = Tensor.zeros([4, 2])
        assertThrowsKestrel(.shapeMismatch, ["sampleWeight has shape [3]", "targets have shape [4, 2]", "one weight per sample [4]"]) {
            try model.fit(x: x, y: y, sampleWeight: Tensor.ones([3]), verbose: .silent)
        }
        assertThrowsKestrel(.invalidArgument, ["classWeight or sampleWeight, not both"]) {
            try model.fit(x: x, y: y, sampleWeight: Tensor.ones([4]), classWeight: [0: 2], verbose: .silent)
        }
        assertThrowsKestrel(.invalidData, ["sampleWeight contains NaN"]) {
            _ = try model.evaluate(x: x, y: y, sampleWeight: Tensor([1, .nan, 1, 1]))
        }
        assertThrowsKestrel(.invalidArgument, ["validationSampleWeight needs validationData"]) {
            try model.fit(x: x, y: y, validationSampleWeight: Tensor.ones([4]), verbose: .silent)
        }
        assertThrowsKestrel(.unsupported, ["classWeight needs targets of shape (N), (N, 1) or one-hot"]) {
            try model.trainOnBatch(x: Tensor.zeros([2, 3]), y: Tensor.zeros([2, 2, 2]), classWeight: [0: 1])
        }
    }
}
