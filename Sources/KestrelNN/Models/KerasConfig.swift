import Foundation
import KestrelCore

/// Typed reading of one Keras `get_config()` dictionary, with errors that name the layer,
/// the key, and what was expected. Keys that Kestrel does not implement must be absent or
/// at their neutral value (`rejectUnless…`), so nothing is silently approximated.
public struct KerasConfig {
    public let className: String
    public let values: [String: Any]

    public init(className: String, values: [String: Any]) {
        self.className = className
        self.values = values
    }

    package func error(_ key: String, _ expected: String) -> KestrelError {
        KestrelError(.invalidArgument, "\(className) config: \"\(key)\" should be \(expected), got \(values[key].map { "\($0)" } ?? "nothing")")
    }

    public var name: String? { values["name"] as? String }

    public func isNull(_ key: String) -> Bool {
        values[key] == nil || values[key] is NSNull
    }

    public func int(_ key: String, default value: Int? = nil) throws -> Int {
        if isNull(key), let value { return value }
        if let n = values[key] as? NSNumber, Double(n.intValue) == n.doubleValue { return n.intValue }
        throw error(key, "an integer")
    }

    public func float(_ key: String, default value: Float? = nil) throws -> Float {
        if isNull(key), let value { return value }
        if let n = values[key] as? NSNumber { return n.floatValue }
        throw error(key, "a number")
    }

    public func optionalFloat(_ key: String) throws -> Float? {
        isNull(key) ? nil : try float(key)
    }

    public func bool(_ key: String, default value: Bool? = nil) throws -> Bool {
        if isNull(key), let value { return value }
        if let b = values[key] as? Bool { return b }
        throw error(key, "true or false")
    }

    public func string(_ key: String, default value: String? = nil) throws -> String {
        if isNull(key), let value { return value }
        if let s = values[key] as? String { return s }
        throw error(key, "a string")
    }

    /// A list of integers; a single integer is repeated `count` times (Keras tuples).
    public func ints(_ key: String, count: Int? = nil, default value: [Int]? = nil) throws -> [Int] {
        if isNull(key), let value { return value }
        if let list = values[key] as? [NSNumber] { return list.map(\.intValue) }
        if let n = values[key] as? NSNumber, let count { return Array(repeating: n.intValue, count: count) }
        throw error(key, count.map { "an integer or a list of \($0) integers" } ?? "a list of integers")
    }

    public func activation(_ key: String = "activation") throws -> ActivationFunction {
        if isNull(key) { return .linear }
        guard let s = values[key] as? String else { throw error(key, "an activation name") }
        return try ActivationFunction(kerasName: s)
    }

    public func regularizer(_ key: String) throws -> Regularizer? {
        try Regularizer(kerasConfig: values[key])
    }

    public func initializer(_ key: String, default value: Initializer) throws -> Initializer {
        try Initializers.fromKeras(values[key]) ?? value
    }

    /// Throws if `key` is set to something other than null (a feature Kestrel lacks).
    public func rejectUnlessNull(_ keys: String...) throws {
        for key in keys where !isNull(key) {
            throw KestrelError(.unsupported, "\(className) config: \"\(key)\" = \(values[key]!) is not supported by Kestrel; remove it or use null")
        }
    }

    /// Throws unless `key` is absent or equals `expected` (e.g. data_format channels_last).
    public func rejectUnless(_ key: String, is expected: String) throws {
        if isNull(key) { return }
        guard let s = values[key] as? String, s == expected else {
            throw KestrelError(.unsupported, "\(className) config: \"\(key)\" = \(values[key]!) is not supported; Kestrel supports \(expected)")
        }
    }
}
