import KestrelCore

/// Readers for the config keys of the 3-D layers (three-axis tuples, 3-D pooling, the
/// padding and cropping amounts of three axes).
extension ConvolutionConfig {
    /// A 3-tuple argument (an integer means the same for all three axes).
    package static func triple(_ c: KerasConfig, _ key: String, default value: Int? = nil) throws -> [Int] {
        let v = try c.ints(key, count: 3, default: value.map { [$0, $0, $0] })
        guard v.count == 3 else { throw c.error(key, "3 integers") }
        return v
    }

    /// One integer, or a list holding one (a Keras 1-D tuple).
    package static func single(_ c: KerasConfig, _ key: String, default value: Int? = nil) throws -> Int {
        let v = try c.ints(key, count: 1, default: value.map { [$0] })
        guard v.count == 1 else { throw c.error(key, "1 integer") }
        return v[0]
    }

    package static func pooling3D(_ c: KerasConfig) throws -> ([Int], [Int]?, ConvolutionPadding) {
        try c.rejectUnless("data_format", is: "channels_last")
        let pool = try triple(c, "pool_size", default: 2)
        return (pool, c.isNull("strides") ? nil : try triple(c, "strides"), try padding(c))
    }

    /// Three (before, after) pairs from an integer, [d, h, w] (symmetric) or
    /// [[front, back], [top, bottom], [left, right]].
    package static func amounts3D(_ c: KerasConfig, _ key: String) throws -> [(Int, Int)] {
        if let nested = c[key] as? [[Any]] {
            guard nested.count == 3, nested.allSatisfy({ $0.count == 2 }) else {
                throw c.error(key, "[[front, back], [top, bottom], [left, right]] of integers")
            }
            return try nested.map { pair in
                guard let a = kerasInteger(pair[0]), let b = kerasInteger(pair[1]) else {
                    throw c.error(key, "[[front, back], [top, bottom], [left, right]] of integers")
                }
                return (a, b)
            }
        }
        let v = try c.ints(key, count: 3)
        guard v.count == 3 else { throw c.error(key, "an integer, [depth, rows, cols] or [[front, back], [top, bottom], [left, right]]") }
        return v.map { ($0, $0) }
    }
}
