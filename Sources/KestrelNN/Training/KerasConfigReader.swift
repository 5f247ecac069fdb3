import Foundation
import KestrelCore

/// Reads the values of one Keras `get_config()` dictionary (as `JSONSerialization` decodes
/// it) for the training objects' `fromKeras` constructors. Every failure throws a
/// `KestrelError` that names the Keras class and the key, so a bad config is reported
/// before training rather than crashing in the middle of it.
package struct TrainingConfigReader {
    package let className: String
    package let config: [String: Any]

    package init(className: String, config: [String: Any]) {
        self.className = className
        self.config = config
    }

    private func fail(_ key: String, _ expected: String) -> KestrelError {
        KestrelError(.invalidArgument,
                     "\(className) config: key \"\(key)\" should be \(expected), got \(config[key].map { "\($0)" } ?? "nothing"); fix the config JSON")
    }

    /// True when the key is absent or JSON null.
    package func isNull(_ key: String) -> Bool {
        guard let value = config[key] else { return true }
        return value is NSNull
    }

    /// A number, or `defaultValue` when absent or null.
    package func double(_ key: String, default defaultValue: Double) throws -> Double {
        try optionalDouble(key) ?? defaultValue
    }

    /// A number, or nil when absent or null.
    package func optionalDouble(_ key: String) throws -> Double? {
        if isNull(key) { return nil }
        if let n = config[key] as? NSNumber { return n.doubleValue }
        throw fail(key, "a number")
    }

    /// An integer, or `defaultValue` when absent or null.
    package func int(_ key: String, default defaultValue: Int) throws -> Int {
        try optionalInt(key) ?? defaultValue
    }

    /// An integer (a whole-valued number is accepted), or nil when absent or null.
    package func optionalInt(_ key: String) throws -> Int? {
        guard let d = try optionalDouble(key) else { return nil }
        guard d.rounded() == d, abs(d) < 9e15 else { throw fail(key, "an integer") }
        return Int(d)
    }

    /// A boolean, or `defaultValue` when absent or null.
    package func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        if isNull(key) { return defaultValue }
        if let b = config[key] as? Bool { return b }
        if let n = config[key] as? NSNumber { return n.boolValue }
        throw fail(key, "true or false")
    }

    /// A string, or `defaultValue` when absent or null.
    package func string(_ key: String, default defaultValue: String) throws -> String {
        if isNull(key) { return defaultValue }
        guard let s = config[key] as? String else { throw fail(key, "a string") }
        return s
    }

    /// A list of numbers.
    package func doubles(_ key: String) throws -> [Double] {
        guard let list = config[key] as? [Any] else { throw fail(key, "a list of numbers") }
        return try list.map { item in
            if let n = item as? NSNumber { return n.doubleValue }
            throw fail(key, "a list of numbers")
        }
    }

    /// Throws unless the key is absent, null, or equal to the one value Kestrel supports.
    package func requireUnset(_ key: String, orEqualTo allowed: Any? = nil, what: String) throws {
        if isNull(key) { return }
        if let allowed, let value = config[key] {
            if let a = allowed as? Bool, (try? bool(key, default: !a)) == a { return }
            if let a = allowed as? String, value as? String == a { return }
            if let a = allowed as? Double, (try? optionalDouble(key)) == a { return }
        }
        throw KestrelError(.unsupported,
                           "\(className) config: \"\(key)\" = \(config[key]!) is not supported by Kestrel (\(what)); remove it or set it to \(allowed.map { "\($0)" } ?? "null")")
    }
}

/// JSON null for the configs Kestrel writes, so `JSONSerialization` emits `null` as Keras does.
package let kerasNull: Any = NSNull()

/// A Float value as Keras writes a float32 variable into a config: the Double nearest to
/// the float32 (0.01 becomes 0.009999999776482582).
package func kerasFloat32(_ value: Float) -> Double { Double(value) }

/// An optional number as a config value (null when absent).
package func kerasOptional(_ value: Double?) -> Any { value.map { $0 as Any } ?? kerasNull }
