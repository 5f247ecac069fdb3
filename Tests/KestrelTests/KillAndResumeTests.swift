import Foundation
import XCTest
import Kestrel

/// The command line's promises about repeatability: `kestrel demo NAME --save FILE` twice
/// writes the same bytes, and a demo killed with SIGKILL again and again and restarted
/// with the same `--backup-dir` each time writes the bytes an uninterrupted run writes.
final class KillAndResumeTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kestrel-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func file(_ name: String) -> String { folder.appendingPathComponent(name).path }

    private func assertSameBytes(_ a: String, _ b: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let first = try Data(contentsOf: URL(fileURLWithPath: a)), second = try Data(contentsOf: URL(fileURLWithPath: b))
        XCTAssertGreaterThan(first.count, 1000, file: file, line: line)
        XCTAssertTrue(first == second, "\(what): the two saved models differ", file: file, line: line)
    }

    func testTwoRunsOfAConvolutionalDemoSaveTheSameBytes() throws {
        for name in ["a", "b"] {
            XCTAssertEqual(try runKestrel(["demo", "cnn-mnist", "--epochs", "1", "--save", file(name)]), 0)
        }
        try assertSameBytes(file("a"), file("b"), "cnn-mnist")
    }

    func testTwoRunsOfAnLSTMDemoSaveTheSameBytes() throws {
        for name in ["a", "b"] {
            XCTAssertEqual(try runKestrel(["demo", "lstm-gunpoint", "--epochs", "3", "--save", file(name)]), 0)
        }
        try assertSameBytes(file("a"), file("b"), "lstm-gunpoint")
    }

    /// mlp-digits (dropout 0.5, shuffled batches, Adam) backed up every 3 batches and killed
    /// mid-training at 20 random moments or more; each restart resumes from the latest backup.
    func testADemoKilledTwentyTimesEndsWithTheUninterruptedWeights() throws {
        let demo = ["demo", "mlp-digits", "--epochs", "20"]
        XCTAssertEqual(try runKestrel(demo + ["--save", file("uninterrupted")]), 0)
        let resumable = demo + ["--save", file("resumed"), "--backup-dir", file("backup"), "--backup-every", "3"]
        let started = Date()
        XCTAssertEqual(try runKestrel(resumable), 0)
        let runTime = Date().timeIntervalSince(started)
        try assertSameBytes(file("uninterrupted"), file("resumed"), "with backups, not killed")
        try FileManager.default.removeItem(atPath: file("resumed"))

        let backup = folder.appendingPathComponent("backup/latest.kestrel-backup").path
        var generator = SystemRandomNumberGenerator()
        var killsMidTraining = 0, attempts = 0
        while killsMidTraining < 20 && attempts < 200 {
            attempts += 1
            let process = try kestrelProcess(resumable)
            try process.run()
            usleep(UInt32(Double.random(in: 0.05...0.6, using: &generator) * runTime * 1e6))
            let killed = process.isRunning
            if killed { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            if killed && FileManager.default.fileExists(atPath: backup) { killsMidTraining += 1 }
            if process.terminationReason == .exit {
                XCTAssertEqual(process.terminationStatus, 0)
                try? FileManager.default.removeItem(atPath: file("resumed"))  // finished: the next run starts afresh
            }
        }
        XCTAssertGreaterThanOrEqual(killsMidTraining, 20, "in \(attempts) runs")
        XCTAssertEqual(try runKestrel(resumable), 0)
        try assertSameBytes(file("uninterrupted"), file("resumed"), "after \(killsMidTraining) kills")
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("backup")), "the finished run deletes its backup")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(left, [], "temporary files left behind")
    }
}
