import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// The Keras reference fixtures of one kind, read from `Fixtures/keras_reference`.
struct KerasFixture {
    let name: String
    let file: SafeTensors
    let className: String
    let config: [String: Any]
    let atol: Float
    let rtol: Float

    static var directory: URL {
        IOFixtures.url("keras_reference")
    }

    /// Every fixture whose file name starts with `prefix`, sorted by name.
    static func all(prefix: String) throws -> [KerasFixture] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".safetensors") }.sorted()
        return try names.map { try KerasFixture(url: directory.appendingPathComponent($0)) }
    }

    init(url: URL) throws {
        name = url.deletingPathExtension().lastPathComponent
        file = try SafeTensors(contentsOf: url)
        className = file.metadata["layer"] ?? ""
        let configText = file.metadata["config"] ?? "{}"
        config = try JSONSerialization.jsonObject(with: Data(configText.utf8)) as? [String: Any] ?? [:]
        let tolerance = try JSONSerialization.jsonObject(with: Data((file.metadata["tolerance"] ?? "{}").utf8)) as? [String: Double] ?? [:]
        atol = Float(tolerance["atol"] ?? 1e-6)
        rtol = Float(tolerance["rtol"] ?? 1e-5)
    }

    /// The stored config and `produced` serialized the same way (sorted keys), for equality checks.
    func canonicalJSON(_ produced: [String: Any]) throws -> (stored: String, produced: String) {
        func text(_ object: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        return (try text(config), try text(produced))
    }

    /// A stored tensor; integer tensors come back as Float ids.
    func tensor(_ key: String) throws -> Tensor {
        if let t = file.tensors[key] { return t }
        if let t = file.intTensors[key] { return t.asTensor }
        throw KestrelError(.invalidFile, "\(name): no tensor \(key)")
    }

    /// Whether `got` matches the stored `key` within the stored tolerance; reports the worst element.
    func check(_ got: Tensor, against key: String, file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        let want = try tensor(key)
        guard got.shape == want.shape else {
            XCTFail("\(name) \(key): shape \(got.shape), want \(want.shape)", file: file, line: line)
            return false
        }
        for (i, (g, w)) in zip(got.scalars, want.scalars).enumerated() where !(Swift.abs(g - w) <= atol + rtol * Swift.abs(w)) {
            XCTFail("\(name) \(key)[\(i)]: got \(g), want \(w) (atol \(atol), rtol \(rtol))", file: file, line: line)
            return false
        }
        return true
    }
}
