import Synchronization

/// Freed large tensor buffers kept for reuse, like PyTorch's caching allocator: a training
/// step allocates the same large buffers every step, and handing them back to the system
/// makes the next step fault every page in again (a tenth of a step's time on attention and
/// ConvLSTM models). Buffers of at least 64 KiB are rounded up to a size class (four per
/// power of two) and, when freed, kept on that class's list while the cache holds less than
/// `limitBytes`; smaller ones go straight to the system allocator.
package enum StorageCache {
    package static let minimumBytes = 1 << 16
    /// The most freed memory kept (1 GiB).
    package static let limitBytes = 1 << 30

    private struct State {
        var free: [Int: [UnsafeMutableRawPointer]] = [:]
        var cachedBytes = 0
    }
    private static let state = Mutex(State())

    /// The bytes actually allocated for a request: the request itself below `minimumBytes`,
    /// else rounded up to a quarter of its power of two.
    package static func capacity(forBytes bytes: Int) -> Int {
        guard bytes >= minimumBytes else { return bytes }
        let quarter = 1 << (Int.bitWidth - (bytes - 1).leadingZeroBitCount - 3)
        return (bytes + quarter - 1) / quarter * quarter
    }

    /// A 64-byte-aligned buffer of `capacity` bytes (a value from `capacity(forBytes:)`).
    package static func take(capacity: Int) -> UnsafeMutableRawPointer {
        if capacity >= minimumBytes, let reused = state.withLock({ s -> UnsafeMutableRawPointer? in
            guard let p = s.free[capacity]?.popLast() else { return nil }
            s.cachedBytes -= capacity
            return p
        }) {
            return reused
        }
        return UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
    }

    /// Returns a buffer from `take`, kept for reuse while the cache has room.
    package static func give(_ pointer: UnsafeMutableRawPointer, capacity: Int) {
        if capacity >= minimumBytes {
            let kept = state.withLock { s -> Bool in
                guard s.cachedBytes + capacity <= limitBytes else { return false }
                s.free[capacity, default: []].append(pointer)
                s.cachedBytes += capacity
                return true
            }
            if kept { return }
        }
        pointer.deallocate()
    }

    /// Gives every cached buffer back to the system (after a large model is done with).
    package static func releaseCachedMemory() {
        let buffers = state.withLock { s -> [UnsafeMutableRawPointer] in
            defer { s = State() }
            return s.free.values.flatMap { $0 }
        }
        for p in buffers { p.deallocate() }
    }
}
