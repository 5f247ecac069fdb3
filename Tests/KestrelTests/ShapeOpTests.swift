import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class ShapeOpTests: XCTestCase {
    let x = Tensor.arange(0, 6).reshaped([2, 3])

    func testReshapeExpandSqueeze() {
        XCTAssertEqual(x.reshaped([3, -1]).shape, [3, 2])
        XCTAssertEqual(x.reshaped([-1]).shape, [6])
        XCTAssertEqual(x.expandingDimensions(at: 0).shape, [1, 2, 3])
        XCTAssertEqual(x.expandingDimensions(at: -1).shape, [2, 3, 1])
        XCTAssertEqual(Tensor.zeros([1, 2, 1, 3]).squeezed().shape, [2, 3])
        XCTAssertEqual(Tensor.zeros([1, 2, 1, 3]).squeezed(axes: [2]).shape, [1, 2, 3])
        XCTAssertEqual(Tensor.zeros([4, 2, 3]).flattenedBatch().shape, [4, 6])
    }

    func testTransposeAndPermute() {
        assertClose(x.transposed(), [0, 3, 1, 4, 2, 5], shape: [3, 2])
        let y = Tensor.arange(0, 24).reshaped([2, 3, 4])
        let p = y.permuted([2, 0, 1])
        XCTAssertEqual(p.shape, [4, 2, 3])
        XCTAssertEqual(p[3, 1, 2], y[1, 2, 3])
        XCTAssertEqual(p[1, 0, 2], y[0, 2, 1])
        XCTAssertEqual(y.transposed(0, 2)[3, 1, 0], y[0, 1, 3])
    }

    func testBroadcastTo() {
        assertClose(Tensor([1, 2]).broadcast(to: [3, 2]), [1, 2, 1, 2, 1, 2], shape: [3, 2])
        assertClose(Tensor([[1], [2]]).broadcast(to: [2, 2]), [1, 1, 2, 2], shape: [2, 2])
    }

    func testSliceConcatStackSplit() {
        assertClose(x.sliced(alongAxis: 1, 1..<3), [1, 2, 4, 5], shape: [2, 2])
        assertClose(x.sliced(alongAxis: 0, 1..<2), [3, 4, 5], shape: [1, 3])
        assertClose(x.selecting(index: 2, alongAxis: 1), [2, 5], shape: [2])
        let c = Tensor.concatenate([x, Tensor([[9], [9]])], alongAxis: 1)
        assertClose(c, [0, 1, 2, 9, 3, 4, 5, 9], shape: [2, 4])
        assertClose(Tensor.concatenate([x, x], alongAxis: 0), [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5], shape: [4, 3])
        let s = Tensor.stack([Tensor([1, 2]), Tensor([3, 4])], alongAxis: 1)
        assertClose(s, [1, 3, 2, 4], shape: [2, 2])
        let parts = x.split(sizes: [1, 2], alongAxis: 1)
        assertClose(parts[0], [0, 3], shape: [2, 1])
        assertClose(parts[1], [1, 2, 4, 5], shape: [2, 2])
        XCTAssertEqual(x.split(count: 3, alongAxis: 1).map(\.shape), [[2, 1], [2, 1], [2, 1]])
    }

    func testPadFlipGather() {
        assertClose(x.padded([(0, 1), (1, 0)], value: -1), [-1, 0, 1, 2, -1, 3, 4, 5, -1, -1, -1, -1], shape: [3, 4])
        assertClose(x.flipped(alongAxis: 1), [2, 1, 0, 5, 4, 3])
        assertClose(x.flipped(alongAxis: 0), [3, 4, 5, 0, 1, 2])
        let table = Tensor([[0, 0], [1, 1], [2, 2]])
        assertClose(table.gathering(IntTensor([[2, 0], [1, 1]])), [2, 2, 0, 0, 1, 1, 1, 1], shape: [2, 2, 2])
        assertClose(x.gathering(IntTensor([2, 0]), alongAxis: 1), [2, 0, 5, 3], shape: [2, 2])
    }
}
