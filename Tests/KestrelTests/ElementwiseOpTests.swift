import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class ElementwiseOpTests: XCTestCase {
    let a = Tensor([[1, 2, 3], [4, 5, 6]])
    let row = Tensor([10, 20, 30])
    let column = Tensor([[100], [200]])

    func testArithmeticWithBroadcasting() {
        assertClose(a + row, [11, 22, 33, 14, 25, 36], shape: [2, 3])
        assertClose(a - column, [-99, -98, -97, -196, -195, -194], shape: [2, 3])
        assertClose(row * column, [1000, 2000, 3000, 2000, 4000, 6000], shape: [2, 3])
        assertClose(a / row, [0.1, 0.1, 0.1, 0.4, 0.25, 0.2], shape: [2, 3])
        assertClose(a + Tensor(1), [2, 3, 4, 5, 6, 7], shape: [2, 3])
        assertClose(-a, [-1, -2, -3, -4, -5, -6])
        assertClose(a * 2, [2, 4, 6, 8, 10, 12])
        assertClose(1 - a, [0, -1, -2, -3, -4, -5])
        assertClose(6 / a, [6, 3, 2, 1.5, 1.2, 1])
        assertClose(a / 2, [0.5, 1, 1.5, 2, 2.5, 3])
        // (2, 1, 3) with (4, 1) → (2, 4, 3)
        let x = Tensor.arange(0, 6).reshaped([2, 1, 3])
        let y = Tensor.arange(0, 4).reshaped([4, 1])
        let z = x + y
        XCTAssertEqual(z.shape, [2, 4, 3])
        XCTAssertEqual(z[1, 2, 1], 4 + 2)
        XCTAssertEqual(z[0, 3, 2], 2 + 3)
    }

    func testPowerMinimumMaximum() {
        assertClose(pow(a, 2), [1, 4, 9, 16, 25, 36])
        assertClose(pow(Tensor([4, 9]), 0.5), [2, 3])
        assertClose(pow(Tensor([2, 3]), Tensor([3, 2])), [8, 9])
        assertClose(minimum(a, Tensor([3])), [1, 2, 3, 3, 3, 3])
        assertClose(maximum(a, Tensor([3])), [3, 3, 3, 4, 5, 6])
    }

    func testUnaryFunctions() {
        let x = Tensor([-2, -0.5, 0, 0.5, 3])
        assertClose(exp(x), x.scalars.map { Foundation.exp($0) })
        assertClose(log(Tensor([1, 2.718281828, 0.5])), [0, 1, -0.6931472])
        assertClose(sqrt(Tensor([4, 2, 0])), [2, 1.4142135, 0])
        assertClose(abs(x), [2, 0.5, 0, 0.5, 3])
        assertClose(tanh(x), x.scalars.map { Foundation.tanh($0) })
        assertClose(sigmoid(x), x.scalars.map { 1 / (1 + Foundation.exp(-$0)) })
        assertClose(relu(x), [0, 0, 0, 0.5, 3])
        assertClose(clamp(x, min: -1, max: 1), [-1, -0.5, 0, 0.5, 1])
        // Saturation must not overflow.
        assertClose(sigmoid(Tensor([-100, 100])), [0, 1])
        assertClose(tanh(Tensor([-100, 100])), [-1, 1])
    }

    func testComparisonsAndWhere() {
        let x = Tensor([1, 2, 3]), y = Tensor([3, 2, 1])
        assertClose(x .< y, [1, 0, 0])
        assertClose(x .<= y, [1, 1, 0])
        assertClose(x .> y, [0, 0, 1])
        assertClose(x .>= y, [0, 1, 1])
        assertClose(x .== y, [0, 1, 0])
        assertClose(x .!= y, [1, 0, 1])
        assertClose(x .> 1.5, [0, 1, 1])
        assertClose(`where`(x .> y, x, y), [3, 2, 3])
        assertClose(`where`(Tensor([[1], [0]]), x, Tensor(-1)), [1, 2, 3, -1, -1, -1], shape: [2, 3])
    }

    func testSoftmaxIsStableAndNormalised() {
        let logits = Tensor([[1000, 1001, 1002], [-5, 0, 5]])
        let s = softmax(logits)
        let expected: [Float] = [0.09003057, 0.24472847, 0.66524096]
        assertClose(s.sliced(alongAxis: 0, 0..<1), expected)
        assertClose(s.sum(alongAxis: 1), [1, 1])
        let l = logSoftmax(logits)
        assertClose(l.sliced(alongAxis: 0, 0..<1), expected.map { Foundation.log($0) })
        assertClose(softmax(Tensor([[1, 3], [2, 4]]), alongAxis: 0), [0.26894142, 0.26894142, 0.7310586, 0.7310586])
        assertClose(exp(logSoftmax(Tensor([[1, 3], [2, 4]]), alongAxis: 0)), [0.26894142, 0.26894142, 0.7310586, 0.7310586])
    }
}
