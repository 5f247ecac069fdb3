import XCTest
@testable import KestrelCore
@testable import KestrelNN

/// The fused ConvLSTM recurrence against the same recurrence written step by step with taped
/// ops (forward values and every gradient) and against finite differences, with and without
/// initial states, masks, recurrent dropout and go_backwards; and the layer's dropout and
/// stateful behaviour.
final class ConvLSTMRecurrenceTests: XCTestCase {
    private let (samples, steps, rows, cols, filters) = (2, 3, 3, 4, 2)

    private func geometry() throws -> ConvolutionGeometry {
        try ConvolutionGeometry(inputShape: [samples, rows, cols, filters], kernel: (3, 2), padding: .same, layer: "test")
    }

    /// The recurrence from taped ops: the definition the fused op must agree with.
    private func taped(_ projected: Tensor, _ kernel: Tensor, _ states: (Tensor, Tensor)?, mask: Tensor?, drop: Tensor?,
                       backwards: Bool) throws -> Tensor {
        let g = try geometry(), shape = [samples, rows, cols, filters]
        var (h, c) = states ?? (Tensor.zeros(shape), Tensor.zeros(shape))
        var outputs: [Tensor] = []
        for s in 0..<steps {
            let t = backwards ? steps - 1 - s : s
            let z = projected.selecting(index: t, alongAxis: 1) + conv2d(drop.map { h * $0 } ?? h, kernel, geometry: g)
            let gate = z.split(count: 4, alongAxis: -1)
            let c1 = sigmoid(gate[1]) * c + sigmoid(gate[0]) * tanh(gate[2])
            let h1 = sigmoid(gate[3]) * tanh(c1)
            if let mask {
                let keep = mask.selecting(index: t, alongAxis: 1).reshaped([samples, 1, 1, 1])
                (h, c) = (keep * h1 + (1 - keep) * h, keep * c1 + (1 - keep) * c)
            } else {
                (h, c) = (h1, c1)
            }
            outputs.append(h)
        }
        return Tensor.stack(outputs + [c], alongAxis: 1)
    }

    private func fused(_ projected: Tensor, _ kernel: Tensor, _ states: (Tensor, Tensor)?, mask: Tensor?, drop: Tensor?,
                       backwards: Bool) throws -> Tensor {
        let run = ConvLSTMRecurrence(geometry: try geometry(), activation: .tanh, recurrentActivation: .sigmoid, goBackwards: backwards)
        return run(projected, recurrentKernel: kernel, initialStates: states.map { (h: $0.0, c: $0.1) }, mask: mask,
                   recurrentDropoutMask: drop)
    }

    func testFusedRecurrenceMatchesTapedOpsForwardAndBackward() throws {
        let mask = Tensor(shape: [samples, steps], scalars: [1, 0, 1, 0, 1, 1])
        let drop = randomTensor([samples, rows, cols, filters], seed: 9, min: 0, max: 2)
        let variants: [(mask: Tensor?, drop: Tensor?, states: Bool, backwards: Bool)] = [
            (nil, nil, false, false), (mask, nil, true, false), (nil, drop, true, true), (mask, drop, false, true),
        ]
        for v in variants {
            let projected = randomTensor([samples, steps, rows, cols, 4 * filters], seed: 1).requiringGradient()
            let kernel = randomTensor([3, 2, filters, 4 * filters], seed: 2, min: -0.5, max: 0.5).requiringGradient()
            let h0 = randomTensor([samples, rows, cols, filters], seed: 3).requiringGradient()
            let c0 = randomTensor([samples, rows, cols, filters], seed: 4).requiringGradient()
            let r = randomTensor([samples, steps + 1, rows, cols, filters], seed: 5)
            let states = v.states ? (h0, c0) : nil
            let wrt = v.states ? [projected, kernel, h0, c0] : [projected, kernel]
            let expected = try taped(projected, kernel, states, mask: v.mask, drop: v.drop, backwards: v.backwards)
            let actual = try fused(projected, kernel, states, mask: v.mask, drop: v.drop, backwards: v.backwards)
            assertClose(actual, expected.scalars, tolerance: 1e-5)
            let want = Tensor.gradients(of: (expected * r).sum(), withRespectTo: wrt)
            let got = Tensor.gradients(of: (actual * r).sum(), withRespectTo: wrt)
            for (a, e) in zip(got, want) { assertClose(a, e.scalars, tolerance: 1e-4) }
        }
    }

    func testFusedRecurrenceGradientsMatchFiniteDifferences() throws {
        let mask = Tensor(shape: [samples, steps], scalars: [1, 1, 0, 0, 1, 1])
        let drop = randomTensor([samples, rows, cols, filters], seed: 6, min: 0, max: 2)
        let r = randomTensor([samples, steps + 1, rows, cols, filters], seed: 7)
        let inputs = [randomTensor([samples, steps, rows, cols, 4 * filters], seed: 1),
                      randomTensor([3, 2, filters, 4 * filters], seed: 2, min: -0.5, max: 0.5),
                      randomTensor([samples, rows, cols, filters], seed: 3), randomTensor([samples, rows, cols, filters], seed: 4)]
        assertGradientsMatch(inputs, tolerance: 2e-2) { v in
            (try! self.fused(v[0], v[1], (v[2], v[3]), mask: mask, drop: drop, backwards: true) * r).sum()
        }
    }

    func testLayerDropoutIsActiveOnlyInTrainingAndDifferentiable() throws {
        for layer in [ConvLSTM2D(2, kernelSize: (2, 2), padding: .same, dropout: 0.3, recurrentDropout: 0.4, returnSequences: true),
                      ConvLSTM1D(2, kernelSize: 3, padding: .same, dropout: 0.3, recurrentDropout: 0.4, returnSequences: true)] {
            let x = randomTensor(layer is ConvLSTM1D ? [2, 3, 5, 2] : [2, 3, 4, 3, 2], seed: 8)
            let inference = try layer([x])[0]
            XCTAssertEqual(try layer([x])[0].scalars, inference.scalars, "inference is deterministic")
            XCTAssertNotEqual(try layer([x], training: true)[0].scalars, inference.scalars, "training drops")
            assertGradientsMatch([x], tolerance: 2e-2) { v in
                layer.generator = RandomGenerator(seed: 11)
                return try! layer(v, training: true)[0]
            }
        }
    }

    func testStatefulLayerCarriesStatesAcrossBatches() throws {
        let whole = ConvLSTM1D(2, kernelSize: 2, padding: .same, returnSequences: true)
        let x = randomTensor([2, 4, 5, 1], seed: 3)
        let expected = try whole([x])[0]
        let stateful = ConvLSTM1D(2, kernelSize: 2, padding: .same, returnSequences: true, stateful: true)
        try stateful.buildIfNeeded(inputShapes: [x.shape])
        for (p, q) in zip(stateful.weights, whole.weights) { try p.assign(q.value) }
        let first = try stateful([x.sliced(alongAxis: 1, 0..<2)])[0], second = try stateful([x.sliced(alongAxis: 1, 2..<4)])[0]
        assertClose(Tensor.concatenate([first, second], alongAxis: 1), expected.scalars, tolerance: 1e-6)
        stateful.resetStates()
        assertClose(try stateful([x.sliced(alongAxis: 1, 0..<2)])[0], first.scalars, tolerance: 0)
        assertThrowsKestrel(.shapeMismatch, ["stateful", "batches of 2", "resetStates()"]) {
            _ = try stateful([x.sliced(alongAxis: 0, 0..<1)])
        }
    }

    func testBadArgumentsThrow() {
        assertThrowsKestrel(.invalidArgument, ["(ConvLSTM1D)", "dropout must be in [0, 1)", "1.5"]) {
            _ = try ConvLSTM1D(2, kernelSize: 2, dropout: 1.5)(Tensor.zeros([1, 2, 4, 1]))
        }
        assertThrowsKestrel(.unsupported, ["(ConvLSTM2D)", "activation", "softmax"]) {
            _ = try ConvLSTM2D(2, kernelSize: (2, 2), activation: .softmax)(Tensor.zeros([1, 2, 4, 4, 1]))
        }
        assertThrowsKestrel(.shapeMismatch, ["initial state h", "[1, 3, 2]", "[1, 4, 2]"]) {
            _ = try ConvLSTM1D(2, kernelSize: 2)([Tensor.zeros([1, 2, 4, 1]), Tensor.zeros([1, 4, 2]), Tensor.zeros([1, 3, 2])])
        }
        assertThrowsKestrel(.shapeMismatch, ["mask", "(samples, time)"]) {
            _ = try ConvLSTM1D(2, kernelSize: 2)([Tensor.zeros([1, 2, 4, 1])], mask: Tensor.ones([1, 3]))
        }
    }
}
