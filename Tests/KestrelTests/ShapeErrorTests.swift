import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// The shape rules behind every op's precondition name the op, both shapes and the rule.
final class ShapeErrorTests: XCTestCase {
    func testBroadcastMismatchNamesOpShapesAndRule() {
        assertThrowsMessage(["add", "[2, 3]", "[4]", "equal or 1"]) {
            _ = try Shape.broadcast([2, 3], [4], op: "add")
        }
        XCTAssertEqual(try Shape.broadcast([2, 1, 3], [4, 1], op: "x"), [2, 4, 3])
        XCTAssertEqual(try Shape.broadcast([], [5], op: "x"), [5])
    }

    func testMatmulInnerDimensionMismatch() {
        assertThrowsMessage(["matmul", "[2, 3]", "[4, 5]", "inner dimensions"]) {
            _ = try MatMulLayout([2, 3], [4, 5], transposeA: false, transposeB: false)
        }
        assertThrowsMessage(["matmul", "rank"]) {
            _ = try MatMulLayout([3], [3, 2], transposeA: false, transposeB: false)
        }
        assertThrowsMessage(["batch axes", "[2]", "[3]"]) {
            _ = try MatMulLayout([2, 4, 3], [3, 3, 5], transposeA: false, transposeB: false)
        }
        XCTAssertNoThrow(try MatMulLayout([3, 2], [5, 3], transposeA: true, transposeB: true))
    }

    func testReshapeAndAxisErrors() {
        assertThrowsMessage(["reshape", "[2, 3]", "[4, -1]"]) {
            _ = try Shape.resolveReshape([4, -1], count: 6, from: [2, 3])
        }
        assertThrowsMessage(["at most one -1"]) {
            _ = try Shape.resolveReshape([-1, -1], count: 6, from: [2, 3])
        }
        XCTAssertEqual(try Shape.resolveReshape([3, -1], count: 6, from: [2, 3]), [3, 2])
        assertThrowsMessage(["sum", "axis 3", "rank 2"]) {
            _ = try Shape.normalize(axis: 3, rank: 2, op: "sum")
        }
        assertThrowsMessage(["same axis twice"]) {
            _ = try Shape.normalize(axes: [1, -1], rank: 2, op: "mean")
        }
        XCTAssertEqual(try Shape.normalize(axis: -1, rank: 4, op: "x"), 3)
    }
}
