import CKestrelKernels
import Foundation
import Synchronization

/// Instruction-set level of the C compute kernels (CKestrelKernels), ordered from the most
/// portable to the fastest. Kestrel picks the best level the CPU supports once at startup;
/// `KESTREL_ISA=avx512|avx2|portable` forces a lower one (a higher one than the CPU supports
/// is ignored). Exists so that every kernel call is dispatched by one cheap switch.
public enum KernelISA: Int, Comparable, CaseIterable, Sendable {
    case portable = 0
    case avx2 = 1
    case avx512 = 2

    public static func < (lhs: KernelISA, rhs: KernelISA) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Short name: "avx512", "avx2" or "portable".
    public var name: String {
        switch self {
        case .portable: return "portable"
        case .avx2: return "avx2"
        case .avx512: return "avx512"
        }
    }

    package init?(name: String) {
        switch name.lowercased() {
        case "avx512", "avx-512": self = .avx512
        case "avx2", "avx2fma", "avx2+fma": self = .avx2
        case "portable", "scalar", "c": self = .portable
        default: return nil
        }
    }
}

/// CPU capabilities and the kernel level in use. `isaName` is what benchmarks print.
public enum CPUFeatures {
    /// Best kernel level this CPU supports (from `__builtin_cpu_supports`).
    public static let supportedISA: KernelISA = {
        let f = kst_cpu_features()
        if f & Int32(KST_CPU_AVX512) != 0 { return .avx512 }
        if f & Int32(KST_CPU_AVX2_FMA) != 0 { return .avx2 }
        return .portable
    }()

    /// One core's L2 cache in bytes (what the GEMM's B block is sized for): from the C
    /// library, else Linux's sysfs, else 1 MiB.
    package static let l2CacheBytes: Int = {
        #if os(Linux)
        let reported = sysconf(Int32(_SC_LEVEL2_CACHE_SIZE))
        if reported >= 64 << 10 && reported <= 64 << 20 { return reported }
        if let text = try? String(contentsOfFile: "/sys/devices/system/cpu/cpu0/cache/index2/size", encoding: .utf8) {
            let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let scale = t.hasSuffix("K") ? 1 << 10 : t.hasSuffix("M") ? 1 << 20 : 1
            if let v = Int(t.trimmingCharacters(in: CharacterSet(charactersIn: "KM"))), v * scale >= 64 << 10,
               v * scale <= 64 << 20 {
                return v * scale
            }
        }
        #endif
        return 1 << 20
    }()

    /// Level chosen at startup: `supportedISA`, lowered by `KESTREL_ISA` if set.
    package static let startupISA: KernelISA = {
        if let s = ProcessInfo.processInfo.environment["KESTREL_ISA"], let want = KernelISA(name: s) {
            return min(want, supportedISA)
        }
        return supportedISA
    }()

    private static let _active = Atomic<Int>(-1)

    /// Kernel level currently used by Gemm and VectorMath.
    public static var activeISA: KernelISA {
        let v = _active.load(ordering: .relaxed)
        if v >= 0 { return KernelISA(rawValue: v)! }
        return startupISA
    }

    /// The version of a C kernel built for the active level.
    @inline(__always)
    package static func pick<Kernel>(avx512: Kernel, avx2: Kernel, portable: Kernel) -> Kernel {
        switch activeISA {
        case .avx512: return avx512
        case .avx2: return avx2
        case .portable: return portable
        }
    }

    /// Name of the active kernel level ("avx512", "avx2", "portable").
    public static var isaName: String { activeISA.name }

    /// Forces a kernel level (clamped to what the CPU supports); nil restores the startup
    /// choice. Internal: used by tests to exercise every variant.
    package static func setISA(_ isa: KernelISA?) {
        _active.store(isa.map { min($0, supportedISA).rawValue } ?? -1, ordering: .relaxed)
    }

    /// Runs `body` with the kernel level forced to `isa`, then restores the previous setting.
    package static func withISA<R>(_ isa: KernelISA, _ body: () throws -> R) rethrows -> R {
        let old = _active.load(ordering: .relaxed)
        setISA(isa)
        defer { _active.store(old, ordering: .relaxed) }
        return try body()
    }
}
