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
}
