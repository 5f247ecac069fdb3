import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class AutogradTests: XCTestCase {
    func testBackwardFillsGradOfVariables() {
        let x = Tensor([1, 2, 3]).requiringGradient()
        let w = Tensor([4, 5, 6]).requiringGradient()
        let loss = (x * w).sum()
        loss.backward()
        assertClose(x.grad!, [4, 5, 6])
        assertClose(w.grad!, [1, 2, 3])
    }

    func testGradientsAccumulateWhenAValueIsUsedTwice() {
        let x = Tensor([3]).requiringGradient()
        let y = x * x + x          // dy/dx = 2x + 1 = 7
        assertClose(Tensor.gradients(of: y.sum(), withRespectTo: [x])[0], [7])
        // Repeated backward() calls add up, as in PyTorch, until zeroGradient().
        y.sum().backward()
        y.sum().backward()
        assertClose(x.grad!, [14])
        x.zeroGradient()
        XCTAssertNil(x.grad)
    }

    func testUnusedVariableGetsZerosAndConstantsGetNothing() {
        let x = Tensor([1, 2]).requiringGradient()
        let unused = Tensor([5]).requiringGradient()
        let c = Tensor([10, 20])
        let g = Tensor.gradients(of: (x * c).sum(), withRespectTo: [x, unused])
        assertClose(g[0], [10, 20])
        assertClose(g[1], [0])
        XCTAssertFalse(c.requiresGradient)
        XCTAssertFalse((c * 2).requiresGradient)
    }

    func testNoGradientModeRecordsNothing() {
        let x = Tensor([1, 2]).requiringGradient()
        let y = withoutGradients { x * 2 + 1 }
        XCTAssertFalse(y.requiresGradient)
        XCTAssertTrue(GradientMode.isRecording)
        withoutGradients { withoutGradients { XCTAssertFalse(GradientMode.isRecording) }; XCTAssertFalse(GradientMode.isRecording) }
        XCTAssertTrue((x * 2).requiresGradient)
    }

    func testSeededBackwardForNonScalarOutput() {
        let x = Tensor([1, 2, 3]).requiringGradient()
        let y = x * x
        y.backward(seed: Tensor([1, 0, -1]))
        assertClose(x.grad!, [2, 0, -6])
    }

    func testDetachedStopsGradient() {
        let x = Tensor([2]).requiringGradient()
        let y = x * x.detached()
        assertClose(Tensor.gradients(of: y.sum(), withRespectTo: [x])[0], [2])
    }

    func testDeepChainDoesNotOverflowTheStack() {
        let x = Tensor([1]).requiringGradient()
        var y = x
        for _ in 0..<20_000 { y = y + 0.0001 }
        assertClose(Tensor.gradients(of: y.sum(), withRespectTo: [x])[0], [1])
    }

    func testTheCheckerCatchesAWrongGradient() {
        // A deliberately wrong backward (twice the true derivative) must fail the check.
        let result = GradientCheck.check([Tensor([0.5, -0.3])]) { xs in
            let x = xs[0]
            return (x * x).detached().recorded(from: x) { g in g * x * 4 }
        }
        XCTAssertGreaterThan(result.maxError, 0.1)
    }
}
