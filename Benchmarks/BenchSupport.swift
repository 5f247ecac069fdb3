import Foundation

/// Shared timing / output helpers for the benchmark subcommands.
enum BenchSupport {
    /// Monotonic wall clock in seconds.
    @inline(__always)
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        if s.isEmpty { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }

    /// Prints one JSON object per line (keys in the given order) and flushes stdout.
    static func emit(_ fields: [(String, Any)]) {
        var parts: [String] = []
        for (k, v) in fields {
            parts.append("\"\(k)\":" + jsonValue(v))
        }
        print("{" + parts.joined(separator: ",") + "}")
        fflush(stdout)
    }

    private static func jsonValue(_ v: Any) -> String {
        switch v {
        case let s as String: return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case let d as Double: return d.isFinite ? String(d) : "null"
        case let i as Int: return String(i)
        case let b as Bool: return b ? "true" : "false"
        case let a as [Double]: return "[" + a.map { jsonValue($0) }.joined(separator: ",") + "]"
        case let a as [Int]: return "[" + a.map { String($0) }.joined(separator: ",") + "]"
        default: return "\"\(v)\""
        }
    }

    /// Deterministic N(0, 1) samples (SplitMix64 + Box-Muller).
    static func normalFloats(count: Int, seed: UInt64) -> [Float] {
        var state = seed
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return (Double(z >> 11) + 0.5) / 9_007_199_254_740_992.0
        }
        var out = [Float](repeating: 0, count: count)
        var i = 0
        while i < count {
            let u1 = next(), u2 = next()
            let r = (-2 * Foundation.log(u1)).squareRoot()
            out[i] = Float(r * Foundation.cos(2 * Double.pi * u2))
            if i + 1 < count { out[i + 1] = Float(r * Foundation.sin(2 * Double.pi * u2)) }
            i += 2
        }
        return out
    }

    // ------------------------------------------------------------------ noise gate
    // Same rules as bench_common.py: foreign CPU = (machine busy time from /proc/stat - this
    // process's CPU time) / wall, in cores. Blocks with foreign > 0.2 are discarded and redone
    // (at most 3 x repeats attempts, at most 120 s of waiting per measurement).
    static let foreignMax = 0.2
    static let maxAttemptsFactor = 3
    nonisolated(unsafe) static var quietWaitS = 30.0
    nonisolated(unsafe) static var waitBudgetS = 120.0

    struct Snap { var wall: Double; var busy: Double; var own: Double }

    static func snap() -> Snap {
        var busy = 0.0
        if let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
           let line = text.split(separator: "\n").first {
            let v = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
            if v.count == 8 {
                let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
                busy = (v.reduce(0, +) - v[3] - v[4]) / hz
            }
        }
        var ru = rusage()
        getrusage(RUSAGE_SELF.rawValue, &ru)
        let own = Double(ru.ru_utime.tv_sec) + Double(ru.ru_utime.tv_usec) * 1e-6
            + Double(ru.ru_stime.tv_sec) + Double(ru.ru_stime.tv_usec) * 1e-6
        return Snap(wall: now(), busy: busy, own: own)
    }

    static func foreign(_ a: Snap, _ b: Snap) -> Double {
        let dt = b.wall - a.wall
        return dt > 0 ? max(0, ((b.busy - a.busy) - (b.own - a.own)) / dt) : 0
    }

    /// Sleeps until two consecutive 0.5 s windows show < foreignMax cores of other load, or
    /// maxWait passes. Returns the seconds waited.
    static func waitQuiet(maxWait: Double = quietWaitS) -> Double {
        let t0 = now()
        var ok = 0
        while now() - t0 < maxWait {
            let s0 = snap()
            usleep(500_000)
            ok = foreign(s0, snap()) < foreignMax ? ok + 1 : 0
            if ok >= 2 { break }
        }
        return now() - t0
    }

    struct Repeats {
        var rates: [Double]
        var foreign: [Double]
        var clean: Bool
        var attempts: Int
        var discarded: Int
        var waited: Double
    }

    /// Runs `block` (one repeat's work) until `repeats` clean blocks are collected (see the
    /// noise-gate rules above); rate of a block = units / elapsed. gate == false: no waiting
    /// or discarding, foreign CPU is still recorded.
    static func timedRepeats(repeats: Int, units: Double, gate: Bool, _ block: () -> Void) -> Repeats {
        var waited = gate ? waitQuiet() : 0
        var attempts: [(rate: Double, foreign: Double)] = []
        var clean = 0
        let maxAttempts = gate ? repeats * maxAttemptsFactor : repeats
        while attempts.count < maxAttempts {
            if gate && attempts.count - clean >= maxAttempts - repeats { break }
            let s0 = snap()
            block()
            let s1 = snap()
            let fr = foreign(s0, s1)
            attempts.append((units / (s1.wall - s0.wall), fr))
            if !gate || fr <= foreignMax {
                clean += 1
                if clean >= repeats { break }
            } else if waited < waitBudgetS {
                waited += waitQuiet(maxWait: min(quietWaitS, waitBudgetS - waited))
            }
        }
        let good = attempts.filter { !gate || $0.foreign <= foreignMax }
        let kept = good.count >= repeats ? Array(good.prefix(repeats))
            : Array(attempts.sorted { $0.foreign < $1.foreign }.prefix(repeats))
        return Repeats(rates: kept.map { $0.rate }, foreign: kept.map { $0.foreign },
                       clean: good.count >= repeats, attempts: attempts.count,
                       discarded: attempts.count - kept.count, waited: waited)
    }

    static func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}
