import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// The fused convolution → ReLU → max-pooling op against the same three ops run separately,
/// and Sequential models that use it against the same layers applied one by one.
final class ConvolutionPoolingFusionTests: XCTestCase {
    func geometry(_ shape: [Int], _ k: (Int, Int), strides: (Int, Int) = (1, 1), padding: ConvolutionPadding = .valid) -> ConvolutionGeometry {
        try! ConvolutionGeometry(inputShape: shape, kernel: k, strides: strides, padding: padding, layer: "test")
    }

    /// On every instruction set the CPU has (the portable one runs the im2col path instead of
    /// the direct kernel).
    func testFusedOpMatchesSeparateOpsOnEveryISA() {
        let saved = CPUFeatures.activeISA
        defer { CPUFeatures.setISA(saved) }
        for isa in KernelISA.allCases where isa <= CPUFeatures.supportedISA {
            CPUFeatures.setISA(isa)
            checkFusedOpMatchesSeparateOps()
        }
    }

    func checkFusedOpMatchesSeparateOps() {
        // Thin window (one channel), a GEMM-path window, same padding with strides, overlapping,
        // uncovered and padded (same) pooling windows; batches large enough for several blocks.
        let cases: [([Int], (Int, Int), (Int, Int), ConvolutionPadding, Int, (Int, Int), (Int, Int), ConvolutionPadding)] = [
            ([13, 28, 28, 1], (3, 3), (1, 1), .valid, 32, (2, 2), (2, 2), .valid),
            ([5, 9, 11, 8], (3, 3), (1, 1), .same, 72, (3, 3), (2, 2), .valid),
            ([3, 10, 9, 3], (2, 3), (2, 1), .same, 6, (2, 2), (1, 1), .valid),
            ([4, 7, 9, 2], (3, 3), (1, 1), .same, 20, (2, 2), (2, 2), .same),
        ]
        for (shape, k, s, p, cout, pk, ps, pp) in cases {
            let cg = geometry(shape, k, strides: s, padding: p)
            let pg = geometry([shape[0], cg.outHeight, cg.outWidth, cout], pk, strides: ps, padding: pp)
            let x = randomTensor(shape, seed: 1), w = randomTensor([k.0, k.1, shape[3], cout], seed: 2, min: -0.4, max: 0.4)
            let b = randomTensor([cout], seed: 3, min: -0.2, max: 0.2)
            let separate = withoutGradients { maxPool2d(conv2d(x, w, bias: b, geometry: cg, relu: true), geometry: pg) }
            XCTAssertEqual(withoutGradients { conv2dReluMaxPool(x, w, bias: b, convolution: cg, pooling: pg) }.scalars, separate.scalars)
            let seed = randomTensor(separate.shape, seed: 4)
            for needInput in [false, true] {
                let vars = [needInput ? x.requiringGradient() : x, w.requiringGradient(), b.requiringGradient()]
                let fused = conv2dReluMaxPool(vars[0], vars[1], bias: vars[2], convolution: cg, pooling: pg)
                XCTAssertEqual(fused.scalars, separate.scalars)
                let wanted = needInput ? vars : Array(vars.dropFirst())
                let got = Tensor.gradients(of: fused, withRespectTo: wanted, seed: seed)
                let want = Tensor.gradients(of: maxPool2d(conv2d(vars[0], vars[1], bias: vars[2], geometry: cg, relu: true), geometry: pg),
                                            withRespectTo: wanted, seed: seed)
                for (a, e) in zip(got, want) { assertClose(a, e.scalars, shape: e.shape, tolerance: 1e-4) }
            }
        }
    }

    func testFusedOpGradientsMatchFiniteDifferences() {
        let cg = geometry([2, 6, 5, 2], (3, 3), padding: .same)
        let pg = geometry([2, 6, 5, 3], (2, 2), strides: (2, 2))
        let inputs = [spacedTensor([2, 6, 5, 2]), randomTensor([3, 3, 2, 3], seed: 7), randomTensor([3], seed: 8)]
        assertGradientsMatch(inputs) { t in conv2dReluMaxPool(t[0], t[1], bias: t[2], convolution: cg, pooling: pg) }
    }

    /// A Sequential model fuses each Conv(ReLU) → MaxPooling pair; its outputs and weight
    /// gradients equal those of the layers applied one at a time, in 2-D and 1-D.
    func testSequentialFusionMatchesLayerByLayer() throws {
        let models: [(Sequential, [Int])] = [
            (Sequential {
                Conv2D(8, kernelSize: 3, activation: .relu); MaxPooling2D(2)
                Conv2D(6, kernelSize: 3, padding: .same, activation: .relu); MaxPooling2D(2)
                Flatten(); Dense(3)
            }, [4, 14, 14, 1]),
            (Sequential { Conv1D(5, kernelSize: 3, activation: .relu); MaxPooling1D(2); Flatten(); Dense(2) }, [3, 12, 4]),
        ]
        for (model, shape) in models {
            let x = randomTensor(shape, seed: 11)
            let fused = try model(x)
            var chained = x
            for layer in model.layers { chained = try layer(chained) }
            assertClose(fused, chained.scalars, shape: chained.shape, tolerance: 1e-6)
            // Trainable weights are tape variables.
            let vars = model.trainableWeights.map(\.value)
            let seed = randomTensor(fused.shape, seed: 12)
            let got = Tensor.gradients(of: try model(x), withRespectTo: vars, seed: seed)
            let want = Tensor.gradients(of: try model.layers.reduce(x) { try $1($0) }, withRespectTo: vars, seed: seed)
            XCTAssertEqual(got.count, model.layers.count == 6 ? 6 : 4)
            for (a, e) in zip(got, want) { assertClose(a, e.scalars, shape: e.shape, tolerance: 1e-4) }
        }
    }

    /// A functional graph gets the same rewrite: each Conv(ReLU) whose only consumer is a max
    /// pooling fuses with it, and the outputs and gradients equal the layers applied one by one;
    /// a convolution whose output also feeds another branch (or is a model output) does not fuse.
    func testFunctionalGraphFusesOnlyPrivatePairs() throws {
        let input = Input(shape: [14, 14, 1])
        let c1 = Conv2D(8, kernelSize: 3, activation: .relu), p1 = MaxPooling2D(2)
        let c2 = Conv2D(6, kernelSize: 3, padding: .same, activation: .relu), p2 = MaxPooling2D(2)
        let flatten = Flatten(), dense = Dense(3)
        let out = try dense(try flatten(try p2(try c2(try p1(try c1(input))))))
        let model = try Model(inputs: input, outputs: out)
        XCTAssertEqual(model.graph?.fusedSuccessor.count, 2)
        let x = randomTensor([4, 14, 14, 1], seed: 21)
        let chained = try [c1, p1, c2, p2, flatten, dense].reduce(x) { try $1($0) }
        assertClose(try model(x), chained.scalars, shape: chained.shape, tolerance: 1e-6)
        let vars = model.trainableWeights.map(\.value)
        let seed = randomTensor(chained.shape, seed: 22)
        let got = Tensor.gradients(of: try model(x), withRespectTo: vars, seed: seed)
        let want = Tensor.gradients(of: try [c1, p1, c2, p2, flatten, dense].reduce(x) { try $1($0) }, withRespectTo: vars, seed: seed)
        XCTAssertEqual(got.count, 6)
        for (a, e) in zip(got, want) { assertClose(a, e.scalars, shape: e.shape, tolerance: 1e-4) }

        let branchInput = Input(shape: [10, 10, 2])
        let conv = Conv2D(4, kernelSize: 3, activation: .relu)
        let features = try conv(branchInput)
        let pooled = try MaxPooling2D(2)(features)
        let branched = try Model(inputs: [branchInput], outputs: [pooled, try GlobalAveragePooling2D()(features)])
        XCTAssertEqual(branched.graph?.fusedSuccessor.count, 0)
        let exposed = try Model(inputs: [branchInput], outputs: [features, pooled])
        XCTAssertEqual(exposed.graph?.fusedSuccessor.count, 0)
    }

    /// Only ReLU convolutions followed by max pooling over the same number of axes fuse.
    func testOnlyReluConvolutionThenMaxPoolingFuses() throws {
        let x = randomTensor([2, 8, 8, 3], seed: 13)
        XCTAssertNotNil(try Conv2D(4, kernelSize: 3, activation: .relu).fusedCall(followedBy: MaxPooling2D(2), input: x))
        XCTAssertNil(try Conv2D(4, kernelSize: 3, activation: .tanh).fusedCall(followedBy: MaxPooling2D(2), input: x))
        XCTAssertNil(try Conv2D(4, kernelSize: 3, activation: .relu).fusedCall(followedBy: AveragePooling2D(2), input: x))
        XCTAssertNil(try Conv2D(4, kernelSize: 3, activation: .relu).fusedCall(followedBy: Dense(2), input: x))
        XCTAssertNotNil(try Conv1D(4, kernelSize: 3, activation: .relu).fusedCall(followedBy: MaxPooling1D(2), input: randomTensor([2, 9, 3])))
    }
}
