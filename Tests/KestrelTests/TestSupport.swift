import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// Asserts shape and scalars agree within `tolerance` (absolute, or relative for large values).
func assertClose(_ t: Tensor, _ expected: [Float], shape: [Int]? = nil, tolerance: Float = 1e-5,
                 file: StaticString = #filePath, line: UInt = #line) {
    if let shape { XCTAssertEqual(t.shape, shape, "shape", file: file, line: line) }
    XCTAssertEqual(t.count, expected.count, "count", file: file, line: line)
    for (i, (a, b)) in zip(t.scalars, expected).enumerated() {
        let ok = (a.isNaN && b.isNaN) || a == b || Swift.abs(a - b) <= tolerance * Swift.max(1, Swift.abs(b))
        if !ok {
            XCTFail("scalar \(i): got \(a), expected \(b) (tensor \(t.shape))", file: file, line: line)
            return
        }
    }
}

/// Asserts the finite-difference check of `f` passes.
func assertGradientsMatch(_ inputs: [Tensor], tolerance: Double = 5e-3, epsilon: Float = 1e-2,
                          file: StaticString = #filePath, line: UInt = #line, _ f: @escaping ([Tensor]) -> Tensor) {
    let result = GradientCheck.check(inputs, epsilon: epsilon, f)
    XCTAssertLessThanOrEqual(result.maxError, tolerance, "\(result)", file: file, line: line)
}

/// A reproducible random tensor.
func randomTensor(_ shape: [Int], seed: UInt64 = 1, min: Float = -1, max: Float = 1) -> Tensor {
    var g = RandomGenerator(seed: seed)
    return Tensor.randomUniform(shape, min: min, max: max, generator: &g)
}

/// Asserts `body` throws a KestrelError whose message contains every fragment.
func assertThrowsMessage(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                         _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected an error mentioning \(fragments)", file: file, line: line)
    } catch {
        let message = "\(error)"
        for f in fragments where !message.contains(f) {
            XCTFail("message «\(message)» lacks «\(f)»", file: file, line: line)
        }
    }
}

/// The `kestrel` tool built beside the test bundle (`swift test` builds every product).
func kestrelTool(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
    let beside = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("kestrel")
    let fallback = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kestrel")
    let executable = [beside, fallback].first { FileManager.default.isExecutableFile(atPath: $0.path) }
    return try XCTUnwrap(executable, "build the kestrel tool first (swift build) — looked beside the test bundle", file: file, line: line)
}

/// Runs `kestrel ARGUMENTS` to the end with output discarded; returns its exit status.
@discardableResult
func runKestrel(_ arguments: [String], environment: [String: String] = [:]) throws -> Int32 {
    let process = try kestrelProcess(arguments, environment: environment)
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

/// A `kestrel` process, not started, whose output goes nowhere and whose errors go to stderr.
func kestrelProcess(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
    let process = Process()
    process.executableURL = try kestrelTool()
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = FileHandle.nullDevice
    return process
}

/// A tensor of a Keras fixture file: float32 as stored, int32 ids as floats.
func fixtureTensor(_ file: SafeTensors, _ key: String) throws -> Tensor {
    if let t = file.tensors[key] { return t }
    if let t = file.intTensors[key] { return t.asTensor }
    throw KestrelError(.invalidFile, "the fixture has no tensor \(key)")
}

/// Asserts a result matches Keras's within the Keras fixtures' tolerance,
/// |got − want| ≤ 1e-5 + 1e-4·|want| for every scalar, with the same shape.
func assertMatchesKeras(_ got: Tensor, _ want: Tensor, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(got.shape, want.shape, "\(what): shape", file: file, line: line)
    let worst = zip(got.scalars, want.scalars).map { Swift.abs($0 - $1) - (1e-5 + 1e-4 * Swift.abs($1)) }.max() ?? 0
    XCTAssertLessThanOrEqual(worst, 0, "\(what): differs from Keras beyond atol 1e-5 + rtol 1e-4", file: file, line: line)
}
