import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
import Kestrel
import KestrelDistributed

/// Data-parallel `fit` in one process: the one-process group changes nothing, shards cover
/// every batch once, and the placement rules for callbacks hold. The multi-process behaviour
/// is in `MPIDataParallelTests`, which CI runs under `mpirun -np 2`.
final class DataParallelTests: XCTestCase {
    func testTheOneProcessGroupTrainsBitForBitLikePlainFit() throws {
        let plain = try DataParallelFixtures.trainedCNN(communicator: nil)
        let grouped = try DataParallelFixtures.trainedCNN(communicator: SingleProcessCommunicator())
        XCTAssertEqual(plain, grouped)
    }

    func testShardsCoverEveryBatchOnceWithSizesWithinOne() {
        for size in 1...4 {
            for count in 0...9 {
                let shards = (0..<size).map { DataParallelTraining(communicator: StubGroup(rank: $0, size: size)).shard(ofBatch: count) }
                XCTAssertEqual(shards.flatMap { Array($0) }, Array(0..<count), "size \(size), count \(count)")
                let sizes = shards.map(\.count)
                XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1)
            }
        }
    }

    func testBackupAndRestoreRefusesADataParallelFit() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kestrel-dp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let backup = try BackupAndRestore(backupDirectory: folder.path)
        assertThrowsMessage(["BackupAndRestore", "data-parallel", "2 ranks"]) {
            _ = try DataParallelFixtures.trainedCNN(communicator: StubGroup(rank: 0, size: 2), callbacks: [backup])
        }
    }

    func testOnlyRankZeroRunsTheCallbacksThatWriteFiles() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kestrel-dp-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        let counter = EpochCounter()
        _ = try DataParallelFixtures.trainedCNN(communicator: StubGroup(rank: 1, size: 2), callbacks: [CSVLogger(file), counter])
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path), "rank 1 wrote the CSV log")
        XCTAssertEqual(counter.epochs, 2, "a steering callback must run on every rank")
        _ = try DataParallelFixtures.trainedCNN(communicator: StubGroup(rank: 0, size: 2), callbacks: [CSVLogger(file)])
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), "rank 0 did not write the CSV log")
    }
}

/// Claims a rank in a group whose every rank holds what this one holds (a sum is `size` times
/// the local value; a broadcast changes nothing): enough to see which rank does what, not to
/// train together.
final class StubGroup: Communicator {
    let rank: Int
    let size: Int
    init(rank: Int, size: Int) { (self.rank, self.size) = (rank, size) }
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        for i in buffer.indices { buffer[i] *= Float(size) }
    }
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        for i in buffer.indices { buffer[i] *= Double(size) }
    }
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {}
}

/// Counts finished epochs.
final class EpochCounter: Callback {
    var epochs = 0
    func onEpochEnd(model: Model, epoch: Int, logs: [String: Float]) throws { epochs += 1 }
}

/// The small models both data-parallel test files train: 50 samples in batches of 16, so the
/// last batch (2 samples) leaves a rank with one sample, or none with three ranks.
enum DataParallelFixtures {
    static let samples = 50, batchSize = 16

    static func trainedCNN(communicator: (any Communicator)?, callbacks: [Callback] = []) throws -> [[Float]] {
        GlobalRandom.setSeed(23)
        let model = Sequential {
            Input(shape: [8, 8, 1])
            Conv2D(4, kernelSize: 3, activation: .relu); MaxPooling2D(2)
            Flatten(); Dense(3)
        }
        try model.compile(optimizer: Adam(learningRate: 0.01), loss: SparseCategoricalCrossentropy(fromLogits: true),
                          metrics: ["accuracy"])
        let x = randomTensor([samples, 8, 8, 1], seed: 3)
        let y = Tensor(shape: [samples], scalars: (0..<samples).map { Float($0 % 3) })
        _ = try model.fit(x: x, y: y, batchSize: batchSize, epochs: 2, shuffle: true, callbacks: callbacks,
                          verbose: .silent, communicator: communicator)
        return model.weights.map(\.value.scalars)
    }

    static func trainedLSTM(communicator: (any Communicator)?, callbacks: [Callback] = []) throws -> [[Float]] {
        GlobalRandom.setSeed(29)
        let model = Sequential {
            Input(shape: [6, 3])
            LSTM(5)
            Dense(1)
        }
        try model.compile(optimizer: SGD(learningRate: 0.1, momentum: 0.9), loss: MeanSquaredError())
        let x = randomTensor([samples, 6, 3], seed: 4)
        let y = randomTensor([samples, 1], seed: 5)
        _ = try model.fit(x: x, y: y, batchSize: batchSize, epochs: 2, shuffle: true, callbacks: callbacks,
                          verbose: .silent, communicator: communicator)
        return model.weights.map(\.value.scalars)
    }
}
