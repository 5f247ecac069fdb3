import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats

/// The 3-D convolution family and the remaining 1-D convolutions against real Keras 3
/// (`Fixtures/keras_conv3d`, made by `make_conv3d_fixtures.py`): each layer built from its
/// Keras config, outputs and the gradients of the input and every weight; configs that
/// round-trip; finite-difference checks of the new ops; and misuse that throws.
final class Convolution3DTests: XCTestCase {
    /// The layer types of the fixtures, by Keras class name.
    let types: [String: KerasReadableLayer.Type] = [
        "Conv3D": Conv3D.self, "Conv3DTranspose": Conv3DTranspose.self, "Conv1DTranspose": Conv1DTranspose.self,
        "MaxPooling3D": MaxPooling3D.self, "AveragePooling3D": AveragePooling3D.self,
        "GlobalMaxPooling3D": GlobalMaxPooling3D.self, "GlobalAveragePooling3D": GlobalAveragePooling3D.self,
        "UpSampling3D": UpSampling3D.self, "ZeroPadding3D": ZeroPadding3D.self, "Cropping3D": Cropping3D.self,
        "SeparableConv1D": SeparableConv1D.self, "DepthwiseConv1D": DepthwiseConv1D.self,
        "Conv1D": Conv1D.self, "Conv2D": Conv2D.self,
    ]

    func makeLayer(_ className: String, _ values: [String: Any]) throws -> Layer {
        let type = try XCTUnwrap(types[className], className)
        let c = KerasConfig(className: className, values: values)
        let layer = try type.fromKeras(c)
        try c.requireEveryKeyRead(ignoring: ["name", "trainable", "dtype"])
        return layer
    }

    func assertClose(_ got: Tensor, _ want: Tensor, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.shape, want.shape, "\(what): shape", file: file, line: line)
        let worst = zip(got.scalars, want.scalars).map { Swift.abs($0 - $1) - (1e-4 + 1e-4 * Swift.abs($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, 0, "\(what): differs from Keras beyond atol 1e-4 + rtol 1e-4", file: file, line: line)
    }

    func testLayersMatchKerasForwardAndBackward() throws {
        let folder = IOFixtures.url("keras_conv3d")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("layer_") }.sorted()
        XCTAssertEqual(names.count, 25)
        for name in names {
            let file = try SafeTensors(contentsOf: folder.appendingPathComponent(name))
            let className = try XCTUnwrap(file.metadata["layer"])
            let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data((file.metadata["config"] ?? "").utf8)) as? [String: Any])
            let layer = try makeLayer(className, config)
            let x = try fixtureTensor(file, "x0").requiringGradient()
            try layer.buildIfNeeded(inputShapes: [x.shape])
            for (i, p) in layer.weights.enumerated() { try p.assign(try fixtureTensor(file, "w/\(i)")) }
            XCTAssertNil(file.tensors["w/\(layer.weights.count)"], "\(name): Keras has more weights")
            let y = try layer([x])[0]
            assertClose(y, try fixtureTensor(file, "y"), "\(name) y")
            let s = (y * (try fixtureTensor(file, "r"))).sum()
            let grads = Tensor.gradients(of: s, withRespectTo: [x] + layer.weights.map(\.value))
            assertClose(grads[0], try fixtureTensor(file, "dx0"), "\(name) dx0")
            for i in layer.weights.indices { assertClose(grads[i + 1], try fixtureTensor(file, "dw/\(i)"), "\(name) dw/\(i)") }
            // The config Kestrel writes reads back to a layer writing the same config.
            let again = try makeLayer(className, layer.configuration)
            let text = { (l: Layer) in String(decoding: try JSONSerialization.data(withJSONObject: l.configuration, options: .sortedKeys), as: UTF8.self) }
            XCTAssertEqual(try text(again), try text(layer), "\(name) config round trip")
        }
    }

    func testOpsGradientsMatchFiniteDifferences() throws {
        let x = randomTensor([2, 3, 4, 3, 4], seed: 1)
        let grouped = try VolumeGeometry(inputShape: x.shape, kernel: [2, 3, 2], strides: [1, 2, 1], padding: .same, groups: 2, layer: "t")
        assertGradientsMatch([x, randomTensor([2, 3, 2, 2, 4], seed: 2), randomTensor([4], seed: 3)], tolerance: 2e-2) { v in
            conv3d(v[0], v[1], bias: v[2], geometry: grouped)
        }
        let dilated = try VolumeGeometry(inputShape: [1, 4, 3, 5, 2], kernel: [2, 2, 2], dilation: [2, 1, 2], padding: .valid, layer: "t")
        assertGradientsMatch([randomTensor([1, 4, 3, 5, 2], seed: 4), randomTensor([2, 2, 2, 2, 3], seed: 5)], tolerance: 2e-2) { v in
            conv3d(v[0], v[1], geometry: dilated)
        }
        // Transposed: the adjoint of a forward convolution from (1, 5, 4, 3, 2) to its output.
        let forward = try VolumeGeometry(inputShape: [1, 5, 4, 3, 2], kernel: [3, 2, 2], strides: [2, 2, 1], padding: .same, layer: "t")
        let small = randomTensor([1] + forward.outSize + [3], seed: 6)
        assertGradientsMatch([small, randomTensor([3, 2, 2, 2, 3], seed: 7), randomTensor([2], seed: 8)], tolerance: 2e-2) { v in
            conv3dTranspose(v[0], v[1], bias: v[2], geometry: forward)
        }
        let pool = try VolumeGeometry(inputShape: x.shape, kernel: [2, 3, 2], strides: [1, 2, 2], padding: .same, layer: "t")
        // Distinct values at least 0.05 apart, so a finite-difference step never changes a window's maximum.
        let spaced = Tensor(shape: x.shape, scalars: (0..<x.count).map { Float(($0 * 37) % x.count) * 0.05 })
        assertGradientsMatch([spaced], tolerance: 2e-2) { v in maxPool3d(v[0], geometry: pool) }
        assertGradientsMatch([x], tolerance: 2e-2) { v in averagePool3d(v[0], geometry: pool) }
        assertGradientsMatch([x], tolerance: 2e-2) { v in upsampleNearest3d(v[0], scale: [2, 1, 3]) }
    }

    func testGroupedConvolutionEqualsSeparateConvolutions() throws {
        // Groups are independent convolutions of channel blocks, here checked against conv2d.
        let x = randomTensor([2, 5, 6, 4], seed: 9), w = randomTensor([3, 3, 2, 6], seed: 10)
        let v = try VolumeGeometry(inputShape: [2, 1, 5, 6, 4], kernel: [1, 3, 3], strides: [1, 2, 1], padding: .same, groups: 2, layer: "t")
        let grouped = conv3d(x.reshaped([2, 1, 5, 6, 4]), w.reshaped([1, 3, 3, 2, 6]), geometry: v).reshaped([2, 3, 6, 6])
        let g = try ConvolutionGeometry(inputShape: [2, 5, 6, 2], kernel: (3, 3), strides: (2, 1), padding: .same, layer: "t")
        for block in 0..<2 {
            let part = conv2d(x.sliced(alongAxis: 3, (2 * block)..<(2 * block + 2)), w.sliced(alongAxis: 3, (3 * block)..<(3 * block + 3)), geometry: g)
            assertClose(grouped.sliced(alongAxis: 3, (3 * block)..<(3 * block + 3)), part, "group \(block)")
        }
    }

    func testMisuseThrows() throws {
        assertThrowsKestrel(.invalidArgument, ["(Conv3D)", "filters must be positive"]) {
            _ = try Conv3D(0, kernelSize: 3)(Tensor.zeros([1, 4, 4, 4, 1]))
        }
        assertThrowsKestrel(.shapeMismatch, ["(Conv3D)", "3 input channels cannot be split into 2 groups"]) {
            _ = try Conv3D(4, kernelSize: 1, groups: 2)(Tensor.zeros([1, 2, 2, 2, 3]))
        }
        assertThrowsKestrel(.invalidArgument, ["(Conv2D)", "filters 3 cannot be split into 2 groups"]) {
            _ = try Conv2D(3, kernelSize: 1, groups: 2)(Tensor.zeros([1, 2, 2, 4]))
        }
        assertThrowsKestrel(.shapeMismatch, ["Conv3D expects (samples, depth, rows, cols, channels)", "[1, 4, 4, 1]"]) {
            _ = try Conv3D(2, kernelSize: 3)(Tensor.zeros([1, 4, 4, 1]))
        }
        assertThrowsKestrel(.shapeMismatch, ["(MaxPooling3D)", "does not fit"]) {
            _ = try MaxPooling3D(3)(Tensor.zeros([1, 2, 4, 4, 1]))
        }
        assertThrowsKestrel(.invalidArgument, ["(Conv3DTranspose)", "output padding [2, 0, 0]", "smaller than its stride"]) {
            _ = try Conv3DTranspose(2, kernelSize: (3, 3, 3), strides: (2, 2, 2), outputPadding: (2, 0, 0))(Tensor.zeros([1, 2, 2, 2, 1]))
        }
        assertThrowsKestrel(.invalidArgument, ["(Cropping3D)", "must be ≥ 0"]) {
            _ = try Cropping3D(cropping: ((0, 0), (-1, 0), (0, 0)))(Tensor.zeros([1, 3, 3, 3, 1]))
        }
        assertThrowsKestrel(.invalidArgument, ["(UpSampling3D)", "size must be positive"]) {
            _ = try UpSampling3D(0)(Tensor.zeros([1, 2, 2, 2, 1]))
        }
        assertThrowsKestrel(.unsupported, ["Conv3D config", "channels_first"]) {
            _ = try makeLayer("Conv3D", ["filters": 2, "kernel_size": [3, 3, 3], "data_format": "channels_first"])
        }
        assertThrowsKestrel(.unsupported, ["DepthwiseConv1D config", "groups = 2"]) {
            _ = try makeLayer("DepthwiseConv1D", ["kernel_size": [3], "groups": 2])
        }
        assertThrowsKestrel(.unsupported, ["MaxPooling3D config", "unknown key", "pool_sise"]) {
            _ = try makeLayer("MaxPooling3D", ["pool_sise": [2, 2, 2]])
        }
        assertThrowsKestrel(.invalidArgument, ["Conv3DTranspose config", "\"kernel_size\"", "3 integers"]) {
            _ = try makeLayer("Conv3DTranspose", ["filters": 2, "kernel_size": [3, 3]])
        }
        assertThrowsKestrel(.invalidArgument, ["ZeroPadding3D config", "\"padding\""]) {
            _ = try makeLayer("ZeroPadding3D", ["padding": [[1, 1], [1, 1]]])
        }
    }
}
