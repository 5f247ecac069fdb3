// libFuzzer's entry point for the Kestrel readers. Fuzz/run links this file to the
// KestrelFuzzTargets library built with -sanitize=fuzzer; KESTREL_FUZZ_TARGET picks the
// reader (one of FuzzTarget's raw values).
import Foundation
import Kestrel
import KestrelFuzzTargets

private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["KESTREL_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("set KESTREL_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue)), got \"\(name)\"")
    }
    Layer.maximumTensorElements = FuzzTarget.elementCap
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    target.run(Data(bytes: bytes, count: count))
    return 0
}
