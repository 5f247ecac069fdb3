import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// Layer-level checks of the convolutional family: output shapes and size arithmetic,
/// finite-difference input gradients through every layer, BatchNormalization's moving
/// statistics, and the shape errors users see.
final class ConvolutionLayerTests: XCTestCase {
    /// Output shape and finite-difference input gradient of one layer; `spaced` inputs
    /// have no near-ties (for max pooling).
    func check(_ layer: Layer, input shape: [Int], output: [Int], training: Bool = false, spaced: Bool = false,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let x = spaced ? spacedTensor(shape) : randomTensor(shape, seed: 5)
        let y = try layer(x, training: training)
        XCTAssertEqual(y.shape, output, "\(type(of: layer))", file: file, line: line)
        assertGradientsMatch([x], file: file, line: line) { t in try! layer(t[0], training: training) }
    }

    func testConvolutionLayers() throws {
        try check(Conv2D(4, kernelSize: 3, padding: .same, activation: .tanh), input: [2, 7, 9, 3], output: [2, 7, 9, 4])
        try check(Conv2D(2, kernelSize: (8, 1), strides: (2, 1), padding: .same), input: [2, 9, 4, 1], output: [2, 5, 4, 2])
        try check(Conv2D(3, kernelSize: 3, dilationRate: 2), input: [1, 7, 8, 2], output: [1, 3, 4, 3])
        try check(Conv1D(3, kernelSize: 3, strides: 2, padding: .causal), input: [2, 9, 2], output: [2, 5, 3])
        try check(Conv1D(3, kernelSize: 4, padding: .same, dilationRate: 2), input: [2, 9, 2], output: [2, 9, 3])
        try check(Conv2DTranspose(3, kernelSize: 3, strides: 2, padding: .same), input: [2, 4, 5, 2], output: [2, 8, 10, 3])
        try check(Conv2DTranspose(3, kernelSize: 3, strides: 2), input: [2, 4, 5, 2], output: [2, 9, 11, 3])
        try check(Conv2DTranspose(2, kernelSize: 1, strides: 2), input: [1, 3, 3, 2], output: [1, 6, 6, 2])
        try check(DepthwiseConv2D(kernelSize: (3, 3), strides: (2, 2), depthMultiplier: 2), input: [2, 7, 9, 3], output: [2, 3, 4, 6])
        try check(SeparableConv2D(4, kernelSize: (3, 3), padding: .same, depthMultiplier: 2), input: [2, 5, 6, 3], output: [2, 5, 6, 4])
    }

    func testPoolingAndReshapingLayers() throws {
        try check(MaxPooling2D(2), input: [2, 5, 5, 3], output: [2, 2, 2, 3], spaced: true)
        try check(AveragePooling2D(poolSize: (3, 3), strides: (2, 2), padding: .same), input: [2, 7, 9, 2], output: [2, 4, 5, 2])
        try check(MaxPooling1D(3, strides: 2, padding: .same), input: [2, 11, 3], output: [2, 6, 3], spaced: true)
        try check(AveragePooling1D(2), input: [2, 11, 3], output: [2, 5, 3])
        try check(GlobalAveragePooling2D(keepdims: true), input: [2, 3, 4, 5], output: [2, 1, 1, 5])
        try check(GlobalMaxPooling2D(), input: [2, 3, 4, 5], output: [2, 5], spaced: true)
        try check(GlobalAveragePooling1D(), input: [2, 7, 3], output: [2, 3])
        try check(GlobalMaxPooling1D(keepdims: true), input: [2, 7, 3], output: [2, 1, 3], spaced: true)
        try check(ZeroPadding2D(padding: ((1, 2), (3, 0))), input: [2, 3, 4, 2], output: [2, 6, 7, 2])
        try check(ZeroPadding1D(padding: (1, 3)), input: [2, 5, 3], output: [2, 9, 3])
        try check(Cropping2D(cropping: ((1, 0), (2, 1))), input: [2, 5, 6, 2], output: [2, 4, 3, 2])
        try check(Cropping1D(cropping: (1, 2)), input: [2, 7, 3], output: [2, 4, 3])
        try check(UpSampling1D(3), input: [2, 4, 2], output: [2, 12, 2])
        try check(UpSampling2D(size: (2, 3)), input: [2, 3, 4, 2], output: [2, 6, 12, 2])
        try check(UpSampling2D(2, interpolation: .bilinear), input: [2, 3, 4, 2], output: [2, 6, 8, 2])
    }

    func testNormalizationLayers() throws {
        try check(BatchNormalization(), input: [6, 4], output: [6, 4], training: true)
        try check(BatchNormalization(axis: 1), input: [3, 4, 5], output: [3, 4, 5])
        try check(LayerNormalization(), input: [3, 5], output: [3, 5])
        try check(LayerNormalization(axes: [1, 2]), input: [2, 5, 3], output: [2, 5, 3])
        try check(LayerNormalization(axes: [1]), input: [2, 5, 3], output: [2, 5, 3])
    }

    func testBatchNormalizationMovesItsStatisticsOnlyInTraining() throws {
        let bn = BatchNormalization(momentum: 0.5)
        let x = Tensor(shape: [4, 1], scalars: [1, 2, 3, 6])
        _ = try bn(x, training: false)
        assertClose(bn.movingMean!.value, [0])
        _ = try bn(x, training: true)
        assertClose(bn.movingMean!.value, [1.5])
        assertClose(bn.movingVariance!.value, [2.25])
        // Inference now uses the moving statistics: (x - 1.5) / sqrt(2.25 + 0.001).
        let y = try bn(Tensor(shape: [1, 1], scalars: [3]), training: false)
        assertClose(y, [1.5 / (2.251 as Float).squareRoot()])
    }

    func testRank3BatchToConv2DExplainsTheChannelsAxis() {
        let conv = Conv2D(8, kernelSize: 3, name: "c1")
        assertThrowsMessage(["c1", "Conv2D expects (samples, rows, cols, channels); got [32, 28, 28]. Add a channels axis: Reshape([28, 28, 1])"]) {
            _ = try conv(Tensor.zeros([32, 28, 28]))
        }
        assertThrowsMessage(["Conv1D expects (samples, steps, channels); got [4, 100]", "Reshape([100, 1])"]) {
            _ = try Conv1D(8, kernelSize: 3)(Tensor.zeros([4, 100]))
        }
    }

    func testKernelLargerThanInputFailsAtBuild() {
        let model = Sequential {
            Input(shape: [4, 4, 1])
            Conv2D(2, kernelSize: 5, name: "big")
        }
        assertThrowsMessage(["big (Conv2D)", "5×5", "4×4"]) { try model.build(inputShape: [4, 4, 1]) }
        assertThrowsMessage(["pool (MaxPooling1D)", "3 steps", "2"]) {
            _ = try MaxPooling1D(3, name: "pool")(Tensor.zeros([1, 2, 1]))
        }
    }

    func testSmallCNNTrainsOnATinyTask() throws {
        // Bright-left vs bright-right 6×6 images: a conv net must separate them quickly.
        GlobalRandom.setSeed(3)
        var g = RandomGenerator(seed: 4)
        let n = 64
        var xs = Tensor.randomUniform([n, 6, 6, 1], min: 0, max: 0.2, generator: &g).scalars
        var ys = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let right = i % 2
            ys[i] = Float(right)
            for r in 0..<6 { for c in 0..<3 { xs[((i * 6 + r) * 6 + c + right * 3)] += 0.8 } }
        }
        let x = Tensor(shape: [n, 6, 6, 1], scalars: xs), y = Tensor(ys)
        let model = Sequential {
            Input(shape: [6, 6, 1])
            Conv2D(4, kernelSize: 3, padding: .same, activation: .relu)
            BatchNormalization()
            MaxPooling2D(2)
            GlobalAveragePooling2D()
            Dense(2)
        }
        try model.compile(optimizer: Adam(learningRate: 0.05), loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
        try model.fit(x: x, y: y, batchSize: 16, epochs: 15, verbose: .silent)
        XCTAssertGreaterThanOrEqual(try model.evaluate(x: x, y: y)["accuracy"] ?? 0, 0.95)
    }
}
