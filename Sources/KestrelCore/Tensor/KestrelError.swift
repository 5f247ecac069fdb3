/// The error every throwing Kestrel entry point uses: a message that names the operation
/// or layer, what it expected, what it got, and what to do about it.
public struct KestrelError: Error, CustomStringConvertible, Equatable {
    /// What kind of problem this is, so callers can branch without parsing the message.
    public enum Kind: String, Sendable {
        case shapeMismatch, invalidArgument, invalidData, invalidFile, unsupported, numerical
        /// Another process of a data-parallel group failed or could not be reached.
        case collective
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// Turns a failed shape rule into a precondition failure: ops treat a bad shape as a
/// programming error, like an out-of-range Array index, while the rule itself stays testable.
@inline(__always)
package func checked<T>(_ rule: () throws -> T) -> T {
    do {
        return try rule()
    } catch {
        fatalError("\(error)")
    }
}

/// `precondition` whose message survives release builds (`-O` drops a precondition's
/// message), for the traps that remain by design: tensor-op misuse in code, as Swift's own
/// collections trap on a bad index. Anything a file, a config or a user's argument can
/// reach throws a `KestrelError` instead.
@inline(__always)
package func checkedPrecondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                                 file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
