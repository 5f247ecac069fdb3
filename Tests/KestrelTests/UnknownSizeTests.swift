import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats

/// Inputs with unknown sizes (Keras's `None`): Keras `.keras` files with null sizes load
/// and predict what Keras predicts for batches of different lengths and image sizes, the
/// summary shows `None` where Keras does, and Swift models declared with `nil` sizes train
/// on one length and run on another.
final class UnknownSizeTests: XCTestCase {
    func testKerasModelsWithUnknownSizesLoadAndPredictWhatKerasPredicts() throws {
        let folder = IOFixtures.url("keras_unknown_sizes")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".keras") }.sorted()
        XCTAssertEqual(names.count, 4)
        for name in names {
            let data = try SafeTensors(contentsOf: folder.appendingPathComponent(name.replacingOccurrences(of: ".keras", with: ".safetensors")))
            func tensor(_ key: String) throws -> Tensor { try fixtureTensor(data, key) }
            let model = try Model.load(from: folder.appendingPathComponent(name))
            assertMatchesKeras(try model.predict(try tensor("a")), try tensor("y_a"), "\(name) batch a")
            assertMatchesKeras(try model.predict(try tensor("b")), try tensor("y_b"), "\(name) batch b")
            let summary = try model.summary()
            let shapes = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data((data.metadata["output_shapes"] ?? "").utf8)) as? [String])
            for shape in shapes { XCTAssertTrue(summary.contains(shape), "\(name): Keras's output shape \(shape) is not in\n\(summary)") }
        }
    }

    func testASwiftModelWithAnUnknownLengthTrainsOnOneLengthAndRunsOnAnother() throws {
        GlobalRandom.setSeed(4)
        let model = Sequential {
            Input(shape: [nil, 3])
            LSTM(4, returnSequences: true)
            Dense(2)
        }
        try model.compile(optimizer: Adam(learningRate: 0.01), loss: MeanSquaredError())
        let short = randomTensor([6, 5, 3], seed: 1), long = randomTensor([2, 11, 3], seed: 2)
        let before = try model.evaluate(x: short, y: short.sliced(alongAxis: 2, 0..<2))["loss"]!
        try model.fit(x: short, y: short.sliced(alongAxis: 2, 0..<2), batchSize: 3, epochs: 20, verbose: .silent)
        XCTAssertLessThan(try model.evaluate(x: short, y: short.sliced(alongAxis: 2, 0..<2))["loss"]!, before)
        XCTAssertEqual(try model.predict(long).shape, [2, 11, 2])
        try model.fit(x: long, y: long.sliced(alongAxis: 2, 0..<2), epochs: 1, verbose: .silent)
        XCTAssertTrue(try model.summary().contains("(None, None, 4)"))
        // The known feature size is still checked.
        assertThrowsKestrel(.shapeMismatch, ["(samples, None, 3)", "got [2, 5, 4]"]) { _ = try model.predict(Tensor.zeros([2, 5, 4])) }
        // The config writes null for the unknown size, and reading it back keeps it unknown.
        let json = try Model.jsonString(try model.modelConfig)
        XCTAssertTrue(json.contains("\"batch_shape\":[null,null,3]"), json)
        let again = try Model.fromConfig(try JSONSerialization.jsonObject(with: Data(json.utf8)))
        XCTAssertEqual(try again.predict(long).shape, [2, 11, 2])
    }

    func testALayerThatNeedsAKnownSizeSaysSo() {
        assertThrowsKestrel(.shapeMismatch, ["needs known sizes where the input has unknown ones (None)", "Dense"]) {
            let model = Sequential {
                Input(shape: [4, nil])
                Dense(2)
            }
            _ = try model.summary()
        }
        let input = Input(shape: [nil, nil, 3])
        assertThrowsKestrel(.shapeMismatch, ["needs known sizes", "Dense"]) {
            _ = try Dense(2)(try Flatten()(input))
        }
    }
}
