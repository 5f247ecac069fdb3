import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class MatMulTests: XCTestCase {
    let a = Tensor([[1, 2, 3], [4, 5, 6]])        // 2×3
    let b = Tensor([[1, 0], [0, 1], [2, 3]])      // 3×2

    func testTwoDimensional() {
        assertClose(matmul(a, b), [7, 11, 16, 23], shape: [2, 2])
        assertClose(matmul(b, a, transposeA: true, transposeB: true), [7, 16, 11, 23], shape: [2, 2])
        assertClose(matmul(a, a, transposeB: true), [14, 32, 32, 77], shape: [2, 2])
        assertClose(matmul(a, a, transposeA: true), [17, 22, 27, 22, 29, 36, 27, 36, 45], shape: [3, 3])
    }

    func testBatchedAndBroadcast() {
        let stack = Tensor.stack([a, a * 2])                  // 2×2×3
        assertClose(matmul(stack, b), [7, 11, 16, 23, 14, 22, 32, 46], shape: [2, 2, 2])
        let bs = Tensor.stack([b, b * -1])                    // 2×3×2
        assertClose(matmul(stack, bs), [7, 11, 16, 23, -14, -22, -32, -46], shape: [2, 2, 2])
        // A single matrix on the left broadcasts over the right operand's batch.
        assertClose(matmul(a, bs), [7, 11, 16, 23, -7, -11, -16, -23], shape: [2, 2, 2])
        // Batch axes broadcast: (2, 1, 2, 3) · (3, 3, 2) → (2, 3, 2, 2)
        let left = Tensor.stack([a.expandingDimensions(at: 0), (a * 0).expandingDimensions(at: 0)])
        let right = Tensor.stack([b, b, b])
        let y = matmul(left, right)
        XCTAssertEqual(y.shape, [2, 3, 2, 2])
        XCTAssertEqual(y[0, 2, 1, 1], 23)
        XCTAssertEqual(y[1, 0, 0, 0], 0)
    }

    func testAgainstNaiveProductOnRandomData() {
        let x = randomTensor([37, 53], seed: 3), y = randomTensor([53, 29], seed: 4)
        let z = matmul(x, y)
        var worst: Float = 0
        for i in 0..<37 {
            for j in 0..<29 {
                var s: Double = 0
                for p in 0..<53 { s += Double(x[i, p]) * Double(y[p, j]) }
                worst = max(worst, abs(Float(s) - z[i, j]))
            }
        }
        XCTAssertLessThan(worst, 1e-4)
    }
}
