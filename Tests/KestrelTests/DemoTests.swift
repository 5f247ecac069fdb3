import XCTest
import Kestrel
import KestrelDemos

/// Shortened runs of the real-data demos with their fixed seeds.
final class DemoTests: XCTestCase {
    func testMLPOnDigits() throws {
        let accuracy = try MLPDemos.digits(epochs: 40, verbose: .silent)
        XCTAssertGreaterThanOrEqual(accuracy, 0.93)
    }

    func testMLPOnMNIST5k() throws {
        let accuracy = try MLPDemos.mnist(epochs: 6, verbose: .silent)
        XCTAssertGreaterThanOrEqual(accuracy, 0.90)
    }
}
