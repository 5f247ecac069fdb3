import Foundation
import XCTest
@testable import KestrelFormats
@testable import KestrelNN
import KestrelCore

/// BackupAndRestore in one process: a `fit` stopped by an error partway (standing for a
/// crash) and run again with the same backup folder ends with the bits of a `fit` that was
/// never stopped — dropout, shuffling and Adam's state included.
final class BackupAndRestoreTests: XCTestCase {
    /// Throws after a given number of batches, as a crash would stop the run.
    final class CrashAfter: Callback {
        struct Crashed: Error {}
        let batches: Int
        private var seen = 0
        init(_ batches: Int) { self.batches = batches }
        func onBatchEnd(model: Model, batch: Int, logs: [String: Float]) throws {
            seen += 1
            if seen == batches { throw Crashed() }
        }
    }

    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kestrel-backup-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func data() -> (x: Tensor, y: Tensor) {
        var g = RandomGenerator(seed: 21)
        let x = Tensor.randomNormal([70, 6], generator: &g)
        let y = Tensor(x.sliced(alongAxis: 1, 0..<3).argmax(alongAxis: -1).scalars.map(Float.init))
        return (x, y)
    }

    /// The same model every call: the same seed, so the same initial weights and streams.
    private func model(units: Int = 16) throws -> Sequential {
        GlobalRandom.setSeed(3)
        let model = Sequential {
            Input(shape: [6])
            Dense(units, activation: .relu)
            Dropout(0.3)
            Dense(3)
        }
        try model.compile(optimizer: Adam(learningRate: 0.01), loss: SparseCategoricalCrossentropy(fromLogits: true),
                          metrics: ["accuracy"])
        return model
    }

    private func train(_ model: Model, callbacks: [Callback]) throws -> History {
        let (x, y) = data()
        return try model.fit(x: x, y: y, batchSize: 8, epochs: 4, callbacks: callbacks, verbose: .silent)
    }

    private func assertSameTraining(_ a: Model, _ b: Model, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.weights.map(\.value), b.weights.map(\.value), "weights differ", file: file, line: line)
        XCTAssertEqual(optimizerState(a), optimizerState(b), "optimizer state differs", file: file, line: line)
        XCTAssertEqual(a.epochsCompleted, b.epochsCompleted, file: file, line: line)
    }

    /// The optimizer's state keyed by weight position instead of path (layer names differ
    /// between models built one after the other in a process).
    private func optimizerState(_ model: Model) -> [String: Tensor] {
        let position = Dictionary(uniqueKeysWithValues: model.weights.enumerated().map { ($1.path, $0) })
        var state: [String: Tensor] = [:]
        for (key, value) in model.optimizer?.stateTensors() ?? [:] {
            guard let slash = key.lastIndex(of: "/"), let index = position[String(key[..<slash])] else {
                state[key] = value
                continue
            }
            state["\(index)\(key[slash...])"] = value
        }
        return state
    }

    func testCrashesMidEpochResumeToTheUninterruptedWeights() throws {
        let reference = try model()
        let referenceHistory = try train(reference, callbacks: [])
        // Crash after 5 batches, then after 13 more (epoch 2 of 4, 9 batches an epoch), then finish.
        for crash in [5, 13] {
            let backup = try BackupAndRestore(backupDirectory: folder, saveFrequency: .batches(2))
            XCTAssertThrowsError(try train(try model(), callbacks: [backup, CrashAfter(crash)]))
            XCTAssertTrue(FileManager.default.fileExists(atPath: backup.backupFile.path))
        }
        let resumed = try model()
        let history = try train(resumed, callbacks: [try BackupAndRestore(backupDirectory: folder, saveFrequency: .batches(2))])
        assertSameTraining(reference, resumed)
        // The epoch the run resumed in reports what the uninterrupted epoch reported.
        XCTAssertEqual(history.epochs.last, referenceHistory.epochs.last)
        XCTAssertEqual(history.history["loss"]?.last, referenceHistory.history["loss"]?.last)
        XCTAssertEqual(history.history["accuracy"]?.last, referenceHistory.history["accuracy"]?.last)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path), "a finished fit deletes its backup")
    }

    func testEpochBackupsResumeFromTheLastFinishedEpoch() throws {
        let reference = try model()
        _ = try train(reference, callbacks: [])
        let backup = try BackupAndRestore(backupDirectory: folder)
        XCTAssertThrowsError(try train(try model(), callbacks: [backup, CrashAfter(22)]))
        let resumed = try model()
        _ = try train(resumed, callbacks: [try BackupAndRestore(backupDirectory: folder)])
        assertSameTraining(reference, resumed)
    }

    func testKeepsTheBackupWhenAskedTo() throws {
        _ = try train(try model(), callbacks: [try BackupAndRestore(backupDirectory: folder, deleteCheckpoint: false)])
        let backup = try BackupAndRestore(backupDirectory: folder)
        XCTAssertTrue(FileManager.default.fileExists(atPath: backup.backupFile.path))
        // A fit that starts from a finished backup has nothing left to do.
        let finished = try model()
        let history = try train(finished, callbacks: [backup])
        XCTAssertTrue(history.epochs.isEmpty)
        XCTAssertEqual(finished.epochsCompleted, 4)
    }

    func testRefusesTheBackupOfAnotherModel() throws {
        let backup = try BackupAndRestore(backupDirectory: folder, saveFrequency: .batches(1))
        XCTAssertThrowsError(try train(try model(), callbacks: [backup, CrashAfter(3)]))
        let other = try model(units: 8)
        try other.ensureBuilt()
        let before = other.weights.map(\.value)
        XCTAssertThrowsError(try train(other, callbacks: [try BackupAndRestore(backupDirectory: folder)])) { error in
            let message = (error as? KestrelError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("dense") && message.contains("shape") && message.contains("Delete the backup folder"), message)
        }
        XCTAssertEqual(other.weights.map(\.value), before, "a refused backup changes nothing")
    }

    func testRefusesADamagedBackup() throws {
        let backup = try BackupAndRestore(backupDirectory: folder, saveFrequency: .batches(1))
        XCTAssertThrowsError(try train(try model(), callbacks: [backup, CrashAfter(3)]))
        var file = try SafeTensors(contentsOf: backup.backupFile)
        file.metadata["fit_progress"] = #"{"first_epoch": 0, "epoch": 9, "batches_done": 0, "shuffle_seed": "1", "loss_totals": [], "metric_states": []}"#
        try file.write(to: backup.backupFile)
        XCTAssertThrowsError(try train(try model(), callbacks: [try BackupAndRestore(backupDirectory: folder)])) { error in
            let message = (error as? KestrelError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("epoch 9"), message)
        }
    }

    func testRejectsAZeroBatchFrequency() {
        XCTAssertThrowsError(try BackupAndRestore(backupDirectory: folder, saveFrequency: .batches(0)))
    }
}
