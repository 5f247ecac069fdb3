import Foundation
import KestrelCore

/// Typed reading of one Keras `get_config()` dictionary (as `JSONSerialization` decodes it),
/// for layers, losses, optimizers, schedules and initializers alike, with errors that name
/// the class, the key, the value and what was expected. Keys that Kestrel does not implement
/// must be absent or at their neutral value (`rejectUnless…`, `requireUnset`), so nothing is
/// silently approximated.
public struct KerasConfig {
    public let className: String
    public let values: [String: Any]
    private let consulted = ConsultedKeys()

    public init(className: String, values: [String: Any]) {
        self.className = className
        self.values = values
    }

    /// The value under `key`, remembered as read (see `requireEveryKeyRead`).
    public subscript(key: String) -> Any? {
        consulted.keys.insert(key)
        return values[key]
    }

    /// Throws if the config holds a key that nothing read: a key of a newer Keras, a typo or
    /// an option Kestrel does not implement would otherwise be ignored without a word.
    /// `ignoring` lists keys that carry no meaning for Kestrel (e.g. Keras's dtype policy).
    public func requireEveryKeyRead(ignoring: Set<String> = []) throws {
        let unread = values.keys.filter { !consulted.keys.contains($0) && !ignoring.contains($0) }.sorted()
        guard let key = unread.first else { return }
        let listing = unread.map { "\"\($0)\" = \(values[$0]!)" }.joined(separator: ", ")
        throw KestrelError(.unsupported,
                           "\(className) config: unknown key\(unread.count == 1 ? "" : "s") \(listing); Kestrel does not know \"\(key)\" for \(className), so it cannot honour it. Remove it, or check the class name and the key's spelling")
    }

    package func error(_ key: String, _ expected: String) -> KestrelError {
        KestrelError(.invalidArgument, "\(className) config: \"\(key)\" should be \(expected), got \(self[key].map { "\($0)" } ?? "nothing"); fix the config JSON")
    }

    public var name: String? { self["name"] as? String }

    public func isNull(_ key: String) -> Bool {
        self[key] == nil || self[key] is NSNull
    }

    public func int(_ key: String, default value: Int? = nil) throws -> Int {
        if isNull(key), let value { return value }
        guard let n = try optionalInt(key) else { throw error(key, "an integer") }
        return n
    }

    /// An integer (a whole-valued number below 2^53 in magnitude), or nil when absent or null.
    public func optionalInt(_ key: String) throws -> Int? {
        if isNull(key) { return nil }
        guard let n = kerasInteger(self[key]) else { throw error(key, "an integer") }
        return n
    }

    /// A number, or `value` when absent or null.
    public func double(_ key: String, default value: Double) throws -> Double {
        try optionalDouble(key) ?? value
    }

    /// A number, or nil when absent or null.
    public func optionalDouble(_ key: String) throws -> Double? {
        if isNull(key) { return nil }
        if let n = self[key] as? NSNumber { return n.doubleValue }
        throw error(key, "a number")
    }

    /// A list of numbers.
    public func doubles(_ key: String) throws -> [Double] {
        guard let list = self[key] as? [Any] else { throw error(key, "a list of numbers") }
        return try list.map { item in
            if let n = item as? NSNumber { return n.doubleValue }
            throw error(key, "a list of numbers")
        }
    }

    public func float(_ key: String, default value: Float? = nil) throws -> Float {
        if isNull(key), let value { return value }
        if let n = self[key] as? NSNumber { return n.floatValue }
        throw error(key, "a number")
    }

    public func optionalFloat(_ key: String) throws -> Float? {
        isNull(key) ? nil : try float(key)
    }

    public func bool(_ key: String, default value: Bool? = nil) throws -> Bool {
        if isNull(key), let value { return value }
        if let b = self[key] as? Bool { return b }
        if let n = self[key] as? NSNumber { return n.boolValue }
        throw error(key, "true or false")
    }

    public func string(_ key: String, default value: String? = nil) throws -> String {
        if isNull(key), let value { return value }
        if let s = self[key] as? String { return s }
        throw error(key, "a string")
    }

    /// A list of integers; a single integer is repeated `count` times (Keras tuples).
    public func ints(_ key: String, count: Int? = nil, default value: [Int]? = nil) throws -> [Int] {
        if isNull(key), let value { return value }
        let expected = count.map { "an integer or a list of \($0) integers" } ?? "a list of integers"
        if let list = self[key] as? [Any] {
            return try list.map { item in
                guard let n = kerasInteger(item) else { throw error(key, expected) }
                return n
            }
        }
        if let n = kerasInteger(self[key]), let count { return Array(repeating: n, count: count) }
        throw error(key, expected)
    }

    public func activation(_ key: String = "activation") throws -> ActivationFunction {
        if isNull(key) { return .linear }
        guard let s = self[key] as? String else { throw error(key, "an activation name") }
        return try ActivationFunction(kerasName: s)
    }

    public func regularizer(_ key: String) throws -> Regularizer? {
        try Regularizer(kerasConfig: self[key])
    }

    public func initializer(_ key: String, default value: Initializer) throws -> Initializer {
        try Initializers.fromKeras(self[key]) ?? value
    }

    /// Checks that each key, when present, is true or false, and otherwise lets it pass: for
    /// switches that change how Keras runs a layer, not what it computes (`unroll`), or that
    /// only matter when a feature Kestrel rejects is on.
    package func acceptSwitches(_ keys: String...) throws {
        for key in keys { _ = try bool(key, default: false) }
    }

    /// Marks keys as read whose values cannot change what Kestrel computes (options of a
    /// feature that is off, keys a Keras version writes but never uses).
    package func ignore(_ keys: String...) {
        for key in keys { _ = self[key] }
    }

    /// Throws if `key` is set to something other than null (a feature Kestrel lacks).
    public func rejectUnlessNull(_ keys: String...) throws {
        for key in keys where !isNull(key) {
            throw KestrelError(.unsupported, "\(className) config: \"\(key)\" = \(self[key]!) is not supported by Kestrel; remove it or use null")
        }
    }

    /// Throws unless `key` is absent or equals `expected` (e.g. data_format channels_last).
    public func rejectUnless(_ key: String, is expected: String) throws {
        if isNull(key) { return }
        guard let s = self[key] as? String, s == expected else {
            throw KestrelError(.unsupported, "\(className) config: \"\(key)\" = \(self[key]!) is not supported; Kestrel supports \(expected)")
        }
    }

    /// Throws unless the key is absent, null, or equal to the one value Kestrel supports.
    package func requireUnset(_ key: String, orEqualTo allowed: Any? = nil, what: String) throws {
        if isNull(key) { return }
        if let allowed, let value = self[key] {
            if let a = allowed as? Bool, (try? bool(key, default: !a)) == a { return }
            if let a = allowed as? String, value as? String == a { return }
            if let a = allowed as? Double, (try? optionalDouble(key)) == a { return }
        }
        throw KestrelError(.unsupported,
                           "\(className) config: \"\(key)\" = \(self[key]!) is not supported by Kestrel (\(what)); remove it or set it to \(allowed.map { "\($0)" } ?? "null")")
    }
}

/// A config number as an Int when it is whole and below 2^53 in magnitude (exact in a
/// Double), else nil, so 1e20, NaN or 2.5 are rejected instead of trapping or truncating.
package func kerasInteger(_ value: Any?) -> Int? {
    guard let n = value as? NSNumber else { return nil }
    let d = n.doubleValue
    guard d.rounded() == d, Swift.abs(d) < 9e15 else { return nil }
    return Int(d)
}

/// JSON null for the configs Kestrel writes, so `JSONSerialization` emits `null` as Keras does.
package let kerasNull: Any = NSNull()

/// A Float value as Keras writes a float32 variable into a config: the Double nearest to
/// the float32 (0.01 becomes 0.009999999776482582).
package func kerasFloat32(_ value: Float) -> Double { Double(value) }

/// An optional number as a config value (null when absent).
package func kerasOptional(_ value: Double?) -> Any { value.map { $0 as Any } ?? kerasNull }

/// The keys a `KerasConfig` handed out; a class so that copies of the config share it.
private final class ConsultedKeys {
    var keys: Set<String> = []
}
