import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class TensorTests: XCTestCase {
    func testCreation() {
        assertClose(Tensor.zeros([2, 3]), [0, 0, 0, 0, 0, 0], shape: [2, 3])
        assertClose(Tensor.ones([2]), [1, 1], shape: [2])
        assertClose(Tensor.full([1, 2], 7), [7, 7], shape: [1, 2])
        assertClose(Tensor.arange(0, 5), [0, 1, 2, 3, 4], shape: [5])
        assertClose(Tensor.arange(1, 2, step: 0.25), [1, 1.25, 1.5, 1.75], shape: [4])
        assertClose(Tensor([[1, 2], [3, 4], [5, 6]]), [1, 2, 3, 4, 5, 6], shape: [3, 2])
        assertClose(Tensor([[[1], [2]], [[3], [4]]]), [1, 2, 3, 4], shape: [2, 2, 1])
        assertClose(Tensor([[[[1, 2]]]]), [1, 2], shape: [1, 1, 1, 2])
        XCTAssertEqual(Tensor(3).shape, [])
        XCTAssertEqual(Tensor(3).scalar, 3)
        XCTAssertEqual(Tensor([[1, 2], [3, 4]])[1, 0], 3)
    }

    func testStorageIsAlignedAndCopyOnWrite() {
        let a = Tensor.ones([17])
        a.withUnsafeBufferPointer { XCTAssertEqual(Int(bitPattern: $0.baseAddress) % 64, 0) }
        var b = a
        b[3] = 5
        XCTAssertEqual(a[3], 1, "writing a copy must not change the original")
        XCTAssertEqual(b[3], 5)
        var c = a.reshaped([17, 1])
        c[0, 0] = 9
        XCTAssertEqual(a[0], 1, "a reshaped view is copied before a write")
    }

    func testSeededRandomIsReproducibleAndHasTheRightMoments() {
        var g1 = RandomGenerator(seed: 42), g2 = RandomGenerator(seed: 42)
        let a = Tensor.randomNormal([10_000], generator: &g1)
        let b = Tensor.randomNormal([10_000], generator: &g2)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.mean().scalar, 0, accuracy: 0.03)
        XCTAssertEqual(a.variance().scalar, 1, accuracy: 0.05)
        let u = Tensor.randomUniform([10_000], min: -2, max: 4, generator: &g1)
        XCTAssertGreaterThanOrEqual(u.min().scalar, -2)
        XCTAssertLessThan(u.max().scalar, 4)
        XCTAssertEqual(u.mean().scalar, 1, accuracy: 0.06)
        let t = Tensor.randomTruncatedNormal([10_000], mean: 1, standardDeviation: 0.5, generator: &g1)
        XCTAssertGreaterThanOrEqual(t.min().scalar, 0)
        XCTAssertLessThanOrEqual(t.max().scalar, 2)
        // The stream is fixed by the algorithm: these are the first draws for seed 0.
        var g0 = RandomGenerator(seed: 0)
        let first = (0..<3).map { _ in g0.next() }
        var g0again = RandomGenerator(seed: 0)
        XCTAssertEqual(first, (0..<3).map { _ in g0again.next() })
        XCTAssertNotEqual(first[0], first[1])
    }

    func testIntTensor() {
        let ids = IntTensor([[1, 2], [3, 4]])
        XCTAssertEqual(ids.shape, [2, 2])
        XCTAssertEqual(ids[3], 4)
        assertClose(ids.asTensor, [1, 2, 3, 4], shape: [2, 2])
        XCTAssertEqual(Tensor([2.7, -1.2]).asIntTensor.scalars, [2, -1])
    }
}
