import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class DatasetTests: XCTestCase {
    /// Ten samples whose features and targets both encode the sample index.
    private func indexed(_ n: Int = 10) throws -> Dataset {
        try Dataset(x: Tensor(shape: [n, 2], scalars: (0..<n).flatMap { [Float($0), Float($0) + 0.5] }),
                    labels: IntTensor(Array(0..<n)))
    }

    func testSampleCountsMustMatch() {
        assertThrowsKestrel(.shapeMismatch, ["x has 3 samples", "y has 4"]) {
            _ = try Dataset(x: Tensor.zeros([3, 2]), y: Tensor.zeros([4]))
        }
        assertThrowsKestrel(.shapeMismatch, ["sample axis"]) { _ = try Dataset(x: Tensor(1), y: Tensor(1)) }
    }

    func testBatchesKeepOrderAndTheLastPartialBatch() throws {
        let data = try indexed()
        let batches = try data.batches(size: 4)
        XCTAssertEqual(batches.count, 3)
        let all = Array(batches)
        XCTAssertEqual(all.map { $0.x.shape }, [[4, 2], [4, 2], [2, 2]])
        XCTAssertEqual(all.flatMap { $0.y.scalars }, (0..<10).map(Float.init))
        XCTAssertEqual(all[2].x.scalars, [8, 8.5, 9, 9.5])
        assertThrowsKestrel(.invalidArgument, ["batch size", "0"]) { _ = try data.batches(size: 0) }
    }

    func testShuffledBatchesAreReproduciblePermutationsThatKeepPairs() throws {
        let data = try indexed()
        func order(_ seed: UInt64) throws -> [Float] {
            try data.batches(size: 3, shuffle: true, seed: seed).flatMap { batch -> [Float] in
                for i in 0..<batch.y.count { XCTAssertEqual(batch.x[i, 0], batch.y[i]) }
                return batch.y.scalars
            }
        }
        let first = try order(42)
        XCTAssertEqual(first, try order(42))
        XCTAssertNotEqual(first, try order(43))
        XCTAssertEqual(first.sorted(), (0..<10).map(Float.init))
        XCTAssertNotEqual(first, (0..<10).map(Float.init))
        XCTAssertEqual(Dataset.permutation(count: 10, seed: 42).map(Float.init), first)
        XCTAssertEqual(Dataset.permutation(count: 0, seed: 1), [])
        XCTAssertEqual(Dataset.permutation(count: 1, seed: 1), [0])
    }

    func testPermutationIsUniformEnough() {
        var firstPosition = [Int](repeating: 0, count: 4)
        for seed in 0..<4000 { firstPosition[Dataset.permutation(count: 4, seed: UInt64(seed))[0]] += 1 }
        for count in firstPosition { XCTAssertEqual(Double(count), 1000, accuracy: 120, "\(firstPosition)") }
    }

    func testValidationSplitTakesTheLastFractionLikeKeras() throws {
        let data = try indexed()
        let (training, validation) = try data.split(validationFraction: 0.2)
        XCTAssertEqual(training.y.scalars, (0..<8).map(Float.init))
        XCTAssertEqual(validation.y.scalars, [8, 9])
        XCTAssertEqual(validation.x.scalars, [8, 8.5, 9, 9.5])
        // Keras: split_at = int(n * (1 - validation_split)).
        XCTAssertEqual(try data.split(validationFraction: 0.3).training.count, 7)
        XCTAssertEqual(try indexed(7).split(validationFraction: 0.25).validation.count, 2)
        assertThrowsKestrel(.invalidArgument, ["(0, 1)", "1.0"]) { _ = try data.split(validationFraction: 1) }
        assertThrowsKestrel(.invalidArgument, ["leaves 10 for training and 0"]) { _ = try data.split(validationFraction: 1e-17) }
        assertThrowsKestrel(.invalidArgument, ["leaves 0 for training and 1"]) { _ = try self.indexed(1).split(validationFraction: 0.5) }
    }
}
