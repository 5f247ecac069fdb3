import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// Locates the IO test fixtures (written by Fixtures/make_io_fixtures.py) and the datasets
/// the repository ships in `Data/`, and mutates bytes for robustness tests.
enum IOFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let datasets = repositoryRoot.appendingPathComponent("Data")

    /// How long each fuzz loop runs: `KESTREL_FUZZ_SECONDS` (CI sets a longer budget), or a
    /// short default so a plain `swift test` still exercises the loops.
    static var fuzzSeconds: Double {
        Double(ProcessInfo.processInfo.environment["KESTREL_FUZZ_SECONDS"] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? 2
    }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    /// A file of a dataset shipped in the repository's `Data/` folder.
    static func dataset(_ path: String) -> URL { datasets.appendingPathComponent(path) }

    /// `data` with one random change: a bit flip, a few random bytes, a truncation, or a
    /// deleted run of bytes.
    static func mutate(_ data: Data, _ generator: inout RandomGenerator) -> Data {
        var bytes = [UInt8](data)
        guard !bytes.isEmpty else { return data }
        switch generator.nextIndex(below: 4) {
        case 0:
            let i = generator.nextIndex(below: bytes.count)
            bytes[i] ^= UInt8(1) << UInt8(generator.nextIndex(below: 8))
        case 1:
            for _ in 0...generator.nextIndex(below: 4) {
                bytes[generator.nextIndex(below: bytes.count)] = UInt8(generator.nextIndex(below: 256))
            }
        case 2:
            bytes.removeLast(1 + generator.nextIndex(below: bytes.count))
        default:
            let start = generator.nextIndex(below: bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + generator.nextIndex(below: 16)))
        }
        return Data(bytes)
    }
}

/// Asserts `body` throws a KestrelError of `kind` whose message contains every fragment.
func assertThrowsKestrel(_ kind: KestrelError.Kind, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                         _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected a \(kind) error mentioning \(fragments)", file: file, line: line)
    } catch let error as KestrelError {
        XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        for f in fragments where !error.message.contains(f) {
            XCTFail("message «\(error.message)» lacks «\(f)»", file: file, line: line)
        }
    } catch {
        XCTFail("expected a KestrelError, got \(error)", file: file, line: line)
    }
}
