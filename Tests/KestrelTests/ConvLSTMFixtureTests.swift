import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats

/// ConvLSTM2D against real Keras 3 (`Fixtures/keras_convlstm`, made by
/// `make_convlstm_fixtures.py`): outputs, states and the gradients of the input and every
/// weight for valid and same padding, strides, dilation, go_backwards and return_state; and
/// a Keras next-frame model over an unknown number of frames, loaded and run.
final class ConvLSTMFixtureTests: XCTestCase {
    func testLayerMatchesKerasForwardAndBackward() throws {
        let folder = IOFixtures.url("keras_convlstm")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("layer_") }.sorted()
        XCTAssertEqual(names.count, 9)
        for name in names {
            let file = try SafeTensors(contentsOf: folder.appendingPathComponent(name))
            let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data((file.metadata["config"] ?? "").utf8)) as? [String: Any])
            let layer = try KerasLayerRegistry.makeLayer(className: try XCTUnwrap(file.metadata["layer"]), config: config)
            let inputs = try (0..<3).filter { file.tensors["x\($0)"] != nil }.map { try fixtureTensor(file, "x\($0)").requiringGradient() }
            try layer.buildIfNeeded(inputShapes: inputs.map(\.shape))
            for (i, p) in layer.weights.enumerated() { try p.assign(try fixtureTensor(file, "w/\(i)")) }
            let mask = file.tensors["mask"] != nil ? try fixtureTensor(file, "mask") : nil
            let outputs = try layer(inputs, mask: mask)
            assertMatchesKeras(outputs[0], try fixtureTensor(file, "y"), "\(name) y")
            var s = (outputs[0] * (try fixtureTensor(file, "r"))).sum()
            for (i, state) in outputs.dropFirst().enumerated() {
                assertMatchesKeras(state, try fixtureTensor(file, "state/\(i)"), "\(name) state \(i)")
                s = s + (state * (try fixtureTensor(file, "r_state/\(i)"))).sum()
            }
            let grads = Tensor.gradients(of: s, withRespectTo: inputs + layer.weights.map(\.value))
            for i in inputs.indices { assertMatchesKeras(grads[i], try fixtureTensor(file, "dx\(i)"), "\(name) dx\(i)") }
            for i in layer.weights.indices {
                assertMatchesKeras(grads[inputs.count + i], try fixtureTensor(file, "dw/\(i)"), "\(name) dw/\(i)")
            }
        }
    }

    func testKerasNextFrameModelPredictsWhatKerasPredicts() throws {
        let file = try SafeTensors(contentsOf: IOFixtures.url("keras_convlstm/model_next_frame.safetensors"))
        let model = try Model.load(from: IOFixtures.url("keras_convlstm/model_next_frame.keras"))
        let x = try fixtureTensor(file, "x0")
        assertMatchesKeras(try model.predict(x), try fixtureTensor(file, "y"), "next-frame model")
        // Fewer frames than it was saved with: the frame count is unknown (None).
        XCTAssertEqual(try model.predict(x.sliced(alongAxis: 1, 0..<2)).shape, [2, 2, 8, 8, 1])
    }

    func testGradientsMatchFiniteDifferencesAndMisuseThrows() throws {
        let layer = ConvLSTM2D(2, kernelSize: 2, padding: .same, returnSequences: true)
        assertGradientsMatch([randomTensor([1, 3, 3, 3, 1], seed: 4)], tolerance: 2e-2) { v in try! layer(v)[0] }
        assertThrowsKestrel(.shapeMismatch, ["(ConvLSTM2D) expects (samples, time, rows, cols, channels)", "[2, 3, 4]"]) {
            _ = try ConvLSTM2D(2, kernelSize: 3)(Tensor.zeros([2, 3, 4]))
        }
        assertThrowsKestrel(.invalidArgument, ["(ConvLSTM2D)", "filters must be positive"]) {
            _ = try ConvLSTM2D(0, kernelSize: 3)(Tensor.zeros([1, 2, 4, 4, 1]))
        }
    }
}
