import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class ProgressBarTests: XCTestCase {
    func testLiveAndClosingLinesFollowKeras() {
        let bar = ProgressBar(total: 32, verbosity: .progressBar)
        XCTAssertEqual(bar.liveLine(step: 12, elapsed: 1.8, logs: [("loss", 0.43214), ("accuracy", 0.87123)]),
                       "12/32 [===========>..................] - ETA: 3s - loss: 0.4321 - accuracy: 0.8712")
        XCTAssertEqual(bar.closingLine(elapsed: 0.096, logs: [("loss", 0.5), ("val_loss", 0.25)]),
                       "32/32 [==============================] - 0s 3ms/step - loss: 0.5000 - val_loss: 0.2500")
        let quiet = ProgressBar(total: 5, verbosity: .oneLinePerEpoch)
        XCTAssertEqual(quiet.closingLine(elapsed: 125, logs: [("loss", 1)]), "5/5 - 2:05 25s/step - loss: 1.0000")
        XCTAssertEqual(ProgressBar.stepTime(0.0004), "400us")
        XCTAssertEqual(ProgressBar.duration(3725), "1:02:05")
    }
}
