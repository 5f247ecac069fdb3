import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats

/// Rescaling, Normalization, Resizing and CenterCrop against real Keras 3
/// (`Fixtures/keras_preprocessing`, made by `make_preprocessing_fixtures.py`): each layer read
/// from Keras's config gives Keras's outputs (and input gradients, where TensorFlow has one),
/// writes Keras's config keys and reads its own config back; the resize op passes the
/// finite-difference check for every interpolation; bad arguments throw.
final class PreprocessingLayerTests: XCTestCase {
    /// The layer a Keras config describes, read as `KerasLayerRegistry.makeLayer` reads it
    /// (the class's `fromKeras`, then every key must have been read).
    private func kerasLayer(_ className: String, _ values: [String: Any]) throws -> Layer {
        let types: [String: any KerasReadableLayer.Type] = [
            "Rescaling": Rescaling.self, "Normalization": Normalization.self, "Resizing": Resizing.self, "CenterCrop": CenterCrop.self,
        ]
        let type = try XCTUnwrap(types[className], "no preprocessing layer \(className)")
        let c = KerasConfig(className: className, values: values)
        let layer = try type.fromKeras(c)
        _ = c["trainable"]
        try c.requireEveryKeyRead(ignoring: ["name", "dtype"])
        return layer
    }

    private func assertMatches(_ got: Tensor, _ want: Tensor, atol: Float, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.shape, want.shape, "\(what): shape", file: file, line: line)
        let worst = zip(got.scalars, want.scalars).map { Swift.abs($0 - $1) - (atol + 1e-4 * Swift.abs($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, 0, "\(what): differs from Keras beyond atol \(atol) + rtol 1e-4", file: file, line: line)
    }

    private func json(_ config: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), as: UTF8.self)
    }

    func testLayersMatchKerasAndReadTheirOwnConfigs() throws {
        let file = try SafeTensors(contentsOf: IOFixtures.url("keras_preprocessing/preprocessing_cases.safetensors"))
        let cases = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data((file.metadata["cases"] ?? "").utf8)) as? [[String: Any]])
        XCTAssertEqual(cases.count, 40)
        let x = try fixtureTensor(file, "x")
        let inputs = ["x": x, "x_first": x.sliced(alongAxis: 0, 0..<1), "x_hwc": x.selecting(index: 0, alongAxis: 0)]
        for entry in cases {
            let name = try XCTUnwrap(entry["case"] as? String), className = try XCTUnwrap(entry["layer"] as? String)
            let config = try XCTUnwrap(entry["config"] as? [String: Any])
            let input = try XCTUnwrap(inputs[try XCTUnwrap(entry["input"] as? String)], name)
            let atol = try XCTUnwrap(entry["atol"] as? NSNumber, name).floatValue
            let layer = try kerasLayer(className, config)
            switch entry["adapt"] as? String {
            case "whole"?:
                try XCTUnwrap(layer as? Normalization).adapt(input)
            case "batches"?:
                try XCTUnwrap(layer as? Normalization).adapt([input.sliced(alongAxis: 0, 0..<1), input.sliced(alongAxis: 0, 1..<input.shape[0])])
            default:
                break
            }
            for (i, weight) in layer.weights.enumerated() where file.tensors["\(name)/w/\(i)"] != nil {
                assertMatches(weight.value, try fixtureTensor(file, "\(name)/w/\(i)"), atol: atol, "\(name) weight \(i)")
            }
            let variable = input.requiringGradient()
            let y = try layer(variable)
            assertMatches(y, try fixtureTensor(file, "\(name)/y"), atol: atol, "\(name) y")
            if file.tensors["\(name)/dx"] != nil {
                let dx = Tensor.gradients(of: (y * y).sum() * 0.5, withRespectTo: [variable])[0]
                assertMatches(dx, try fixtureTensor(file, "\(name)/dx"), atol: atol * 10, "\(name) dx")
            }
            // Kestrel writes Keras's keys, and what it writes reads back as the same layer.
            XCTAssertEqual(Set(layer.kerasConfig.keys), Set(config.keys), name)
            let again = try kerasLayer(className, layer.kerasConfig)
            XCTAssertEqual(try json(again.configuration), try json(layer.configuration), name)
            try again.buildIfNeeded(inputShapes: [input.shape])
            for (copy, original) in zip(again.weights, layer.weights) { try copy.assign(original.value) }
            XCTAssertEqual(try again(input), y.detached(), name)
        }
    }

    func testResizeGradientsMatchFiniteDifferences() {
        let images = randomTensor([2, 4, 5, 2], seed: 3)
        for interpolation in ImageInterpolation.allCases {
            for (height, width) in [(3, 7), (6, 2)] {
                assertGradientsMatch([images]) { try! $0[0].resized(height: height, width: width, interpolation: interpolation) }
            }
        }
        assertGradientsMatch([randomTensor([4, 5, 2], seed: 5)]) { try! $0[0].resized(height: 7, width: 3, interpolation: .bicubic) }
        assertGradientsMatch([images]) {
            try! $0[0].resizedKeepingAspect(height: 3, width: 3, interpolation: .bilinear, cropToAspectRatio: false,
                                            padToAspectRatio: true, fillValue: 0.5)
        }
        let crop = CenterCrop(height: 6, width: 3)
        assertGradientsMatch([images]) { try! crop($0[0]) }
    }

    func testFunctionalModelsSeeTheOutputShapes() throws {
        let input = Input(shape: [7, 9, 3])
        let scaled = try Rescaling(scale: 1 / 255)(input)
        let resized = try Resizing(height: 5, width: 4, interpolation: .area, padToAspectRatio: true)(scaled)
        let cropped = try CenterCrop(height: 8, width: 6)(resized)
        XCTAssertEqual(resized.shape, [5, 4, 3])
        XCTAssertEqual(cropped.shape, [8, 6, 3])
        let model = try Model(inputs: input, outputs: cropped)
        XCTAssertEqual(try model.predict(randomTensor([2, 7, 9, 3], seed: 8, min: 0, max: 255)).shape, [2, 8, 6, 3])
    }

    func testAdaptOverBatchesEqualsAdaptOverTheWholeData() throws {
        let data = randomTensor([6, 4, 3], seed: 9, min: -5, max: 20)
        let whole = Normalization(axis: [-1]), batched = Normalization(axis: [-1])
        try whole.adapt(data)
        try batched.adapt([data.sliced(alongAxis: 0, 0..<1), data.sliced(alongAxis: 0, 1..<4), data.sliced(alongAxis: 0, 4..<6)])
        assertClose(try XCTUnwrap(batched.adaptedMean).value, try XCTUnwrap(whole.adaptedMean).value.scalars, tolerance: 1e-5)
        assertClose(try XCTUnwrap(batched.adaptedVariance).value, try XCTUnwrap(whole.adaptedVariance).value.scalars, tolerance: 1e-5)
        let normalized = try whole(data)
        assertClose(normalized.mean(alongAxes: [0, 1]), [0, 0, 0], tolerance: 1e-5)
        assertClose(normalized.variance(alongAxes: [0, 1]), [1, 1, 1], tolerance: 1e-4)
        XCTAssertEqual(whole.weights.map(\.name), ["mean", "variance", "count"])
        XCTAssertEqual(whole.count?.value.scalar, 0, "Keras 3 never updates count")
    }

    func testBadArgumentsThrow() throws {
        let images = Tensor.zeros([1, 4, 6, 3])
        assertThrowsKestrel(.invalidArgument, ["resized(height:width:interpolation:)", "height -2"]) {
            _ = try images.resized(height: -2, width: 3)
        }
        assertThrowsKestrel(.shapeMismatch, ["resized(height:width:interpolation:)", "[4, 6]"]) {
            _ = try Tensor.zeros([4, 6]).resized(height: 2, width: 2)
        }
        assertThrowsKestrel(.invalidArgument, ["(Resizing)", "height -1"]) { _ = try Resizing(height: -1, width: 4)(images) }
        assertThrowsKestrel(.invalidArgument, ["(Resizing)", "only one of"]) {
            _ = try Resizing(height: 2, width: 2, cropToAspectRatio: true, padToAspectRatio: true)(images)
        }
        assertThrowsKestrel(.invalidArgument, ["(CenterCrop)", "height 0"]) { _ = try CenterCrop(height: 0, width: 2)(images) }
        assertThrowsKestrel(.shapeMismatch, ["(CenterCrop)", "[4, 6]"]) { _ = try CenterCrop(height: 2, width: 2)(Tensor.zeros([4, 6])) }
        assertThrowsKestrel(.invalidArgument, ["Resizing config", "\"cubic\"", "lanczos5"]) {
            _ = try self.kerasLayer("Resizing", ["height": 2, "width": 2, "interpolation": "cubic"])
        }
        assertThrowsKestrel(.unsupported, ["Resizing config", "data_format"]) {
            _ = try self.kerasLayer("Resizing", ["height": 2, "width": 2, "data_format": "channels_first"])
        }
        assertThrowsKestrel(.unsupported, ["Resizing config", "antialias"]) {
            _ = try self.kerasLayer("Resizing", ["height": 2, "width": 2, "antialias": true])
        }
        assertThrowsKestrel(.unsupported, ["CenterCrop config", "\"kernel_sizes\""]) {
            _ = try self.kerasLayer("CenterCrop", ["height": 2, "width": 2, "kernel_sizes": 3])
        }
        assertThrowsKestrel(.invalidArgument, ["Normalization config", "\"variance\""]) {
            _ = try self.kerasLayer("Normalization", ["axis": [-1], "mean": [1, 2, 3]])
        }
        assertThrowsKestrel(.invalidArgument, ["Rescaling config", "\"scale\""]) {
            _ = try self.kerasLayer("Rescaling", ["scale": [[1, 2], [3]]])
        }
        assertThrowsKestrel(.shapeMismatch, ["(Rescaling)", "scale of shape [4]"]) {
            _ = try Rescaling(scale: Tensor([1, 2, 3, 4]))(images)
        }
        assertThrowsKestrel(.invalidArgument, ["(Normalization)", "adapt computes them"]) {
            try Normalization(mean: Tensor([1, 2, 3]), variance: Tensor([1, 1, 1])).adapt(images)
        }
        assertThrowsKestrel(.shapeMismatch, ["(Normalization)", "adapt batch 1", "[1, 4, 6, 2]"]) {
            try Normalization().adapt([images, Tensor.zeros([1, 4, 6, 2])])
        }
        assertThrowsKestrel(.invalidArgument, ["(Normalization)", "axis [3, -1]", "twice"]) {
            _ = try Normalization(axis: [3, -1])(images)
        }
    }
}
