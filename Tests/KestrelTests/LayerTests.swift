import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class LayerTests: XCTestCase {
    func testAutoNamesFollowKeras() {
        XCTAssertEqual(LayerNames.snakeCase("Conv2DTranspose"), "conv2d_transpose")
        XCTAssertEqual(LayerNames.snakeCase("LSTM"), "lstm")
        XCTAssertEqual(LayerNames.snakeCase("SimpleRNN"), "simple_rnn")
        XCTAssertEqual(LayerNames.snakeCase("LeakyReLU"), "leaky_re_lu")
        XCTAssertEqual(LayerNames.snakeCase("GlobalAveragePooling2D"), "global_average_pooling2d")
        let a = RepeatVector(2), b = RepeatVector(2)
        XCTAssertTrue(a.name.hasPrefix("repeat_vector"))
        XCTAssertNotEqual(a.name, b.name)
        XCTAssertEqual(Dense(3, name: "head").name, "head")
    }

    func testDenseComputesAffineMapOnTheLastAxis() throws {
        let dense = Dense(2, activation: .relu)
        try dense.buildIfNeeded(inputShapes: [[1, 3]])
        try dense.kernel!.assign(Tensor([[1, -1], [0, 2], [1, 0]]))
        try dense.bias!.assign(Tensor([0.5, -10]))
        assertClose(try dense(Tensor([[1, 2, 3]])), [4.5, 0], shape: [1, 2])
        XCTAssertEqual(try dense(Tensor.ones([4, 5, 3])).shape, [4, 5, 2])
        XCTAssertEqual(dense.weights.map(\.path), ["\(dense.name)/kernel", "\(dense.name)/bias"])
    }

    func testDenseRejectsWrongFeatureCount() throws {
        let dense = Dense(2)
        _ = try dense(Tensor.ones([1, 3]))
        assertThrowsMessage([dense.name, "Dense", "(samples, …, 3)", "[1, 4]"]) { _ = try dense(Tensor.ones([1, 4])) }
    }

    func testLayerGradientsMatchFiniteDifferences() throws {
        let x = randomTensor([3, 4], seed: 5)
        let dense = Dense(3, activation: .tanh)
        _ = try dense(x)
        let k = dense.kernel!.value, b = dense.bias!.value
        assertGradientsMatch([x, k, b]) { v in
            let y = tanh(matmul(v[0], v[1]) + v[2])
            return y
        }
        // Through the layer itself: its parameters are tape variables.
        let out = try dense(x)
        let grads = Tensor.gradients(of: out.sum(), withRespectTo: [dense.kernel!.value, dense.bias!.value])
        let reference = Tensor.gradients(of: tanh(matmul(x, k) + b).sum(), withRespectTo: [k, b])
        assertClose(grads[0], reference[0].scalars, shape: [4, 3])
        assertClose(grads[1], reference[1].scalars, shape: [3])
        for layer: Layer in [Flatten(), Reshape([2, -1]), Permute([2, 1]), RepeatVector(3)] {
            let input = randomTensor([2, 3, 2], seed: 9).reshaped(layer is RepeatVector ? [2, 6] : [2, 3, 2])
            assertGradientsMatch([input]) { v in try! layer(v[0]) }
        }
        for merge: Layer in [Add(), Subtract(), Multiply(), Average(), Maximum(), Minimum(), Concatenate()] {
            assertGradientsMatch([randomTensor([2, 3], seed: 1), randomTensor([2, 3], seed: 2)]) { v in try! merge(v)[0] }
        }
    }

    func testEveryActivationHasMatchingGradients() throws {
        let x = Tensor([[-2.5, -1.2, -0.4, 0.3, 1.1, 2.2, 4.7]])
        let all: [ActivationFunction] = [.linear, .sigmoid, .tanh, .softmax, .logSoftmax, .exponential, .relu,
                                         .relu(negativeSlope: 0.1, maxValue: 3, threshold: 0.5), .relu6, .leakyRelu(),
                                         .elu(), .elu(alpha: 0.5), .selu, .gelu(), .gelu(approximate: true), .softplus,
                                         .softsign, .swish, .silu, .hardSigmoid, .hardSilu]
        for f in all {
            let result = GradientCheck.check([x], epsilon: 1e-3) { f($0[0]) }
            XCTAssertLessThan(result.maxError, 5e-3, "\(f.kerasName): \(result)")
            XCTAssertEqual(try ActivationFunction(kerasName: f.kerasName).kerasName, f.kerasName)
        }
        assertThrowsMessage(["unknown activation", "mish"]) { _ = try ActivationFunction(kerasName: "mish") }
    }

    func testActivationValuesAtReferencePoints() {
        let x = Tensor([-3, 0, 3, 6])
        assertClose(ActivationFunction.hardSigmoid(x), [0, 0.5, 1, 1])
        assertClose(ActivationFunction.relu6(x), [0, 0, 3, 6])
        assertClose(ActivationFunction.relu(negativeSlope: 0.1, maxValue: 6, threshold: 0.5)(x), [-0.35, -0.05, 3, 6])
        assertClose(ActivationFunction.selu(Tensor([1])), [1.0507009873554805])
        assertClose(ActivationFunction.gelu()(Tensor([1])), [0.8413447])
    }

    func testDropoutIsInvertedSeededAndIdentityAtInference() throws {
        let x = Tensor.ones([1000])
        let drop = Dropout(0.25)
        assertClose(try drop(x, training: false), x.scalars)
        let y = try drop(x, training: true)
        let kept = y.scalars.filter { $0 != 0 }
        XCTAssertEqual(Float(kept.count) / 1000, 0.75, accuracy: 0.05)
        XCTAssertTrue(kept.allSatisfy { abs($0 - 4 / 3) < 1e-6 })
        XCTAssertEqual(y.mean().scalar, 1, accuracy: 0.07)
        // The mask's gradient is the mask.
        let xv = x.requiringGradient()
        let out = try drop(xv, training: true)
        let g = Tensor.gradients(of: out.sum(), withRespectTo: [xv])[0]
        XCTAssertEqual(g.scalars.filter { $0 == 0 }.count, out.scalars.filter { $0 == 0 }.count)
    }

    func testReshapingLayersAndMerges() throws {
        let x = Tensor.arange(0, 12).reshaped([2, 3, 2])
        XCTAssertEqual(try Flatten()(x).shape, [2, 6])
        XCTAssertEqual(try Reshape([-1, 3])(x).shape, [2, 2, 3])
        XCTAssertEqual(try Permute([2, 1])(x).shape, [2, 2, 3])
        XCTAssertEqual(try RepeatVector(4)(Tensor.ones([2, 5])).shape, [2, 4, 5])
        assertThrowsMessage(["Reshape", "[4, -1]"]) { _ = try Reshape([4, -1])(x) }
        assertThrowsMessage(["Permute"]) { _ = try Permute([1, 2, 3])(x) }
        assertThrowsMessage(["RepeatVector", "(samples, features)"]) { _ = try RepeatVector(2)(x) }
        let a = Tensor([[1, 5]]), b = Tensor([[3, 2]])
        assertClose(try Add()([a, b])[0], [4, 7])
        assertClose(try Subtract()([a, b])[0], [-2, 3])
        assertClose(try Multiply()([a, b])[0], [3, 10])
        assertClose(try Average()([a, b])[0], [2, 3.5])
        assertClose(try Maximum()([a, b])[0], [3, 5])
        assertClose(try Minimum()([a, b])[0], [1, 2])
        assertClose(try Concatenate()([a, b])[0], [1, 5, 3, 2], shape: [1, 4])
        assertThrowsMessage(["Add", "at least 2"]) { _ = try Add()([a]) }
        assertThrowsMessage(["cannot be broadcast"]) { _ = try Add()([a, Tensor.ones([1, 3])]) }
    }

    func testRegularizerPenalty() {
        let w = Tensor([1, -2])
        XCTAssertEqual(Regularizer.l1(0.1).penalty(w).scalar, 0.3, accuracy: 1e-6)
        XCTAssertEqual(Regularizer.l2(0.1).penalty(w).scalar, 0.5, accuracy: 1e-6)
        XCTAssertEqual(Regularizer(l1: 1, l2: 1).penalty(w).scalar, 8, accuracy: 1e-6)
    }

    func testBadNumbersInKerasConfigsThrow() {
        assertThrowsMessage(["Dense config", "units"]) { _ = try KerasLayerRegistry.makeLayer(className: "Dense", config: ["units": 0]) }
        assertThrowsMessage(["Conv2D config", "filters"]) {
            _ = try KerasLayerRegistry.makeLayer(className: "Conv2D", config: ["filters": -2, "kernel_size": [3, 3]])
        }
        assertThrowsMessage(["Dropout config", "rate"]) { _ = try KerasLayerRegistry.makeLayer(className: "Dropout", config: ["rate": 1.5]) }
        assertThrowsMessage(["not supported", "Mystery"]) { _ = try KerasLayerRegistry.makeLayer(className: "Mystery", config: [:]) }
    }
}
