#if MPI
import Foundation
import XCTest
@testable import KestrelNN
import Kestrel
import KestrelDistributed

/// Data-parallel `fit` across processes. CI runs these under `mpirun -np 2` (each rank runs
/// the same tests); run alone they train a group of one. Each rank also trains the same model
/// in-process on whole batches and compares: sums over ranks add the per-sample gradients in
/// a different order, so weights agree to 1e-4, not bit for bit.
final class MPIDataParallelTests: XCTestCase {
    static let tolerance: Float = 1e-4

    func testRanksSharingABatchMatchOneProcessTrainingOnIt() throws {
        let world = try MPICommunicator.world()
        for (name, train) in [("CNN", DataParallelFixtures.trainedCNN), ("LSTM", DataParallelFixtures.trainedLSTM)] {
            let alone = try train(nil, [])
            let together = try train(world, [])
            var worst: Float = 0
            for (a, b) in zip(alone, together) {
                for (u, v) in zip(a, b) { worst = max(worst, abs(u - v)) }
            }
            XCTAssertLessThanOrEqual(worst, Self.tolerance, "\(name) on \(world.size) ranks: max |Δw| = \(worst)")
            print("\(name): rank \(world.rank) of \(world.size), max |Δw| against one process = \(worst)")
        }
    }

    func testAFailingRankStopsEveryRankWithItsMessage() throws {
        let world = try MPICommunicator.world()
        let failing = world.size - 1
        let saboteur = FailsOnRank(failing)
        do {
            _ = try DataParallelFixtures.trainedCNN(communicator: world, callbacks: [saboteur])
            XCTFail("fit returned although rank \(failing) failed")
        } catch let error as KestrelError {
            XCTAssertTrue(error.message.contains("disk full on purpose"), error.message)
            if world.rank != failing { XCTAssertTrue(error.message.contains("rank \(failing) of \(world.size)"), error.message) }
        }
    }
}

extension MPIDataParallelTests {
    func testRanksGivenDifferentDataStopInsteadOfWaiting() throws {
        let world = try MPICommunicator.world()
        GlobalRandom.setSeed(31)
        let model = Sequential { Input(shape: [3]); Dense(2) }
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: MeanSquaredError())
        let samples = 20 + world.rank
        let x = Tensor(shape: [samples, 3], scalars: (0..<(samples * 3)).map { Float($0 % 7) / 7 })
        let y = Tensor(shape: [samples, 2], scalars: (0..<(samples * 2)).map { Float($0 % 5) / 5 })
        if world.size == 1 {
            XCTAssertNoThrow(try model.fit(x: x, y: y, batchSize: 4, verbose: .silent, communicator: world))
            return
        }
        do {
            _ = try model.fit(x: x, y: y, batchSize: 4, verbose: .silent, communicator: world)
            XCTFail("fit ran although the ranks passed \(20)…\(20 + world.size - 1) samples")
        } catch let error as KestrelError {
            XCTAssertTrue(error.message.contains("the ranks passed different"), error.message)
        }
    }
}

/// Throws at the third batch, on one rank only.
final class FailsOnRank: Callback {
    let rank: Int
    init(_ rank: Int) { self.rank = rank }
    func onBatchEnd(model: Model, batch: Int, logs: [String: Float]) throws {
        if batch == 2, try MPICommunicator.world().rank == rank {
            throw KestrelError(.invalidFile, "FailsOnRank: disk full on purpose")
        }
    }
}
#endif
