import XCTest
import Kestrel
import KestrelDemos

/// The encoder–decoder-with-states forecaster, built on the functional API.
final class FunctionalDemoTests: XCTestCase {
    func testEncoderDecoderWithStatesBeatsSeasonalNaive() throws {
        XCTAssertLessThan(try Seq2SeqAirlineDemo.run(epochs: 150, passingStates: true, verbose: .silent), 46.1)
    }
}
