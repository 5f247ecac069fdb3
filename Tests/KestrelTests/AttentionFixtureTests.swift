import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats

/// Attention, AdditiveAttention, MultiHeadAttention and Dot against real Keras 3 (the cases
/// in `Fixtures/keras_attention`, made by `make_attention_fixtures.py`): outputs and the
/// gradients of every input and weight, with causal and explicit attention masks; and
/// Keras `.keras` models whose Embedding masks reach the attention layers, loaded and run.
final class AttentionFixtureTests: XCTestCase {
    private func files(_ prefix: String) throws -> [(String, SafeTensors)] {
        let folder = IOFixtures.url("keras_attention")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".safetensors") }.sorted()
        return try names.map { ($0, try SafeTensors(contentsOf: folder.appendingPathComponent($0))) }
    }

    func testLayersMatchKerasForwardAndBackward() throws {
        let cases = try files("layer_")
        XCTAssertGreaterThanOrEqual(cases.count, 13)
        for (name, file) in cases {
            let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data((file.metadata["config"] ?? "").utf8)) as? [String: Any])
            let layer = try KerasLayerRegistry.makeLayer(className: file.metadata["layer"] ?? "", config: config)
            if file.metadata["use_causal_mask"] == "true" { (layer as? CausallyMaskable)?.useCausalMask = true }
            let count = Int(file.metadata["inputs"] ?? "") ?? 0
            let inputs = try (0..<count).map { try fixtureTensor(file, "x\($0)").requiringGradient() }
            try layer.buildIfNeeded(inputShapes: inputs.map(\.shape))
            for (i, p) in layer.weights.enumerated() { try p.assign(try fixtureTensor(file, "w/\(i)")) }
            let y: Tensor
            if let allowed = file.tensors["attention_mask"] {
                y = try XCTUnwrap(layer as? MultiHeadAttention).attend(inputs, attentionMask: allowed)
            } else {
                y = try layer(inputs)[0]
            }
            assertMatchesKeras(y, try fixtureTensor(file, "y"), "\(name) y")
            let s = (y * (try fixtureTensor(file, "r"))).sum()
            let grads = Tensor.gradients(of: s, withRespectTo: inputs + layer.weights.map(\.value))
            for i in 0..<count { assertMatchesKeras(grads[i], try fixtureTensor(file, "dx\(i)"), "\(name) dx\(i)") }
            for i in layer.weights.indices { assertMatchesKeras(grads[count + i], try fixtureTensor(file, "dw/\(i)"), "\(name) dw/\(i)") }
        }
    }

    func testKerasModelsWithMaskedAttentionPredictWhatKerasPredicts() throws {
        let cases = try files("model_")
        XCTAssertGreaterThanOrEqual(cases.count, 4)
        for (name, file) in cases {
            let model = try Model.load(from: IOFixtures.url("keras_attention/" + name.replacingOccurrences(of: ".safetensors", with: ".keras")))
            let count = Int(file.metadata["inputs"] ?? "") ?? 0
            let y = try model.predict(try (0..<count).map { try fixtureTensor(file, "x\($0)") })
            assertMatchesKeras(y[0], try fixtureTensor(file, "y"), "\(name) predict")
        }
    }

    func testMisuseThrows() {
        assertThrowsKestrel(.invalidArgument, ["(Attention) expects [query, value] or [query, value, key]", "got 1 input"]) {
            _ = try Attention()([Tensor.zeros([1, 2, 3])])
        }
        assertThrowsKestrel(.shapeMismatch, ["(AdditiveAttention)", "must share the samples"]) {
            _ = try AdditiveAttention()([Tensor.zeros([1, 2, 3]), Tensor.zeros([2, 2, 3])])
        }
        assertThrowsKestrel(.invalidArgument, ["(MultiHeadAttention)", "numHeads, keyDim and valueDim must be positive"]) {
            _ = try MultiHeadAttention(numHeads: 0, keyDim: 2)([Tensor.zeros([1, 2, 3]), Tensor.zeros([1, 2, 3])])
        }
        assertThrowsKestrel(.shapeMismatch, ["attentionMask has shape [1, 2]", "expected [1, 2, 4]"]) {
            _ = try MultiHeadAttention(numHeads: 1, keyDim: 2).attend([Tensor.zeros([1, 2, 3]), Tensor.zeros([1, 4, 3])],
                                                                       attentionMask: Tensor.ones([1, 2]))
        }
        assertThrowsKestrel(.shapeMismatch, ["(Dot)", "must be non-batch axes of the same size"]) {
            _ = try Dot(axes: 1)([Tensor.zeros([2, 3]), Tensor.zeros([2, 4])])
        }
    }
    /// Finite differences agree with the tape for every input and weight.
    func testGradientsMatchFiniteDifferences() throws {
        let q = randomTensor([2, 3, 4], seed: 1), v = randomTensor([2, 5, 4], seed: 2), k = randomTensor([2, 5, 4], seed: 3)
        let mask = Tensor(shape: [2, 5], scalars: [1, 1, 1, 0, 0, 1, 1, 1, 1, 0])
        let layers: [(Layer, [Tensor])] = [
            (Attention(useScale: true, scoreMode: .concat), [q, v, k]),
            (AdditiveAttention(), [q, v]),
            (MultiHeadAttention(numHeads: 2, keyDim: 3, valueDim: 2, useCausalMask: true), [v, v]),
            (Dot(axes: [2, 2], normalize: true), [q, v]),
        ]
        for (layer, inputs) in layers {
            let masks: [Tensor?] = layer is Dot ? [] : [nil, mask]
            assertGradientsMatch(inputs, tolerance: 2e-2) { values in try! layer(values, masks: masks)[0] }
            guard !layer.weights.isEmpty else { continue }
            // Each weight, a few scalars at a time, by central differences on S = Σ y·r.
            let r = randomTensor(try layer(inputs, masks: masks)[0].shape, seed: 11)
            func s() throws -> Float { (try layer(inputs, masks: masks)[0] * r).sum().scalar }
            let analytic = Tensor.gradients(of: (try layer(inputs, masks: masks)[0] * r).sum(), withRespectTo: layer.weights.map(\.value))
            for (p, g) in zip(layer.weights, analytic) {
                let original = p.value.detached()
                for i in Swift.Array(stride(from: 0, to: original.count, by: Swift.max(1, original.count / 5))) {
                    var values = original.scalars
                    values[i] += 1e-2
                    p.value = Tensor(shape: original.shape, scalars: values)
                    let plus = try s()
                    values[i] -= 2e-2
                    p.value = Tensor(shape: original.shape, scalars: values)
                    let minus = try s()
                    p.value = original
                    let numeric = (plus - minus) / 2e-2
                    XCTAssertLessThanOrEqual(Swift.abs(g.scalars[i] - numeric), 2e-2 * Swift.max(1, Swift.abs(numeric)),
                                             "\(type(of: layer)) \(p.path)[\(i)]: tape \(g.scalars[i]), finite differences \(numeric)")
                }
            }
        }
    }
}
