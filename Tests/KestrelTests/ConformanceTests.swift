import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// Runs the conformance runner over the Keras reference fixtures: nothing may fail, and every
/// case of the categories Kestrel implements must pass (not be skipped).
final class ConformanceTests: XCTestCase {
    static var fixtures: URL { KerasFixture.directory }

    func testKerasFixtures() throws {
        let files = try ConformanceRunner.fixtureFiles(in: Self.fixtures)
        XCTAssertGreaterThan(files.count, 100, "fixtures not found at \(Self.fixtures.path)")
        let mustPass = ["activation_", "dense_", "loss_", "optimizer_", "flatten", "reshape", "permute", "repeat_vector",
                        "dropout", "merge_", "simple_rnn_", "lstm_", "gru_", "bidirectional_", "time_distributed", "embedding",
                        "model_lstm_many_to_one", "model_bigru_many_to_many"]
        var passed = 0
        for url in files {
            let (name, outcome) = ConformanceRunner.run(url: url)
            switch outcome {
            case .passed: passed += 1
            case let .failed(reason, _, _): XCTFail("\(name): \(reason)")
            case let .unsupported(reason):
                if mustPass.contains(where: { name.hasPrefix($0) }) { XCTFail("\(name) must be supported: \(reason)") }
            }
        }
        XCTAssertGreaterThanOrEqual(passed, 58)
    }

    func testBrokenFixtureIsAFailureNotACrash() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).safetensors")
        try Data([1, 2, 3]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        guard case .failed = ConformanceRunner.run(url: url).outcome else { return XCTFail("expected a failure") }
    }
}
