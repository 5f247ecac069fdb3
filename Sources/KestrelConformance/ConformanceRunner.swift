import Foundation
import KestrelCore
import KestrelNN
import KestrelFormats

/// Runs Keras reference fixtures against Kestrel (`kestrel conformance DIR`): every case
/// is rebuilt from its stored Keras config alone, run forward and backward on the stored
/// tensors, and every stored result compared within the stored tolerance.
public enum ConformanceRunner {
    /// Runs one fixture file; never throws (a broken file is a failed case).
    public static func run(url: URL) -> (name: String, outcome: ConformanceOutcome) {
        let fallbackName = url.deletingPathExtension().lastPathComponent
        do {
            let c = try ConformanceCase(url: url)
            do {
                return (c.name, try run(c))
            } catch let e as KestrelError where e.kind == .unsupported {
                return (c.name, .unsupported(reason: e.message))
            } catch {
                return (c.name, .failed(reason: "\(error)", maxAbsoluteError: .nan, maxRelativeError: .nan))
            }
        } catch {
            return (fallbackName, .failed(reason: "\(error)", maxAbsoluteError: .nan, maxRelativeError: .nan))
        }
    }

    /// Every `*.safetensors` file in `directory`, sorted by name.
    public static func fixtureFiles(in directory: URL) throws -> [URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw KestrelError(.invalidFile, "conformance: cannot list \(directory.path): \(error.localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".safetensors") }.sorted().map { directory.appendingPathComponent($0) }
    }

    static func run(_ c: ConformanceCase) throws -> ConformanceOutcome {
        switch c.kind {
        case "layer": return try runLayer(c)
        case "function": return try runFunction(c)
        case "loss": return try runLoss(c)
        case "optimizer": return try runOptimizer(c)
        case "model": return try runModel(c)
        default: throw KestrelError(.unsupported, "conformance: case kind \(c.kind) is not supported")
        }
    }

    static func runFunction(_ c: ConformanceCase) throws -> ConformanceOutcome {
        let config = try c.config
        let function: ActivationFunction
        switch c.className {
        case "keras.activations.gelu":
            function = .gelu(approximate: config["approximate"] as? Bool ?? false)
        case "keras.activations.leaky_relu":
            function = .leakyRelu(negativeSlope: (config["negative_slope"] as? NSNumber)?.floatValue ?? 0.2)
        default:
            let name = c.className.replacingOccurrences(of: "keras.activations.", with: "")
            guard config.isEmpty else {
                throw KestrelError(.unsupported, "conformance: function \(c.className) with arguments \(config)")
            }
            function = try ActivationFunction(kerasName: name)
        }
        let x = try c.tensor("x").requiringGradient()
        let y = function(x)
        var comparison = ConformanceComparison(atol: c.atol, rtol: c.rtol)
        comparison.compare("y", got: y, want: try c.tensor("y"))
        let dx = Tensor.gradients(of: y, withRespectTo: [x], seed: try c.tensor("r"))[0]
        comparison.compare("dx", got: dx, want: try c.tensor("dx"))
        return comparison.outcome
    }

    static func runLayer(_ c: ConformanceCase) throws -> ConformanceOutcome {
        let layer = try KerasLayerRegistry.makeLayer(className: c.className, config: try c.config)
        let call = try c.metaJSON("call") as? [String: Any] ?? [:]
        let inputNames = try call["inputs"] as? [String] ?? c.metaList("inputs")
        // Fixtures list initial states in `inputs` as well; each tensor is passed once.
        let stateNames = (call["initial_state"] as? [String] ?? []).filter { !inputNames.contains($0) }
        let training = (call["kwargs"] as? [String: Any])?["training"] as? Bool ?? false
        let floatInputs = Set((inputNames + stateNames).filter { c.file.tensors[$0] != nil })
        let inputs = try (inputNames + stateNames).map { name -> Tensor in
            let t = try c.tensor(name)
            return floatInputs.contains(name) ? t.requiringGradient() : t
        }
        try layer.buildIfNeeded(inputShapes: inputs.map(\.shape))
        let weightNames = try c.metaList("weights")
        guard weightNames.count == layer.weights.count else {
            return .failed(reason: "\(c.className) has \(layer.weights.count) weights, the fixture \(weightNames.count)", maxAbsoluteError: .nan, maxRelativeError: .nan)
        }
        for (parameter, name) in zip(layer.weights, weightNames) {
            try parameter.assign(try c.tensor(name))
        }
        let outputs = try layer(inputs, training: training)
        let outputNames = try c.metaList("outputs")
        guard outputs.count == outputNames.count else {
            return .failed(reason: "\(c.className) returned \(outputs.count) outputs, the fixture has \(outputNames.count)", maxAbsoluteError: .nan, maxRelativeError: .nan)
        }
        var comparison = ConformanceComparison(atol: c.atol, rtol: c.rtol)
        var objective: Tensor?
        for (output, name) in zip(outputs, outputNames) {
            comparison.compare(name, got: output, want: try c.tensor(name))
            let cotangentName = name == "y" ? "r" : name.hasPrefix("y_") ? "r_" + name.dropFirst(2) : "r_" + name
            if c.has(cotangentName), output.requiresGradient {
                let term = (output * (try c.tensor(cotangentName))).sum()
                objective = objective.map { $0 + term } ?? term
            }
        }
        for (parameter, name) in zip(layer.weights, weightNames) where c.has(name.replacingOccurrences(of: "w/", with: "") + "_after") {
            comparison.compare(name + " after", got: parameter.value, want: try c.tensor(name.replacingOccurrences(of: "w/", with: "") + "_after"))
        }
        for stat in ["moving_mean", "moving_variance"] where c.has(stat + "_after") {
            if let p = layer.weights.first(where: { $0.name == stat }) {
                comparison.compare(stat + "_after", got: p.value, want: try c.tensor(stat + "_after"))
            }
        }
        guard let objective else { return comparison.outcome }
        let trainable = layer.weights.enumerated().filter { $0.element.isTrainable }
        let differentiated = (inputNames + stateNames).enumerated().filter { floatInputs.contains($0.element) }
        let grads = Tensor.gradients(of: objective, withRespectTo: differentiated.map { inputs[$0.offset] } + trainable.map { $0.element.value })
        for (k, (_, name)) in differentiated.enumerated() {
            let gradName = "d" + name
            if c.has(gradName) { comparison.compare(gradName, got: grads[k], want: try c.tensor(gradName)) }
        }
        for (k, (index, _)) in trainable.enumerated() {
            let gradName = "d" + weightNames[index]
            if c.has(gradName) { comparison.compare(gradName, got: grads[differentiated.count + k], want: try c.tensor(gradName)) }
        }
        return comparison.outcome
    }
}
