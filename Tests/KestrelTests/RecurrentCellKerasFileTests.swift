import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats

/// Keras `.keras` models built with `RNN(cell)` — LSTMCell, GRUCell (both reset_after
/// modes), SimpleRNNCell, stacked cells — load and predict what Keras predicts
/// (`Fixtures/keras_rnn_cells`, made by `make_rnn_cell_fixtures.py`).
final class RecurrentCellKerasFileTests: XCTestCase {
    func testRNNCellModelsPredictWhatKerasPredicts() throws {
        let folder = IOFixtures.url("keras_rnn_cells")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".keras") }.sorted()
        XCTAssertEqual(names.count, 5)
        for name in names {
            let file = try SafeTensors(contentsOf: folder.appendingPathComponent(name.replacingOccurrences(of: ".keras", with: ".safetensors")))
            let model = try Model.load(from: folder.appendingPathComponent(name))
            assertMatchesKeras(try model.predict(try fixtureTensor(file, "x0")), try fixtureTensor(file, "y"), name)
        }
    }
}
