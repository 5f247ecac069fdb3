import XCTest
@testable import KestrelCore
@testable import KestrelNN
import Kestrel

/// The same seed gives bit-identical weights at a fixed thread count: the convolution
/// weight-gradient partials are split over the threads in a fixed pattern and added in order.
final class DeterminismTests: XCTestCase {
    func trainedWeights(threads: Int, validated: Bool = false) throws -> [[Float]] {
        let saved = Threading.threadCount
        defer { Threading.threadCount = saved }
        Threading.threadCount = threads
        GlobalRandom.setSeed(17)
        let model = Sequential {
            Input(shape: [12, 12, 2])
            Conv2D(6, kernelSize: 3, activation: .relu); MaxPooling2D(2)
            Conv2D(40, kernelSize: 3, padding: .same); DepthwiseConv2D(kernelSize: (3, 3))
            Flatten(); Dropout(0.2); Dense(3)
        }
        try model.compile(optimizer: Adam(learningRate: 0.01), loss: SparseCategoricalCrossentropy(fromLogits: true))
        let x = randomTensor([96, 12, 12, 2], seed: 5)
        let y = Tensor(shape: [96], scalars: (0..<96).map { Float($0 % 3) })
        let validation = validated ? (randomTensor([20, 12, 12, 2], seed: 6), Tensor(shape: [20], scalars: (0..<20).map { Float($0 % 3) })) : nil
        _ = try model.fit(x: x, y: y, batchSize: 32, epochs: 2, validationData: validation, verbose: .silent)
        return model.weights.map(\.value.scalars)
    }

    func testSameSeedGivesIdenticalWeightsAtTwoThreads() throws {
        let a = try trainedWeights(threads: 2), b = try trainedWeights(threads: 2)
        XCTAssertEqual(a, b)
    }

    /// Validation data is only evaluated (the demos add it to draw their curves): the
    /// weights come out the same bits with or without it.
    func testValidationDataDoesNotChangeTraining() throws {
        XCTAssertEqual(try trainedWeights(threads: 2), try trainedWeights(threads: 2, validated: true))
    }
}
