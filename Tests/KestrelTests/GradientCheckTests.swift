import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// Finite-difference checks of every differentiable op, on inputs away from kinks.
final class GradientCheckTests: XCTestCase {
    let a = randomTensor([2, 3], seed: 11)
    let b = randomTensor([2, 3], seed: 12)
    let row = randomTensor([3], seed: 13)
    let column = randomTensor([2, 1], seed: 14)
    let positive = randomTensor([2, 3], seed: 15, min: 0.5, max: 2)

    func testArithmetic() {
        assertGradientsMatch([a, row]) { $0[0] + $0[1] }
        assertGradientsMatch([a, column]) { $0[0] - $0[1] }
        assertGradientsMatch([row, column]) { $0[0] * $0[1] }
        assertGradientsMatch([a, positive]) { $0[0] / $0[1] }
        assertGradientsMatch([a]) { -$0[0] }
        assertGradientsMatch([a]) { ($0[0] + 2) * 3 - 1 }
        assertGradientsMatch([positive]) { 2 / $0[0] }
        assertGradientsMatch([positive]) { 1 - $0[0] / 4 }
    }

    func testPowers() {
        assertGradientsMatch([positive]) { pow($0[0], 3) }
        assertGradientsMatch([a]) { pow($0[0], 2) }
        assertGradientsMatch([positive, a]) { pow($0[0], $0[1]) }
        assertGradientsMatch([positive]) { sqrt($0[0]) }
    }

    func testUnaryFunctions() {
        assertGradientsMatch([a]) { exp($0[0]) }
        assertGradientsMatch([positive]) { log($0[0]) }
        assertGradientsMatch([a]) { tanh($0[0]) }
        assertGradientsMatch([a]) { sigmoid($0[0]) }
        let awayFromZero = Tensor([[-0.7, 0.4, 0.9], [-0.2, 0.3, -1.1]])
        assertGradientsMatch([awayFromZero]) { relu($0[0]) }
        assertGradientsMatch([awayFromZero]) { abs($0[0]) }
        assertGradientsMatch([awayFromZero]) { clamp($0[0], min: -0.5, max: 0.5) }
    }

    func testMinimumMaximumWhere() {
        assertGradientsMatch([a, b]) { minimum($0[0], $0[1]) }
        assertGradientsMatch([a, row]) { maximum($0[0], $0[1]) }
        let condition = Tensor([[1, 0, 1], [0, 0, 1]])
        assertGradientsMatch([a, row]) { `where`(condition, $0[0], $0[1]) }
    }

    func testReductions() {
        let x = randomTensor([2, 3, 4], seed: 21)
        assertGradientsMatch([x]) { $0[0].sum() }
        assertGradientsMatch([x]) { $0[0].sum(alongAxes: [0, 2]) }
        assertGradientsMatch([x]) { $0[0].mean(alongAxis: 1, keepingDimensions: true) }
        assertGradientsMatch([x]) { $0[0].variance(alongAxes: [1, 2]) }
        assertGradientsMatch([x]) { $0[0].max(alongAxis: 2) }
        assertGradientsMatch([x]) { $0[0].min(alongAxes: [0, 1]) }
        assertGradientsMatch([x]) { $0[0].max() }
    }

    func testMatmulAllTransposes() {
        let m = randomTensor([3, 4], seed: 31), n = randomTensor([4, 5], seed: 32)
        assertGradientsMatch([m, n]) { matmul($0[0], $0[1]) }
        assertGradientsMatch([m.transposed(), n]) { matmul($0[0], $0[1], transposeA: true) }
        assertGradientsMatch([m, n.transposed()]) { matmul($0[0], $0[1], transposeB: true) }
        assertGradientsMatch([m.transposed(), n.transposed()]) { matmul($0[0], $0[1], transposeA: true, transposeB: true) }
        let batch = randomTensor([2, 3, 4], seed: 33)
        assertGradientsMatch([batch, n]) { matmul($0[0], $0[1]) }
        let batchB = randomTensor([2, 4, 5], seed: 34)
        assertGradientsMatch([m, batchB]) { matmul($0[0], $0[1]) }
        assertGradientsMatch([batch, batchB]) { matmul($0[0], $0[1]) }
        assertGradientsMatch([batch, batchB.transposed()]) { matmul($0[0], $0[1], transposeB: true) }
    }

    func testSoftmaxes() {
        let x = randomTensor([3, 4], seed: 41, min: -2, max: 2)
        assertGradientsMatch([x]) { softmax($0[0]) }
        assertGradientsMatch([x]) { softmax($0[0], alongAxis: 0) }
        assertGradientsMatch([x]) { logSoftmax($0[0]) }
        assertGradientsMatch([x]) { logSoftmax($0[0], alongAxis: 0) }
    }

    func testShapeOps() {
        let x = randomTensor([2, 3, 4], seed: 51)
        assertGradientsMatch([x]) { $0[0].reshaped([6, -1]) }
        assertGradientsMatch([x]) { $0[0].permuted([2, 0, 1]) }
        assertGradientsMatch([x]) { $0[0].transposed() }
        assertGradientsMatch([x]) { $0[0].expandingDimensions(at: 1).squeezed() }
        assertGradientsMatch([row]) { $0[0].broadcast(to: [4, 3]) }
        assertGradientsMatch([x]) { $0[0].sliced(alongAxis: 2, 1..<3) }
        assertGradientsMatch([x]) { $0[0].selecting(index: 1, alongAxis: 1) }
        assertGradientsMatch([a, b]) { Tensor.concatenate([$0[0], $0[1]], alongAxis: 1) }
        assertGradientsMatch([a, b]) { Tensor.stack([$0[0], $0[1]], alongAxis: 2) }
        assertGradientsMatch([x]) { xs in
            let parts = xs[0].split(sizes: [1, 3], alongAxis: 2)
            return parts[0] * parts[1].sum(alongAxis: 2, keepingDimensions: true)
        }
        assertGradientsMatch([x]) { $0[0].padded([(1, 0), (0, 2), (1, 1)], value: 3) }
        assertGradientsMatch([x]) { $0[0].flipped(alongAxis: 1) }
        let table = randomTensor([5, 3], seed: 52)
        assertGradientsMatch([table]) { $0[0].gathering(IntTensor([[4, 1], [1, 0]])) }
        assertGradientsMatch([x]) { $0[0].gathering(IntTensor([3, 3, 0]), alongAxis: 2) }
    }
}
