import Foundation
import Synchronization

/// Reusable 64-byte-aligned Float scratch buffers for the convolution kernels (im2col
/// chunks, per-thread weight-gradient partials). A call takes one buffer per running
/// chunk and gives it back, buffers only grow, so steady-state training steps allocate
/// no scratch memory.
package final class ScratchBuffer: @unchecked Sendable {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    package init(capacity: Int) {
        self.capacity = Swift.max(capacity, 16)
        pointer = ScratchBuffer.allocate(self.capacity)
    }

    /// Makes room for at least `count` floats (old contents are not kept).
    package func reserve(_ count: Int) {
        guard count > capacity else { return }
        free(pointer)
        capacity = count
        pointer = ScratchBuffer.allocate(count)
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        var raw: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&raw, 64, count * MemoryLayout<Float>.stride) == 0, let raw else {
            fatalError("ScratchPool: cannot allocate \(count) floats")
        }
        return raw.bindMemory(to: Float.self, capacity: count)
    }

    deinit { free(pointer) }
}

/// Thread-safe free list of `ScratchBuffer`s.
package enum ScratchPool {
    private static let free = Mutex<[ScratchBuffer]>([])

    /// A buffer of at least `count` floats; return it with `give`.
    package static func take(_ count: Int) -> ScratchBuffer {
        let b = free.withLock { $0.popLast() } ?? ScratchBuffer(capacity: count)
        b.reserve(count)
        return b
    }

    package static func give(_ b: ScratchBuffer) {
        free.withLock { $0.append(b) }
    }

    /// Runs `body` with a buffer of at least `count` floats.
    @inline(__always)
    package static func with<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        let b = take(count)
        defer { give(b) }
        return body(b.pointer)
    }
}
