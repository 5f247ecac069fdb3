import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// The fused recurrent op against the same cells composed from primitive ops, and against
/// finite differences: outputs, final states and every gradient.
final class RecurrentKernelTests: XCTestCase {
    static let kinds: [RecurrentCellKind] = [.simple, .lstm, .gru(resetAfter: true), .gru(resetAfter: false)]

    func operands(_ kind: RecurrentCellKind, n: Int = 5, t: Int = 6, f: Int = 3, u: Int = 4, seed: UInt64 = 1,
                  masked: Bool = false, backwards: Bool = false, states: Bool = true, dropout: Bool = false) -> RecurrentReference.Operands {
        let g = kind.gateCount * u
        let biasShape = kind == .gru(resetAfter: true) ? [2, g] : [g]
        var o = RecurrentReference.Operands(
            kind: kind, x: randomTensor([n, t, f], seed: seed), kernel: randomTensor([f, g], seed: seed + 1, min: -0.6, max: 0.6),
            recurrentKernel: randomTensor([u, g], seed: seed + 2, min: -0.6, max: 0.6), bias: randomTensor(biasShape, seed: seed + 3),
            h0: states ? randomTensor([n, u], seed: seed + 4) : nil,
            c0: states && kind == .lstm ? randomTensor([n, u], seed: seed + 5) : nil, goBackwards: backwards)
        if masked {
            // Variable lengths padded at the end, one sequence fully valid, a gap in another.
            var m = [Float](repeating: 1, count: n * t)
            for row in 0..<n { for time in 0..<t where time >= t - row { m[row * t + time] = 0 } }
            m[1 * t + 0] = 0
            o.mask = Tensor(shape: [n, t], scalars: m)
        }
        if dropout {
            var gen = RandomGenerator(seed: seed + 9)
            o.recurrentDropoutMask = Tensor(shape: [n, u]) { p, c in for i in 0..<c { p[i] = gen.nextUniform() < 0.3 ? 0 : 1 / 0.7 } }
        }
        return o
    }

    func fused(_ o: RecurrentReference.Operands) -> Tensor {
        let spec = RecurrentCellSpec(kind: o.kind, units: o.recurrentKernel.shape[0], activation: .tanh, recurrentActivation: .sigmoid,
                                     zeroOutputForMask: o.zeroOutputForMask)
        let dir = RecurrentDirection(x: o.x, kernel: o.kernel, recurrentKernel: o.recurrentKernel, bias: o.bias,
                                     initialStates: [o.h0, o.c0].compactMap { $0 }, goBackwards: o.goBackwards,
                                     recurrentDropoutMask: o.recurrentDropoutMask)
        let packed = recurrentSequence(spec, [dir], mask: o.mask)
        return packed.reshaped(Array(packed.shape.dropFirst()))
    }

    /// Operands as tape variables, in the fused op's input order.
    func variables(_ o: inout RecurrentReference.Operands) -> [Tensor] {
        o.x = o.x.requiringGradient()
        o.kernel = o.kernel.requiringGradient()
        o.recurrentKernel = o.recurrentKernel.requiringGradient()
        o.bias = o.bias?.requiringGradient()
        o.h0 = o.h0?.requiringGradient()
        o.c0 = o.c0?.requiringGradient()
        return [o.x, o.kernel, o.recurrentKernel, o.bias, o.h0, o.c0].compactMap { $0 }
    }

    func assertMatchesReference(_ base: RecurrentReference.Operands, file: StaticString = #filePath, line: UInt = #line) {
        var o = base
        let vars = variables(&o)
        let want = RecurrentReference.run(o), got = fused(o)
        XCTAssertEqual(got.shape, want.shape, file: file, line: line)
        assertClose(got, want.scalars, tolerance: 2e-6, file: file, line: line)
        let r = randomTensor(want.shape, seed: 99)
        let gWant = Tensor.gradients(of: want, withRespectTo: vars, seed: r)
        let gGot = Tensor.gradients(of: got, withRespectTo: vars, seed: r)
        for (a, b) in zip(gGot, gWant) { assertClose(a, b.scalars, shape: b.shape, tolerance: 1e-5, file: file, line: line) }
    }

    func testFusedCellsMatchComposedPrimitives() {
        for kind in Self.kinds {
            assertMatchesReference(operands(kind))
            assertMatchesReference(operands(kind, seed: 11, backwards: true, states: false))
        }
    }

    /// The fused LSTM cell kernel of every instruction set the CPU has (AVX-512, AVX2, portable)
    /// agrees with the composed primitives, forward and backward, in training and inference.
    func testFusedLSTMCellMatchesComposedPrimitivesOnEveryISA() {
        let saved = CPUFeatures.activeISA
        defer { CPUFeatures.setISA(saved) }
        for isa in KernelISA.allCases where isa <= CPUFeatures.supportedISA {
            CPUFeatures.setISA(isa)
            var o = operands(.lstm, n: 13, u: 21, seed: 5)
            assertMatchesReference(o)
            o.h0 = nil
            o.c0 = nil
            assertClose(withoutGradients { fused(o) }, RecurrentReference.run(o).scalars, tolerance: 2e-6)
        }
    }

    func testMaskedStepsCarryStateAndRepeatOrZeroOutputs() {
        for kind in Self.kinds {
            assertMatchesReference(operands(kind, masked: true))
            var o = operands(kind, seed: 21, masked: true, backwards: true)
            o.zeroOutputForMask = true
            assertMatchesReference(o)
        }
    }

    func testRecurrentDropoutMaskMatchesReference() {
        for kind in Self.kinds { assertMatchesReference(operands(kind, seed: 31, dropout: true)) }
    }

    func testBatchChunksAndThreadCountsAgree() {
        let saved = Threading.threadCount
        defer { Threading.threadCount = saved }
        for kind in Self.kinds {
            var o = operands(kind, n: 37, t: 9, f: 5, u: 7, seed: 41, masked: false)
            let vars = variables(&o)
            var results: [[Tensor]] = []
            for threads in [1, 2, 4] {
                Threading.threadCount = threads
                let y = fused(o)
                results.append([y] + Tensor.gradients(of: y, withRespectTo: vars, seed: randomTensor(y.shape, seed: 5)))
            }
            for other in results.dropFirst() {
                for (a, b) in zip(other, results[0]) { assertClose(a, b.scalars, tolerance: 1e-6) }
            }
        }
    }

    func testFusedGradientsMatchFiniteDifferences() {
        for kind in Self.kinds {
            for masked in [false, true] {
                let o = operands(kind, n: 3, t: 4, f: 2, u: 3, seed: 51, masked: masked, backwards: masked)
                let inputs = [o.x, o.kernel, o.recurrentKernel, o.bias!, o.h0!] + (o.c0.map { [$0] } ?? [])
                assertGradientsMatch(inputs, tolerance: 2e-2, epsilon: 1e-2) { v in
                    var p = o
                    (p.x, p.kernel, p.recurrentKernel, p.bias, p.h0) = (v[0], v[1], v[2], v[3], v[4])
                    if v.count > 5 { p.c0 = v[5] }
                    return self.fused(p)
                }
            }
        }
    }

    func testBidirectionalPackingRunsBothDirections() {
        var o = operands(.lstm, seed: 61)
        let spec = RecurrentCellSpec(kind: .lstm, units: 4, activation: .tanh, recurrentActivation: .sigmoid, zeroOutputForMask: false)
        let fw = RecurrentDirection(x: o.x, kernel: o.kernel, recurrentKernel: o.recurrentKernel, bias: o.bias,
                                    initialStates: [], goBackwards: false, recurrentDropoutMask: nil)
        var bw = fw
        bw.goBackwards = true
        let packed = recurrentSequence(spec, [fw, bw], mask: nil)
        (o.h0, o.c0) = (nil, nil)
        assertClose(packed.selecting(index: 0, alongAxis: 0), RecurrentReference.run(o).scalars, tolerance: 2e-6)
        o.goBackwards = true
        assertClose(packed.selecting(index: 1, alongAxis: 0), RecurrentReference.run(o).scalars, tolerance: 2e-6)
    }

    /// Inference keeps two state slots instead of every step, and (SimpleRNN, LSTM) multiplies
    /// [x_t, h] by the stacked [W; U] per step; the results agree to rounding.
    func testInferenceWithoutHistoryMatchesRecordedForward() {
        for kind in Self.kinds {
            for masked in [false, true] {
                var o = operands(kind, seed: 71, masked: masked, backwards: masked, dropout: masked)
                let plain = withoutGradients { fused(o) }
                _ = variables(&o)
                assertClose(plain, fused(o).scalars, tolerance: 1e-6)
            }
        }
    }

    /// The per-step stacked product covers every tile shape: batch rows not a multiple of the
    /// micro-kernel's 12 (short 8- and 4-row tiles) and gate columns not a multiple of 32.
    func testInferenceStackedProductMatchesRecordedForwardOnRaggedSizes() {
        for (n, u) in [(1, 3), (5, 9), (13, 17), (20, 33)] {
            var generator = RandomGenerator(seed: UInt64(n * 100 + u))
            let x = Tensor.randomNormal([n, 7, 6], generator: &generator)
            let spec = RecurrentCellSpec(kind: .lstm, units: u, activation: .tanh, recurrentActivation: .sigmoid, zeroOutputForMask: false)
            var dir = RecurrentDirection(x: x, kernel: Tensor.randomNormal([6, 4 * u], generator: &generator) * 0.3,
                                         recurrentKernel: Tensor.randomNormal([u, 4 * u], generator: &generator) * 0.3,
                                         bias: Tensor.randomNormal([4 * u], generator: &generator) * 0.1,
                                         initialStates: [], goBackwards: false, recurrentDropoutMask: nil)
            let plain = withoutGradients { recurrentSequence(spec, [dir], mask: nil) }
            dir.x = dir.x.requiringGradient()
            assertClose(plain, recurrentSequence(spec, [dir], mask: nil).scalars, tolerance: 2e-6)
        }
    }
}
