import KestrelCore

/// The collective side of one data-parallel `fit`: which part of each global batch this rank
/// trains on, the gradient sum over ranks, the reduction of losses and metrics, and the
/// agreement on failures and on stopping, so that every rank takes the same decisions and
/// none waits forever for a rank that failed. With one process every step is the identity
/// and errors are thrown where they happen, so plain `fit` is unchanged.
package final class DataParallelTraining {
    package let communicator: any Communicator
    /// Gradients are summed in buckets of at most this many bytes, last layers first (as
    /// PyTorch DDP's 25 MB buckets), so one collective never needs a copy of every gradient.
    package let bucketBytes: Int
    /// A local error that the other ranks learn of at the next collective.
    private var pendingError: Error?

    package init(communicator: any Communicator, bucketBytes: Int = 25 << 20) {
        self.communicator = communicator
        self.bucketBytes = bucketBytes
    }

    package var rank: Int { communicator.rank }
    package var size: Int { communicator.size }
    package var isDistributed: Bool { communicator.size > 1 }

    /// The samples of a global batch of `count` this rank trains on: contiguous shards whose
    /// sizes differ by at most one, so a remainder is spread instead of dropped.
    package func shard(ofBatch count: Int) -> Range<Int> {
        (count * rank / size)..<(count * (rank + 1) / size)
    }

    /// Runs `body`; with several ranks an error is kept until the next collective, where every
    /// rank learns of it and throws, instead of leaving the others waiting.
    package func attempt(_ body: () throws -> Void) throws {
        guard isDistributed else { return try body() }
        guard pendingError == nil else { return }
        do { try body() } catch { pendingError = error }
    }

    /// Throws on every rank unless every rank passed the same `values` (the sample count, batch
    /// size, epochs and weight count of a `fit`): ranks that disagree would wait for each other
    /// in different collectives forever.
    package func requireSameOnEveryRank(_ values: [Double], describing what: String) throws {
        guard isDistributed else { return }
        let sums = try summed(values + values.map { $0 * $0 })
        let n = Double(size)
        for i in values.indices {
            let mean = sums[i] / n, meanSquare = sums[values.count + i] / n
            if abs(meanSquare - mean * mean) > 1e-9 * Swift.max(1, meanSquare) {
                throw KestrelError(.invalidArgument, "data-parallel fit: the ranks passed different \(what) (this rank: \(values.map { Int($0) }), mean over the \(size) ranks: \(values.indices.map { sums[$0] / n })); every rank must call fit with the same data, batch size and epochs on the same model")
            }
        }
    }

    /// Every weight takes rank 0's value.
    package func broadcastWeights(_ parameters: [Parameter]) throws {
        guard isDistributed else { return }
        for p in parameters {
            var values = p.value.scalars
            try values.withUnsafeMutableBytes { try broadcastInChunks($0) }
            try p.assign(Tensor(shape: p.shape, scalars: values))
        }
    }

    /// Rank 0's seed, on every rank.
    package func broadcast(seed: UInt64) throws -> UInt64 {
        guard isDistributed else { return seed }
        var value = seed
        try withUnsafeMutableBytes(of: &value) { try communicator.broadcast($0, root: 0) }
        return value
    }

    /// The sum over ranks of each gradient (nil: this rank failed and contributes zeros),
    /// after agreeing on failures.
    package func summed(gradients: [Tensor]?, of parameters: [Parameter]) throws -> [Tensor] {
        guard isDistributed else { return gradients ?? [] }
        var result = [Tensor?](repeating: nil, count: parameters.count)
        let limit = max(1, bucketBytes / MemoryLayout<Float>.stride)
        var index = parameters.count - 1
        var failures: Float = 0
        while index >= 0 {
            var members: [Int] = []
            var count = 0
            while index >= 0 && (members.isEmpty || count + Shape.count(parameters[index].shape) <= limit) {
                members.append(index)
                count += Shape.count(parameters[index].shape)
                index -= 1
            }
            let last = index < 0
            var bucket = [Float](repeating: 0, count: count + (last ? 1 : 0))
            if let gradients, pendingError == nil {
                var offset = 0
                for i in members {
                    gradients[i].withUnsafeBufferPointer { g in
                        for j in 0..<g.count { bucket[offset + j] = g[j] }
                    }
                    offset += Shape.count(parameters[i].shape)
                }
            }
            if last { bucket[count] = pendingError == nil && gradients != nil ? 0 : 1 }
            try bucket.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
            if last { failures = bucket[count] }
            var offset = 0
            for i in members {
                let n = Shape.count(parameters[i].shape)
                result[i] = Tensor(shape: parameters[i].shape, scalars: Array(bucket[offset..<(offset + n)]))
                offset += n
            }
        }
        try settle(failed: failures > 0)
        return result.map { $0! }
    }

    /// The element-wise sum over ranks of `values`, after agreeing on failures.
    package func summed(_ values: [Double]) throws -> [Double] {
        guard isDistributed else { return values }
        var buffer = values + [pendingError == nil ? 0 : 1]
        try buffer.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
        try settle(failed: buffer[values.count] > 0)
        return Array(buffer[0..<values.count])
    }

    /// Replaces the weights by their mean over ranks (BatchNormalization's moving statistics,
    /// which each rank updates from its own shard).
    package func average(_ parameters: [Parameter]) throws {
        guard isDistributed, !parameters.isEmpty else { return }
        let sums = try summed(parameters.flatMap { p in p.value.scalars.map(Double.init) })
        var offset = 0
        for p in parameters {
            let n = Shape.count(p.shape)
            try p.assign(Tensor(shape: p.shape, scalars: sums[offset..<(offset + n)].map { Float($0 / Double(size)) }))
            offset += n
        }
    }

    /// True on every rank when any rank asks to stop (a callback's decision), after agreeing
    /// on failures.
    package func agreeToStop(_ stop: Bool) throws -> Bool {
        guard isDistributed else { return stop }
        return try summed([stop ? 1 : 0])[0] > 0
    }

    /// Rank 0's log values on every rank (validation is computed on every rank; this makes
    /// the callbacks' inputs identical bit for bit), after agreeing on failures.
    package func rankZeros(_ logs: [(String, Float)]) throws -> [(String, Float)] {
        guard isDistributed else { return logs }
        _ = try summed([])
        var values = logs.map(\.1)
        try values.withUnsafeMutableBytes { try communicator.broadcast($0, root: 0) }
        return zip(logs, values).map { ($0.0, $1) }
    }

    /// Throws on every rank when any rank failed: the failing rank its own error, the others
    /// an error carrying the lowest failing rank's message.
    private func settle(failed: Bool) throws {
        guard failed else { return }
        var who = [Double](repeating: 0, count: size)
        if pendingError != nil { who[rank] = 1 }
        try who.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
        let first = who.firstIndex { $0 > 0 } ?? 0
        var message = Array((rank == first ? "\(pendingError.map { "\($0)" } ?? "unknown error")" : "").utf8)
        var length = Int64(message.count)
        try withUnsafeMutableBytes(of: &length) { try communicator.broadcast($0, root: first) }
        if rank != first { message = [UInt8](repeating: 0, count: Int(length)) }
        try message.withUnsafeMutableBytes { try communicator.broadcast($0, root: first) }
        if let pendingError { throw pendingError }
        throw KestrelError(.collective, "data-parallel fit: rank \(first) of \(size) failed, so every rank stops: \(String(decoding: message, as: UTF8.self))")
    }

    private func broadcastInChunks(_ bytes: UnsafeMutableRawBufferPointer) throws {
        let chunk = 1 << 30
        var offset = 0
        while offset < bytes.count {
            let n = min(chunk, bytes.count - offset)
            try communicator.broadcast(UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<(offset + n)]), root: 0)
            offset += n
        }
    }
}
