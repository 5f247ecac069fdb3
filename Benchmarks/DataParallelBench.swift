import ArgumentParser
import Foundation
import Kestrel
import KestrelDistributed

/// Data-parallel `fit` of W2 (cnn-mnist, global batch 128) or W3 (lstm-many-to-one, global
/// batch 64) under `mpirun -np N` (or alone: one rank): global samples/s and the time per
/// step spent in collectives, per repeat of one epoch of `batches` global batches; rank 0
/// prints one JSON line.
struct DataParallelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-parallel", abstract: "W2/W3 data-parallel fit over MPI ranks (samples/s, collective time per step).")

    @Option(help: "cnn-mnist (W2) or lstm-many-to-one (W3).")
    var workload = "cnn-mnist"

    @Option(help: "Compute threads per rank.")
    var threads = 1

    @Option(help: "Global batches per timed epoch.")
    var batches = 30

    @Option(help: "Timed epochs.")
    var repeats = 5

    func run() throws {
        Threading.threadCount = threads
        let world = try WorldCommunicator.make()
        let timed = TimedCommunicator(world)
        GlobalRandom.setSeed(0)
        let (model, batch, x, y): (Model, Int, Tensor, Tensor)
        switch workload {
        case "cnn-mnist":
            let n = 128 * batches
            (model, batch) = (try BenchModels.cnnMNIST(), 128)
            x = Tensor(shape: [n, 28, 28, 1], scalars: BenchSupport.normalFloats(count: n * 784, seed: 1))
            y = Tensor(ModelBench.labels(count: n, classes: 10, seed: 2))
        case "lstm-many-to-one":
            let n = 64 * batches
            (model, batch) = (try BenchModels.lstmManyToOne(), 64)
            x = Tensor(shape: [n, 100, 16], scalars: BenchSupport.normalFloats(count: n * 1600, seed: 1))
            y = Tensor(ModelBench.labels(count: n, classes: 5, seed: 2))
        default:
            throw ValidationError("--workload must be cnn-mnist or lstm-many-to-one, got \(workload)")
        }
        try model.fit(x: x.sliced(alongAxis: 0, 0..<(batch * 3)), y: y.sliced(alongAxis: 0, 0..<(batch * 3)),
                      batchSize: batch, verbose: .silent, communicator: timed)
        var rates: [Double] = [], collectiveMs: [Double] = []
        for _ in 0..<repeats {
            timed.seconds = 0
            let start = Date()
            try model.fit(x: x, y: y, batchSize: batch, verbose: .silent, communicator: timed)
            let elapsed = Date().timeIntervalSince(start)
            rates.append(Double(x.shape[0]) / elapsed)
            collectiveMs.append(timed.seconds / Double(batches) * 1000)
        }
        guard world.rank == 0 else { return }
        BenchSupport.emit([
            ("framework", "kestrel"), ("workload", workload), ("mode", "data-parallel-train"), ("ranks", world.size),
            ("threads_per_rank", threads), ("global_batch", batch),
            ("samples_per_s", BenchSupport.round2(BenchSupport.median(rates))),
            ("repeats", rates.map(BenchSupport.round2)),
            ("collective_ms_per_step", BenchSupport.round3(BenchSupport.median(collectiveMs))),
            ("isa", CPUFeatures.isaName),
        ])
    }
}

/// Adds up the wall time spent in a communicator's collectives (what a rank waits for the
/// others and for the data to move, beside its own compute).
final class TimedCommunicator: Communicator {
    let inner: any Communicator
    var seconds = 0.0
    init(_ inner: any Communicator) { self.inner = inner }
    var rank: Int { inner.rank }
    var size: Int { inner.size }
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws { try timed { try inner.allreduceSum(buffer) } }
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws { try timed { try inner.allreduceSum(buffer) } }
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws { try timed { try inner.broadcast(buffer, root: root) } }
    private func timed(_ body: () throws -> Void) throws {
        let start = Date()
        defer { seconds += Date().timeIntervalSince(start) }
        try body()
    }
}
