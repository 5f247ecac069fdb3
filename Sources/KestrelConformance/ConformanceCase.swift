import Foundation
import KestrelCore
import KestrelNN
import KestrelFormats

/// One Keras reference fixture (a safetensors file written by real Keras) and the
/// comparison of Kestrel's results with it. See the fixture README for the format: the
/// metadata names the Keras class and its config; tensors hold inputs, weights, outputs,
/// cotangents and gradients.
public struct ConformanceCase {
    public let name: String
    public let kind: String
    public let className: String
    let file: SafeTensors
    let meta: [String: String]
    let atol: Double
    let rtol: Double

    public init(url: URL) throws {
        file = try SafeTensors(contentsOf: url)
        meta = file.metadata
        name = meta["case"] ?? url.deletingPathExtension().lastPathComponent
        kind = meta["kind"] ?? "layer"
        className = meta["layer"] ?? "?"
        let tolerance = try ConformanceCase.json(meta["tolerance"] ?? "{}") as? [String: Any] ?? [:]
        atol = (tolerance["atol"] as? NSNumber)?.doubleValue ?? 1e-6
        rtol = (tolerance["rtol"] as? NSNumber)?.doubleValue ?? 1e-5
    }

    static func json(_ text: String) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw KestrelError(.invalidFile, "conformance: metadata is not valid JSON: \(text.prefix(80))")
        }
    }

    func metaJSON(_ key: String) throws -> Any? {
        guard let text = meta[key] else { return nil }
        return try ConformanceCase.json(text)
    }

    func metaList(_ key: String) throws -> [String] {
        try metaJSON(key) as? [String] ?? []
    }

    var config: [String: Any] {
        get throws { try metaJSON("config") as? [String: Any] ?? [:] }
    }

    func tensor(_ name: String) throws -> Tensor {
        if let t = file.tensors[name] { return t }
        if let t = file.intTensors[name] { return t.asTensor }
        throw KestrelError(.invalidFile, "conformance: case \(self.name) has no tensor \(name)")
    }

    func has(_ name: String) -> Bool { file.tensors[name] != nil || file.intTensors[name] != nil }
}

/// The outcome of one case: pass or fail with the worst errors seen, or unsupported (a
/// layer or option Kestrel does not have yet — counted as skipped).
public enum ConformanceOutcome {
    case passed(maxAbsoluteError: Double, maxRelativeError: Double)
    case failed(reason: String, maxAbsoluteError: Double, maxRelativeError: Double)
    case unsupported(reason: String)
}

/// Accumulates the elementwise comparisons of one case.
struct ConformanceComparison {
    let atol: Double, rtol: Double
    var maxAbs = 0.0, maxRel = 0.0
    var failures: [String] = []

    mutating func compare(_ label: String, got: Tensor, want: Tensor) {
        guard got.shape == want.shape else {
            failures.append("\(label): shape \(got.shape), expected \(want.shape)")
            return
        }
        let g = got.scalars, w = want.scalars
        var worst: (index: Int, excess: Double)? = nil
        for i in 0..<g.count {
            let diff = Swift.abs(Double(g[i]) - Double(w[i]))
            let bound = atol + rtol * Swift.abs(Double(w[i]))
            maxAbs = Swift.max(maxAbs, diff.isNaN ? .infinity : diff)
            if w[i] != 0 { maxRel = Swift.max(maxRel, diff / Swift.abs(Double(w[i]))) }
            if !(diff <= bound), worst == nil || diff - bound > worst!.excess {
                worst = (i, diff.isNaN ? .infinity : diff - bound)
            }
        }
        if let worst {
            failures.append("\(label)[\(worst.index)] = \(g[worst.index]), expected \(w[worst.index])")
        }
    }

    var outcome: ConformanceOutcome {
        failures.isEmpty ? .passed(maxAbsoluteError: maxAbs, maxRelativeError: maxRel)
            : .failed(reason: failures.prefix(3).joined(separator: "; "), maxAbsoluteError: maxAbs, maxRelativeError: maxRel)
    }
}
