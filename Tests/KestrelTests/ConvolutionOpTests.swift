import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// Finite-difference checks of the convolution, pooling, upsampling and normalization ops,
/// and a direct-loop reference for conv2d's forward values.
final class ConvolutionOpTests: XCTestCase {
    func geometry(_ shape: [Int], _ k: (Int, Int), strides: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1),
                  padding: ConvolutionPadding) -> ConvolutionGeometry {
        try! ConvolutionGeometry(inputShape: shape, kernel: k, strides: strides, dilation: dilation, padding: padding, layer: "test")
    }

    /// Plain loops over the definition: the reference conv2d is checked against.
    func referenceConv(_ x: Tensor, _ w: Tensor, _ g: ConvolutionGeometry) -> [Float] {
        let cout = w.shape[3]
        var out = [Float](repeating: 0, count: g.batch * g.outPixels * cout)
        for n in 0..<g.batch { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth { for o in 0..<cout {
            var s: Float = 0
            for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth {
                let iy = oy * g.strideY - g.padTop + ky * g.dilationY, ix = ox * g.strideX - g.padLeft + kx * g.dilationX
                guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                for c in 0..<g.inChannels { s += x[n, iy, ix, c] * w[ky, kx, c, o] }
            }}
            out[((n * g.outHeight + oy) * g.outWidth + ox) * cout + o] = s
        }}}}
        return out
    }

    func testConv2DMatchesDirectLoops() {
        for (shape, k, s, d, p) in [([2, 7, 9, 3], (3, 3), (1, 1), (1, 1), ConvolutionPadding.same),
                                    ([3, 8, 6, 2], (4, 2), (2, 1), (1, 1), .same), ([1, 9, 9, 5], (3, 3), (1, 1), (2, 2), .valid),
                                    ([40, 5, 5, 4], (1, 1), (1, 1), (1, 1), .valid)] {
            let g = geometry(shape, k, strides: s, dilation: d, padding: p)
            // 6 output channels run the direct kernel, 72 the im2col + GEMM path when the window is long.
            for cout in [6, 72] {
                let x = randomTensor(shape, seed: 1), w = randomTensor([k.0, k.1, shape[3], cout], seed: 2)
                XCTAssertEqual(ConvolutionKernels.prefersDirect(g, outChannels: cout), cout == 6 || g.taps * shape[3] < 64)
                assertClose(conv2d(x, w, geometry: g), referenceConv(x, w, g), shape: [shape[0], g.outHeight, g.outWidth, cout],
                            tolerance: 1e-5)
            }
        }
    }

    /// The direct kernel picks a register block sized to the pixels left at the end of each
    /// row; every output width from 1 to 13 and both channel blockings agree with plain loops.
    func testDirectKernelEveryRowTail() {
        for width in 1...13 {
            for cout in [16, 8, 24] {
                let g = geometry([2, 3, width, 2], (3, 3), padding: .same)
                XCTAssertTrue(ConvolutionKernels.prefersDirect(g, outChannels: cout))
                let x = randomTensor([2, 3, width, 2], seed: 50), w = randomTensor([3, 3, 2, cout], seed: 51)
                assertClose(conv2d(x, w, geometry: g), referenceConv(x, w, g), shape: [2, 3, width, cout], tolerance: 1e-5)
            }
        }
    }

    func testConv2DGemmPathGradients() {
        // 3×3×8 windows into 72 channels: the im2col + GEMM path, plain and with fused ReLU.
        let g = geometry([2, 5, 4, 8], (3, 3), padding: .same)
        XCTAssertFalse(ConvolutionKernels.prefersDirect(g, outChannels: 72))
        XCTAssertFalse(ConvolutionKernels.prefersDirectInputGradient(g, outChannels: 72))
        let inputs = [randomTensor([2, 5, 4, 8], seed: 30), randomTensor([3, 3, 8, 72], seed: 31, min: -0.3, max: 0.3),
                      randomTensor([72], seed: 32)]
        assertGradientsMatch(inputs) { t in conv2d(t[0], t[1], bias: t[2], geometry: g) }
        let vars = inputs.map { $0.requiringGradient() }
        let seed = randomTensor([2, 5, 4, 72], seed: 33)
        let fused = Tensor.gradients(of: conv2d(vars[0], vars[1], bias: vars[2], geometry: g, relu: true), withRespectTo: vars, seed: seed)
        let composed = Tensor.gradients(of: relu(conv2d(vars[0], vars[1], bias: vars[2], geometry: g)), withRespectTo: vars, seed: seed)
        for (a, b) in zip(fused, composed) { assertClose(a, b.scalars, tolerance: 1e-5) }
    }

    func testConv2DGradients() {
        for (k, s, d, p) in [((3, 3), (1, 1), (1, 1), ConvolutionPadding.same), ((2, 3), (2, 2), (1, 1), .same),
                             ((3, 3), (1, 1), (2, 1), .valid), ((1, 1), (1, 1), (1, 1), .valid)] {
            let g = geometry([2, 6, 5, 3], k, strides: s, dilation: d, padding: p)
            let inputs = [randomTensor([2, 6, 5, 3], seed: 3), randomTensor([k.0, k.1, 3, 4], seed: 4), randomTensor([4], seed: 5)]
            assertGradientsMatch(inputs, epsilon: 1e-2) { t in conv2d(t[0], t[1], bias: t[2], geometry: g) }
        }
    }

    /// Windows of at most 16 values (3×3 over one channel, 2×2 over three…) take the thin
    /// kernel-gradient path; on every instruction set it matches plain loops, with and without
    /// a fused ReLU, with padding, strides, dilation and channel counts that leave vector tails.
    func testThinWindowKernelGradientsOnEveryISA() {
        let saved = CPUFeatures.activeISA
        defer { CPUFeatures.setISA(saved) }
        let cases: [([Int], (Int, Int), (Int, Int), (Int, Int), ConvolutionPadding, Int)] = [
            ([3, 9, 8, 1], (3, 3), (1, 1), (1, 1), .valid, 32), ([2, 7, 9, 1], (3, 3), (2, 1), (1, 1), .same, 20),
            ([2, 8, 8, 3], (2, 2), (1, 2), (2, 1), .same, 37), ([2, 6, 7, 4], (2, 2), (1, 1), (1, 1), .valid, 5),
        ]
        for isa in KernelISA.allCases where isa <= CPUFeatures.supportedISA {
            CPUFeatures.setISA(isa)
            for (shape, k, s, d, p, cout) in cases {
                let g = geometry(shape, k, strides: s, dilation: d, padding: p)
                let x = randomTensor(shape, seed: 40), w = randomTensor([k.0, k.1, shape[3], cout], seed: 41), b = randomTensor([cout], seed: 42)
                let seed = randomTensor([shape[0], g.outHeight, g.outWidth, cout], seed: 43)
                for fusedRelu in [false, true] {
                    for needInput in [false, true] {
                        let xv = needInput ? x.requiringGradient() : x
                        let (wv, bv) = (w.requiringGradient(), b.requiringGradient())
                        let y = conv2d(xv, wv, bias: bv, geometry: g, relu: fusedRelu)
                        let grads = Tensor.gradients(of: y, withRespectTo: [wv, bv], seed: seed)
                        // Plain loops: gm = seed masked by the ReLU, dW = Σ window ⊗ gm, db = Σ gm.
                        let ys = y.scalars, gs = seed.scalars, xs = x.scalars
                        var dw = [Float](repeating: 0, count: w.count), db = [Float](repeating: 0, count: cout)
                        for n in 0..<shape[0] { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth { for o in 0..<cout {
                            let i = ((n * g.outHeight + oy) * g.outWidth + ox) * cout + o
                            let gm = fusedRelu && ys[i] <= 0 ? 0 : gs[i]
                            db[o] += gm
                            for ky in 0..<k.0 { for kx in 0..<k.1 {
                                let iy = oy * s.0 - g.padTop + ky * d.0, ix = ox * s.1 - g.padLeft + kx * d.1
                                guard iy >= 0, iy < shape[1], ix >= 0, ix < shape[2] else { continue }
                                for c in 0..<shape[3] {
                                    dw[((ky * k.1 + kx) * shape[3] + c) * cout + o] += xs[((n * shape[1] + iy) * shape[2] + ix) * shape[3] + c] * gm
                                }
                            }}
                        }}}}
                        assertClose(grads[0], dw, tolerance: 1e-4)
                        assertClose(grads[1], db, tolerance: 1e-4)
                    }
                }
            }
        }
    }

    func testConv2DFusedReluGradients() {
        let g = geometry([2, 5, 5, 2], (3, 3), padding: .same)
        let inputs = [randomTensor([2, 5, 5, 2], seed: 6), randomTensor([3, 3, 2, 3], seed: 7), randomTensor([3], seed: 8)]
        let vars = inputs.map { $0.requiringGradient() }
        let fused = conv2d(vars[0], vars[1], bias: vars[2], geometry: g, relu: true)
        let composed = relu(conv2d(vars[0], vars[1], bias: vars[2], geometry: g))
        assertClose(fused, composed.scalars, tolerance: 1e-6)
        // Same gradients as ReLU applied after the convolution.
        let seed = randomTensor(fused.shape, seed: 9)
        let a = Tensor.gradients(of: fused, withRespectTo: vars, seed: seed)
        let b = Tensor.gradients(of: composed, withRespectTo: vars, seed: seed)
        for (ga, gb) in zip(a, b) { assertClose(ga, gb.scalars, tolerance: 1e-5) }
        // Finite differences at the first seeded point where every pre-activation is more
        // than a probe step away from the kink.
        let small = geometry([1, 4, 4, 2], (3, 3), padding: .same)
        let point = (UInt64(100)..<200).lazy.map { s in
            [randomTensor([1, 4, 4, 2], seed: s), randomTensor([3, 3, 2, 2], seed: s + 1000), randomTensor([2], seed: s + 2000)]
        }.first { t in conv2d(t[0], t[1], bias: t[2], geometry: small).scalars.allSatisfy { Swift.abs($0) > 0.05 } }
        XCTAssertNotNil(point)
        assertGradientsMatch(point ?? [], epsilon: 1e-3) { t in conv2d(t[0], t[1], bias: t[2], geometry: small, relu: true) }
    }

    func testConv2DTransposeIsTheAdjointAndHasGradients() {
        // <conv(u), v> == <u, convT(v)> for the same kernel and geometry.
        let g = geometry([2, 7, 6, 3], (3, 3), strides: (2, 2), padding: .same)
        let u = randomTensor([2, 7, 6, 3], seed: 9), w = randomTensor([3, 3, 3, 4], seed: 10)
        let v = randomTensor([2, g.outHeight, g.outWidth, 4], seed: 11)
        let lhs = (conv2d(u, w, geometry: g) * v).sum().scalar
        let rhs = (u * conv2dTranspose(v, w, geometry: g)).sum().scalar
        XCTAssertEqual(lhs, rhs, accuracy: 1e-3)
        assertGradientsMatch([v, w, randomTensor([3], seed: 12)]) { t in conv2dTranspose(t[0], t[1], bias: t[2], geometry: g) }
    }

    func testDepthwiseConv2DGradients() {
        for dm in [1, 2] {
            let g = geometry([2, 5, 6, 3], (3, 3), strides: (2, 1), padding: .same)
            assertGradientsMatch([randomTensor([2, 5, 6, 3], seed: 13), randomTensor([3, 3, 3, dm], seed: 14)]) { t in
                depthwiseConv2d(t[0], t[1], geometry: g)
            }
        }
    }

    func testPoolingGradients() {
        for (k, s, p) in [((2, 2), (2, 2), ConvolutionPadding.valid), ((3, 3), (2, 2), .same), ((2, 3), (1, 2), .valid), ((3, 3), (1, 1), .same)] {
            let g = geometry([2, 5, 7, 3], k, strides: s, padding: p)
            let x = spacedTensor([2, 5, 7, 3])
            assertGradientsMatch([x]) { t in maxPool2d(t[0], geometry: g) }
            assertGradientsMatch([x]) { t in averagePool2d(t[0], geometry: g) }
        }
    }

    /// Max pooling on every instruction set, with ties (the first maximal cell in window order
    /// takes the gradient, as in Keras), windows that tile exactly, leave cells uncovered, or
    /// overlap, and enough channels for the vector loops: against a plain reference.
    func testMaxPoolingWinnersOnEveryISA() {
        let saved = CPUFeatures.activeISA
        defer { CPUFeatures.setISA(saved) }
        let (n, h, w, c) = (2, 6, 5, 37)
        // Values in a few levels so that windows hold ties.
        let x = Tensor(shape: [n, h, w, c]) { p, count in for i in 0..<count { p[i] = Float((i * 7919) % 5) } }
        for isa in KernelISA.allCases where isa <= CPUFeatures.supportedISA {
            CPUFeatures.setISA(isa)
            for (k, s) in [((2, 1), (2, 1)), ((2, 2), (2, 2)), ((3, 2), (2, 1))] {
                let g = geometry([n, h, w, c], k, strides: s, padding: .valid)
                let cotangent = randomTensor([n, g.outHeight, g.outWidth, c], seed: 3)
                let xv = x.requiringGradient()
                let y = maxPool2d(xv, geometry: g)
                let dx = Tensor.gradients(of: y, withRespectTo: [xv], seed: cotangent)[0]
                var wantY = [Float](repeating: 0, count: y.count), wantDx = [Float](repeating: 0, count: x.count)
                let xs = x.scalars, gs = cotangent.scalars
                for b in 0..<n { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth { for ch in 0..<c {
                    var best = -Float.infinity, at = 0
                    for iy in oy * s.0..<oy * s.0 + k.0 { for ix in ox * s.1..<ox * s.1 + k.1 {
                        let i = ((b * h + iy) * w + ix) * c + ch
                        if xs[i] > best { (best, at) = (xs[i], i) }
                    }}
                    let o = ((b * g.outHeight + oy) * g.outWidth + ox) * c + ch
                    wantY[o] = best
                    wantDx[at] += gs[o]
                }}}}
                XCTAssertEqual(y.scalars, wantY, "\(isa) \(k) \(s)")
                XCTAssertEqual(dx.scalars, wantDx, "\(isa) \(k) \(s)")
                XCTAssertEqual(withoutGradients { maxPool2d(x, geometry: g) }.scalars, wantY, "\(isa) inference")
            }
        }
    }

    func testAveragePoolingSameDividesByRealCells() {
        // One row of 3 values, window 2, stride 2, same: the last window holds one real cell.
        let g = geometry([1, 1, 3, 1], (1, 2), strides: (1, 2), padding: .same)
        assertClose(averagePool2d(Tensor(shape: [1, 1, 3, 1], scalars: [1, 3, 5]), geometry: g), [2, 5], shape: [1, 1, 2, 1])
    }

    func testUpsamplingGradients() {
        let x = randomTensor([2, 3, 4, 2], seed: 15)
        assertGradientsMatch([x]) { t in upsampleNearest2d(t[0], scale: (2, 3)) }
        assertGradientsMatch([x]) { t in upsampleBilinear2d(t[0], scale: (2, 3)) }
    }

    func testBilinearUsesHalfPixelCentres() {
        // [0, 1] upsampled ×2: sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
        assertClose(upsampleBilinear2d(Tensor(shape: [1, 1, 2, 1], scalars: [0, 1]), scale: (1, 2)), [0, 0.25, 0.75, 1])
    }

    func testBatchNormalizationGradients() {
        let x = randomTensor([4, 3, 5], seed: 16), gamma = randomTensor([3], seed: 17), beta = randomTensor([3], seed: 18)
        for axis in [1, 2] {
            let c = x.shape[axis]
            let gm = gamma.sliced(alongAxis: 0, 0..<Swift.min(3, c)), bt = beta.sliced(alongAxis: 0, 0..<Swift.min(3, c))
            let gg = c == 3 ? gm : randomTensor([c], seed: 19), bb = c == 3 ? bt : randomTensor([c], seed: 20)
            assertGradientsMatch([x, gg, bb], epsilon: 1e-2) { t in
                batchNormalization(t[0], axis: axis, gamma: t[1], beta: t[2], epsilon: 1e-3).output
            }
            let stats = (randomTensor([c], seed: 21), randomTensor([c], seed: 22, min: 0.5, max: 2))
            assertGradientsMatch([x, gg, bb]) { t in
                batchNormalization(t[0], axis: axis, gamma: t[1], beta: t[2], epsilon: 1e-3, statistics: stats).output
            }
        }
    }

    func testBatchNormalizationStatisticsAreBiased() {
        let x = Tensor(shape: [4, 1], scalars: [1, 2, 3, 6])
        let r = batchNormalization(x, axis: 1, gamma: nil, beta: nil, epsilon: 0.001)
        assertClose(r.mean, [3])
        assertClose(r.variance, [3.5])
    }
}

/// Distinct values spaced well beyond the finite-difference step, so no pooling window has
/// a near-tie that a probe could flip.
func spacedTensor(_ shape: [Int], seed: UInt64 = 3) -> Tensor {
    let n = Shape.count(shape)
    var values = (0..<n).map { Float($0) * 0.1 - Float(n) * 0.05 }
    var g = RandomGenerator(seed: seed)
    values.shuffle(using: &g)
    return Tensor(shape: shape, scalars: values)
}
