import Foundation

/// A seeded pseudo-random generator that yields the same stream on every machine and at
/// every thread count: xoshiro256** (Blackman & Vigna) seeded through SplitMix64.
/// Uniform floats take the top 24 bits; normals use the Box–Muller transform computed in
/// Double. Random tensors are always filled sequentially from one generator.
public struct RandomGenerator: RandomNumberGenerator {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// The four words of the stream's position, so a backup can resume it exactly.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// A stream at a position read from `state`; nil unless four words, not all zero.
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1).
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Standard normal N(0, 1).
    public mutating func nextNormal() -> Float {
        // u1 in (0, 1] so the log is finite.
        let u1 = (Double(next() >> 11) + 1) * (1.0 / 9_007_199_254_740_992.0)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    /// Integer uniform in `0..<bound`.
    public mutating func nextIndex(below bound: Int) -> Int {
        Int(next(upperBound: UInt64(bound)))
    }
}

extension Tensor {
    /// Uniform samples in [`minValue`, `maxValue`).
    public static func randomUniform(_ shape: [Int], min minValue: Float = 0, max maxValue: Float = 1,
                                     generator: inout RandomGenerator) -> Tensor {
        Tensor(shape: shape) { p, n in
            for i in 0..<n { p[i] = minValue + (maxValue - minValue) * generator.nextUniform() }
        }
    }

    /// Normal samples with the given mean and standard deviation.
    public static func randomNormal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                                    generator: inout RandomGenerator) -> Tensor {
        Tensor(shape: shape) { p, n in
            for i in 0..<n { p[i] = mean + standardDeviation * generator.nextNormal() }
        }
    }

    /// Normal samples redrawn until within two standard deviations of the mean (Keras's
    /// TruncatedNormal).
    public static func randomTruncatedNormal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                                             generator: inout RandomGenerator) -> Tensor {
        Tensor(shape: shape) { p, n in
            for i in 0..<n {
                var z = generator.nextNormal()
                while abs(z) > 2 { z = generator.nextNormal() }
                p[i] = mean + standardDeviation * z
            }
        }
    }
}
