import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class ReductionTests: XCTestCase {
    // shape (2, 3, 2): x[i, j, k] = 6i + 2j + k
    let x = Tensor.arange(0, 12).reshaped([2, 3, 2])

    func testSumOverAnyAxes() {
        XCTAssertEqual(x.sum().scalar, 66)
        XCTAssertEqual(x.sum().shape, [])
        assertClose(x.sum(alongAxis: 0), [6, 8, 10, 12, 14, 16], shape: [3, 2])
        assertClose(x.sum(alongAxis: 1), [6, 9, 24, 27], shape: [2, 2])
        assertClose(x.sum(alongAxis: -1), [1, 5, 9, 13, 17, 21], shape: [2, 3])
        assertClose(x.sum(alongAxes: [0, 2]), [14, 22, 30], shape: [3])
        assertClose(x.sum(alongAxes: [0, 2], keepingDimensions: true), [14, 22, 30], shape: [1, 3, 1])
    }

    func testMeanVarianceMaxMin() {
        assertClose(x.mean(alongAxis: 1), [2, 3, 8, 9], shape: [2, 2])
        XCTAssertEqual(x.mean().scalar, 5.5)
        assertClose(Tensor([[1, 2, 3, 4]]).variance(alongAxis: 1), [1.25], shape: [1])
        assertClose(x.max(alongAxis: 1), [4, 5, 10, 11])
        assertClose(x.min(alongAxes: [0, 1]), [0, 1])
        XCTAssertEqual(x.max().scalar, 11)
        assertClose(x.max(alongAxis: 2, keepingDimensions: true), [1, 3, 5, 7, 9, 11], shape: [2, 3, 1])
    }

    func testArgmaxArgmin() {
        let t = Tensor([[1, 9, 3], [7, 2, 7]])
        XCTAssertEqual(t.argmax().scalars, [1, 0])
        XCTAssertEqual(t.argmax(alongAxis: 0).scalars, [1, 0, 1])
        XCTAssertEqual(t.argmin().scalars, [0, 1])
        XCTAssertEqual(t.argmax().shape, [2])
    }
}
