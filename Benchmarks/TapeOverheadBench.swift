import ArgumentParser
import Foundation
import Kestrel

/// `kestrel-bench tape`: what recording on the gradient tape adds to a small op. Times a
/// 1000-element add in no-gradient mode and with both operands requiring gradients (the
/// tape node and its backward closure are created, never run).
struct TapeOverheadBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tape",
        abstract: "Time a 1000-element add without and with the gradient tape.")

    @Option(help: "Elements per operand.")
    var count = 1000

    @Option(help: "Adds per timed repeat.")
    var calls = 100_000

    @Option(help: "Timed repeats (the median is reported).")
    var repeats = 7

    func run() {
        var generator = RandomGenerator(seed: 0)
        let a = Tensor.randomNormal([count], generator: &generator)
        let b = Tensor.randomNormal([count], generator: &generator)
        let va = a.requiringGradient(), vb = b.requiringGradient()
        let plain = measure { withoutGradients { a + b } }
        let taped = measure { va + vb }
        BenchSupport.emit([
            ("framework", "kestrel"), ("workload", "tape-overhead"), ("elements", count),
            ("no_grad_ns", BenchSupport.round2(plain)), ("tape_ns", BenchSupport.round2(taped)),
            ("overhead_ns", BenchSupport.round2(taped - plain)),
        ])
    }

    /// Median nanoseconds per call of `body` over the repeats.
    private func measure(_ body: () -> Tensor) -> Double {
        var sink: Float = 0
        for _ in 0..<1000 { sink += body().storage0 }
        var perCall: [Double] = []
        for _ in 0..<repeats {
            let start = BenchSupport.now()
            for _ in 0..<calls { sink += body().storage0 }
            perCall.append((BenchSupport.now() - start) / Double(calls) * 1e9)
        }
        if sink.isNaN { print("") }
        return BenchSupport.median(perCall)
    }
}

private extension Tensor {
    /// The first scalar: keeps the optimiser from discarding the timed work.
    var storage0: Float { withUnsafeBufferPointer { $0[0] } }
}
