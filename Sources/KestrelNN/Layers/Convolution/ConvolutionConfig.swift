import Foundation
import KestrelCore

/// Readers for the config keys the convolutional layers share.
package enum ConvolutionConfig {
    /// data_format, constraints, activity regularizer and (unless `allowGroups`, where the
    /// caller reads it) groups must be at their neutral values.
    package static func checkCommon(_ c: KerasConfig, kernel: String = "kernel", allowGroups: Bool = false) throws {
        try c.rejectUnless("data_format", is: "channels_last")
        if !allowGroups, !c.isNull("groups"), try c.int("groups") != 1 {
            throw KestrelError(.unsupported, "\(c.className) config: groups = \(c["groups"]!) is not supported by Kestrel; use groups 1")
        }
        try c.rejectUnlessNull("activity_regularizer", "\(kernel)_constraint", "bias_constraint")
    }

    package static func padding(_ c: KerasConfig, allowCausal: Bool = false) throws -> ConvolutionPadding {
        try ConvolutionPadding(keras: try c.string("padding", default: "valid"), layer: "\(c.className) config", allowCausal: allowCausal)
    }

    /// A 2-tuple argument (an integer means the same for both axes).
    package static func pair(_ c: KerasConfig, _ key: String, default value: Int? = nil) throws -> (Int, Int) {
        let v = try c.ints(key, count: 2, default: value.map { [$0, $0] })
        guard v.count == 2 else { throw c.error(key, "2 integers") }
        return (v[0], v[1])
    }

    package static func pooling2D(_ c: KerasConfig) throws -> ((Int, Int), (Int, Int)?, ConvolutionPadding) {
        try c.rejectUnless("data_format", is: "channels_last")
        let pool = try pair(c, "pool_size", default: 2)
        return (pool, c.isNull("strides") ? nil : try pair(c, "strides"), try padding(c))
    }

    package static func pooling1D(_ c: KerasConfig) throws -> (Int, Int?, ConvolutionPadding) {
        try c.rejectUnless("data_format", is: "channels_last")
        let pool = try c.ints("pool_size", count: 1, default: [2])[0]
        return (pool, c.isNull("strides") ? nil : try c.ints("strides", count: 1)[0], try padding(c))
    }

    package static func keepdims(_ c: KerasConfig) throws -> Bool {
        try c.rejectUnless("data_format", is: "channels_last")
        return try c.bool("keepdims", default: false)
    }

    /// (before, after): an integer (both) or a list of two.
    package static func amounts1D(_ c: KerasConfig, _ key: String) throws -> (Int, Int) {
        let v = try c.ints(key, count: 2)
        guard v.count == 2 else { throw c.error(key, "an integer or [before, after]") }
        return (v[0], v[1])
    }

    /// ((top, bottom), (left, right)) from an integer, [rows, cols] (symmetric) or
    /// [[top, bottom], [left, right]].
    package static func amounts2D(_ c: KerasConfig, _ key: String) throws -> [(Int, Int)] {
        if let nested = c[key] as? [[Any]], nested.count == 2, nested.allSatisfy({ $0.count == 2 }) {
            return try nested.map { pair in
                guard let a = kerasInteger(pair[0]), let b = kerasInteger(pair[1]) else {
                    throw c.error(key, "[[top, bottom], [left, right]] of integers")
                }
                return (a, b)
            }
        }
        let v = try c.ints(key, count: 2)
        guard v.count == 2 else { throw c.error(key, "an integer, [rows, cols] or [[top, bottom], [left, right]]") }
        return [(v[0], v[0]), (v[1], v[1])]
    }
}
