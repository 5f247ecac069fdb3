import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class MetricTests: XCTestCase {
    func testBinaryAccuracyThresholdsAndAveragesOverSamples() {
        let metric = BinaryAccuracy()
        // Sample 1: 2 of 2 right; sample 2: 1 of 2 (0.5 is not above the threshold).
        metric.update(yTrue: Tensor([[1, 0], [1, 1]]), yPred: Tensor([[0.7, 0.2], [0.5, 0.9]]))
        XCTAssertEqual(metric.result, 0.75)
        // A second batch of one sample, wrong: (1 + 0.5 + 0) / 3 — the mean over samples, not batches.
        metric.update(yTrue: Tensor([[0, 0]]), yPred: Tensor([[0.6, 0.8]]))
        XCTAssertEqual(metric.result, 0.5, accuracy: 1e-7)
        metric.reset()
        XCTAssertEqual(metric.result, 0)
        let zeroThreshold = BinaryAccuracy(threshold: 0)
        zeroThreshold.update(yTrue: Tensor([1, 0, 1]), yPred: Tensor(shape: [3, 1], scalars: [2, -1, -0.5]))
        XCTAssertEqual(zeroThreshold.result, 2.0 / 3.0, accuracy: 1e-7)
    }

    func testCategoricalAndSparseAccuracy() {
        let probs = Tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.4, 0.5, 0.1]])
        let categorical = CategoricalAccuracy()
        categorical.update(yTrue: Tensor([[0, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]]), yPred: probs)
        XCTAssertEqual(categorical.result, 0.5)
        let sparse = SparseCategoricalAccuracy()
        sparse.update(yTrue: Tensor([1, 1, 2, 0]), yPred: probs)
        XCTAssertEqual(sparse.result, 0.5)
        sparse.update(yTrue: Tensor(shape: [4, 1], scalars: [1, 0, 2, 1]), yPred: probs)
        XCTAssertEqual(sparse.result, 6.0 / 8.0)
        // Sequences: (N, T) ids against (N, T, C); each sample is averaged over T first.
        let sequence = SparseCategoricalAccuracy()
        sequence.update(yTrue: Tensor([[1, 0], [2, 2]]), yPred: probs.reshaped([2, 2, 3]))
        // Sample 1: argmax [1, 0] vs [1, 0] → 1; sample 2: argmax [2, 1] vs [2, 2] → 0.5.
        XCTAssertEqual(sequence.result, 0.75)
    }

    func testSampleWeightsWeighSamplesLikeKeras() {
        let metric = MeanAbsoluteErrorMetric()
        // Per-sample MAE: 1 and 3, weights 3 and 1 → (3 + 3) / 4.
        metric.update(yTrue: Tensor([[0, 0], [0, 0]]), yPred: Tensor([[1, -1], [3, 3]]), sampleWeight: Tensor([3, 1]))
        XCTAssertEqual(metric.result, 1.5)
        let mse = MeanSquaredErrorMetric()
        mse.update(yTrue: Tensor([[0, 0], [0, 0]]), yPred: Tensor([[1, -1], [3, 3]]))
        XCTAssertEqual(mse.result, 5)
        // Per-position weights on (N, T) values: sample totals are means over T.
        let sparse = SparseCategoricalAccuracy()
        sparse.update(yTrue: Tensor([[1, 0], [2, 2]]), yPred: Tensor([[[0, 1, 0], [0, 1, 0]], [[0, 0, 1], [0, 0, 1]]]),
                      sampleWeight: Tensor([[1, 1], [0, 2]]))
        // values·w = [1, 0] and [0, 2] → sample means 0.5 and 1; weight means 1 and 1.
        XCTAssertEqual(sparse.result, 0.75)
    }

    func testTopKCountsTiesAsInside() {
        let predictions = Tensor([[0.1, 0.4, 0.3, 0.2], [0.25, 0.25, 0.25, 0.25], [0.9, 0.05, 0.03, 0.02]])
        let topTwo = SparseTopKCategoricalAccuracy(k: 2)
        topTwo.update(yTrue: Tensor([2, 3, 3]), yPred: predictions)
        // Row 1: class 2 is second → hit; row 2: all tied → hit; row 3: class 3 is last → miss.
        XCTAssertEqual(topTwo.result, 2.0 / 3.0, accuracy: 1e-7)
        let oneHot = TopKCategoricalAccuracy(k: 1)
        oneHot.update(yTrue: Tensor([[0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0]]), yPred: predictions)
        XCTAssertEqual(oneHot.result, 1)
        let nonFinite = SparseTopKCategoricalAccuracy(k: 3)
        nonFinite.update(yTrue: Tensor([0]), yPred: Tensor([[Float.nan, 0, 1, 2]]))
        XCTAssertEqual(nonFinite.result, 0)
    }

    func testResolveAccuracyByShapesAsKerasCompileDoes() throws {
        let binary = try Metrics.resolve("accuracy", loss: BinaryCrossentropy())
        binary.update(yTrue: Tensor(shape: [2, 1], scalars: [1, 0]), yPred: Tensor(shape: [2, 1], scalars: [0.9, 0.6]))
        XCTAssertEqual(binary.result, 0.5)
        XCTAssertEqual(binary.name, "accuracy")

        let categorical = try Metrics.resolve("acc")
        categorical.update(yTrue: Tensor([[0, 1], [1, 0]]), yPred: Tensor([[0.3, 0.7], [0.2, 0.8]]))
        XCTAssertEqual(categorical.result, 0.5)
        XCTAssertEqual(categorical.name, "acc")

        let sparse = try Metrics.resolve("accuracy", loss: SparseCategoricalCrossentropy(fromLogits: true))
        sparse.update(yTrue: Tensor([1, 1, 0]), yPred: Tensor([[-1, 2], [3, 0], [5, 1]]))
        XCTAssertEqual(sparse.result, 2.0 / 3.0, accuracy: 1e-7)

        XCTAssertEqual(try Metrics.resolve("mae").name, "mae")
        XCTAssertTrue(try Metrics.resolve("mean_squared_error") is MeanSquaredErrorMetric)
        XCTAssertTrue(try Metrics.resolve("top_k_categorical_accuracy") is TopKCategoricalAccuracy)
        XCTAssertEqual(try Metrics.resolve("SparseCategoricalAccuracy").name, "sparse_categorical_accuracy")
        assertThrowsMessage(["unknown metric \"f1\""]) { _ = try Metrics.resolve("f1") }
    }
}
