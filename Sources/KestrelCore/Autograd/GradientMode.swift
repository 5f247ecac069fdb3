#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether ops on the current thread record themselves on the tape. Inference runs inside
/// `withoutGradients`, where ops record nothing and cost nothing beyond the math.
public enum GradientMode {
    private static let depthKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    private static var disabledDepth: Int {
        get { Int(bitPattern: pthread_getspecific(depthKey)) }
        set { pthread_setspecific(depthKey, UnsafeRawPointer(bitPattern: newValue)) }
    }

    /// True unless the current thread is inside `withoutGradients`.
    public static var isRecording: Bool { disabledDepth == 0 }

    package static func pushDisabled() { disabledDepth += 1 }
    package static func popDisabled() { disabledDepth -= 1 }
}

/// Runs `body` with gradient recording switched off on this thread (PyTorch's `no_grad`).
@discardableResult
public func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
    GradientMode.pushDisabled()
    defer { GradientMode.popDisabled() }
    return try body()
}
