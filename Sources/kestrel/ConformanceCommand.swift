import ArgumentParser
import Foundation
import Kestrel
import KestrelConformance

/// `kestrel conformance DIR`: runs every Keras fixture in DIR and prints one line per case.
struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Check Kestrel against Keras reference fixtures (safetensors files).")

    @Argument(help: "Folder of fixture .safetensors files.")
    var directory: String

    @Flag(help: "Print only failures and the summary line.")
    var quiet = false

    func run() throws {
        let files: [URL]
        do {
            files = try ConformanceRunner.fixtureFiles(in: URL(fileURLWithPath: directory))
        } catch {
            throw ValidationError("\(error)")
        }
        var passed = 0, failed = 0, skipped = 0
        for url in files {
            let (name, outcome) = ConformanceRunner.run(url: url)
            switch outcome {
            case let .passed(maxAbs, maxRel):
                passed += 1
                if !quiet { print("PASS \(name) max_abs=\(format(maxAbs)) max_rel=\(format(maxRel))") }
            case let .failed(reason, maxAbs, maxRel):
                failed += 1
                print("FAIL \(name) max_abs=\(format(maxAbs)) max_rel=\(format(maxRel)) \(reason)")
            case let .unsupported(reason):
                skipped += 1
                if !quiet { print("UNSUPPORTED \(name) \(reason.prefix(120))") }
            }
        }
        print("conformance: \(passed) passed, \(failed) failed, \(skipped) skipped")
        if failed > 0 { throw ExitCode(1) }
    }

    private func format(_ x: Double) -> String { String(format: "%.2e", x) }
}
