import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
import Kestrel

/// Files and configs with hostile numbers (huge, infinite, NaN, zero or negative sizes)
/// throw a KestrelError naming the file or layer and the field; none traps or allocates
/// terabytes.
final class HostileInputTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kestrel-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// A small compiled and trained model saved with its optimizer state, as a SafeTensors value.
    private func savedModel() throws -> SafeTensors {
        GlobalRandom.setSeed(21)
        var g = RandomGenerator(seed: 4)
        let x = Tensor.randomNormal([16, 3], generator: &g)
        let model = Sequential { Input(shape: [3]); Dense(2) }
        try model.compile(optimizer: Adam(learningRate: 0.01), loss: MeanSquaredError())
        try model.fit(x: x, y: x.sliced(alongAxis: 1, 0..<2), batchSize: 8, epochs: 1, verbose: .silent)
        let url = dir.appendingPathComponent("model.safetensors")
        try model.save(to: url)
        return try SafeTensors(contentsOf: url)
    }

    private func write(_ file: SafeTensors, _ name: String) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try file.write(to: url)
        return url
    }

    func testOptimizerIterationsThatDoNotFitAnIntThrow() throws {
        var file = try savedModel()
        for (value, text) in [(Float(1e20), "1e+20"), (.infinity, "inf"), (.nan, "nan"), (-3, "-3.0"), (2.5, "2.5")] {
            file.tensors["optimizer/iterations"] = Tensor(value)
            let url = try write(file, "iterations.safetensors")
            assertThrowsKestrel(.invalidData, ["adam.loadState", "\"iterations\"", "whole number", text, "Adam"]) {
                _ = try Model.load(from: url)
            }
        }
        file.tensors["optimizer/iterations"] = Tensor(Float(7))
        file.tensors["optimizer/learning_rate"] = Tensor(Float.nan)
        let url = try write(file, "rate.safetensors")
        assertThrowsKestrel(.invalidData, ["\"learning_rate\"", "finite", "nan"]) { _ = try Model.load(from: url) }
    }

    func testEpochsCompletedMustBeAWholeNumber() throws {
        var file = try savedModel()
        for bad in ["1e20", "inf", "nan", "-1", "99999999999999999999"] {
            file.metadata["epochs_completed"] = bad
            let url = try write(file, "epochs.safetensors")
            assertThrowsKestrel(.invalidFile, ["epochs.safetensors", "epochs_completed", bad, "save the model again"]) {
                _ = try Model.load(from: url)
            }
        }
        file.metadata["epochs_completed"] = String(Int.max)
        let url = try write(file, "max.safetensors")
        let model = try Model.load(from: url)
        assertThrowsKestrel(.invalidArgument, ["fit", "epochs", "already completed"]) {
            try model.fit(x: Tensor.zeros([2, 3]), y: Tensor.zeros([2, 2]), epochs: 1, verbose: .silent)
        }
    }

    // MARK: Keras configs

    /// A Sequential config: an InputLayer with `batchShape`, then the layers.
    private func sequential(_ batchShape: [Any], _ layers: [(String, [String: Any])]) -> [String: Any] {
        let input: [String: Any] = ["class_name": "InputLayer", "config": ["batch_shape": batchShape, "name": "in"]]
        let rest: [[String: Any]] = layers.map { ["class_name": $0.0, "config": $0.1] }
        return ["class_name": "Sequential", "config": ["name": "hostile", "layers": [input] + rest]]
    }

    /// Builds the model a config describes, as `Model.load` does.
    private func build(_ config: [String: Any]) throws {
        let model = try Model.fromConfig(config)
        try model.ensureBuilt()
    }

    func testInputLayerSizesMustBePositive() {
        for size in [0, -8] {
            assertThrowsKestrel(.invalidArgument, ["InputLayer config", "batch_shape", "positive", "fix the config JSON"]) {
                try self.build(self.sequential([NSNull(), size], []))
            }
            assertThrowsKestrel(.invalidArgument, ["InputLayer config", "input shape [\(size)]", "must be positive"]) {
                _ = try KerasLayerRegistry.makeLayer(className: "InputLayer", config: ["shape": [size]])
            }
        }
        assertThrowsKestrel(.invalidArgument, ["InputLayer config", "batch_shape"]) {
            try self.build(self.sequential([NSNull(), 1e20], []))
        }
        assertThrowsKestrel(.invalidArgument, ["one input sample", "[1000000, 1000000]", "Layer.maximumTensorElements"]) {
            try self.build(self.sequential([NSNull(), 1_000_000, 1_000_000], []))
        }
    }

    func testSequentialInputLayerMustComeFirst() {
        var config = sequential([NSNull(), 4], [("Dense", ["units": 2]), ("InputLayer", ["batch_shape": [NSNull(), 2], "name": "late"])])
        assertThrowsKestrel(.invalidFile, ["Sequential hostile", "InputLayer (late) after other layers", "only come first"]) {
            try self.build(config)
        }
        config = sequential([NSNull(), 4], [("InputLayer", ["batch_shape": [NSNull(), 4], "name": "twice"])])
        assertThrowsKestrel(.invalidFile, ["InputLayer (twice)"]) { try self.build(config) }
    }

    func testBatchNormalizationEpsilonMustBePositive() {
        for epsilon in [0, -0.001] {
            assertThrowsKestrel(.invalidArgument, ["bn (BatchNormalization)", "epsilon", "\(Float(epsilon))", "positive"]) {
                try self.build(self.sequential([NSNull(), 4], [("BatchNormalization", ["name": "bn", "epsilon": epsilon])]))
            }
        }
    }

    func testNegativePaddingAndCroppingThrow() {
        assertThrowsKestrel(.invalidArgument, ["pad (ZeroPadding2D)", "padding [[-1, 0], [2, 2]]", "≥ 0"]) {
            try self.build(self.sequential([NSNull(), 4, 4, 1], [("ZeroPadding2D", ["name": "pad", "padding": [[-1, 0], [2, 2]]])]))
        }
        assertThrowsKestrel(.invalidArgument, ["pad1 (ZeroPadding1D)", "padding [[-3, -3]]"]) {
            try self.build(self.sequential([NSNull(), 4, 1], [("ZeroPadding1D", ["name": "pad1", "padding": -3])]))
        }
        assertThrowsKestrel(.invalidArgument, ["crop (Cropping1D)", "cropping [[-2, 1]]", "≥ 0"]) {
            try self.build(self.sequential([NSNull(), 6, 1], [("Cropping1D", ["name": "crop", "cropping": [-2, 1]])]))
        }
        assertThrowsKestrel(.invalidArgument, ["crop2 (Cropping2D)", "cropping [[-1, -1], [0, 0]]"]) {
            try self.build(self.sequential([NSNull(), 6, 6, 1], [("Cropping2D", ["name": "crop2", "cropping": [-1, 0]])]))
        }
    }

    func testSoftmaxAxisOutOfRangeThrowsAtBuild() {
        assertThrowsKestrel(.invalidArgument, ["sm (Softmax)", "axis 9", "[1, 4]", "-2..<2", "set axis"]) {
            try self.build(self.sequential([NSNull(), 4], [("Softmax", ["name": "sm", "axis": 9])]))
        }
        assertThrowsKestrel(.invalidArgument, ["Softmax", "axis -3"]) { _ = try Softmax(axis: -3)(Tensor.zeros([2, 4])) }
    }

    func testHugeUnitsAndEmbeddingsThrowBeforeAllocating() {
        assertThrowsKestrel(.invalidArgument, ["big (Dense): weight kernel", "[4, 1000000000000]", "4000000000000 elements",
                                               "Layer.maximumTensorElements = 2147483648", "raise Layer.maximumTensorElements"]) {
            try self.build(self.sequential([NSNull(), 4], [("Dense", ["name": "big", "units": 1_000_000_000_000])]))
        }
        assertThrowsKestrel(.invalidArgument, ["emb (Embedding): weight embeddings", "[100000000000, 8]", "Layer.maximumTensorElements"]) {
            try self.build(self.sequential([NSNull(), 5], [("Embedding", ["name": "emb", "input_dim": 1e11, "output_dim": 8])]))
        }
        assertThrowsKestrel(.invalidArgument, ["Dense config", "\"units\"", "an integer"]) {
            try self.build(self.sequential([NSNull(), 4], [("Dense", ["units": 1e20])]))
        }
        assertThrowsKestrel(.invalidArgument, ["Conv1D config", "\"kernel_size\"", "integer"]) {
            try self.build(self.sequential([NSNull(), 8, 1], [("Conv1D", ["filters": 2, "kernel_size": [Double.infinity]])]))
        }
        assertThrowsKestrel(.invalidArgument, ["weight kernel", "overflows Int"]) {
            _ = try Dense(1 << 62)(Tensor.zeros([1, 4]))
        }
    }

    func testTheAllocationCapIsConfigurable() throws {
        let saved = Layer.maximumTensorElements
        defer { Layer.maximumTensorElements = saved }
        Layer.maximumTensorElements = 10
        assertThrowsKestrel(.invalidArgument, ["weight kernel", "[3, 4] = 12 elements", "Layer.maximumTensorElements = 10"]) {
            _ = try Dense(4)(Tensor.zeros([1, 3]))
        }
        Layer.maximumTensorElements = 12
        XCTAssertEqual(try Dense(4)(Tensor.zeros([1, 3])).shape, [1, 4])
    }

    func testCompileConfigNumbersThatInitialisersRejectThrow() {
        assertThrowsKestrel(.invalidArgument, ["SGD config", "\"momentum\"", "in [0, 1]", "2", "fix the config JSON"]) {
            _ = try Optimizers.fromKeras(className: "SGD", config: ["momentum": 2])
        }
        for schedule in ["ExponentialDecay", "CosineDecay"] {
            assertThrowsKestrel(.invalidArgument, ["\(schedule) config", "\"decay_steps\"", "a positive integer"]) {
                _ = try LearningRateSchedules.fromKeras(className: schedule, config: ["decay_steps": 0])
            }
        }
        assertThrowsKestrel(.invalidArgument, ["VarianceScaling config", "\"scale\"", "a positive number"]) {
            _ = try Initializers.fromKeras(["class_name": "VarianceScaling", "config": ["scale": -1]])
        }
    }

    // MARK: Binary headers

    /// A safetensors file: the 8-byte header length, the JSON header, the payload.
    private func safetensors(header: String, payload: Data = Data()) -> Data {
        var out = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        return out + Data(header.utf8) + payload
    }

    func testSafeTensorsShapesWhoseSizeOverflowsThrow() {
        for shape in ["[2305843009213693952]", "[4294967296, 4294967296]", "[3037000500, 3037000500, 2]"] {
            let data = safetensors(header: #"{"w": {"dtype": "F32", "shape": \#(shape), "data_offsets": [0, 0]}}"#)
            assertThrowsKestrel(.invalidFile, ["safetensors: huge.safetensors", "entry w", "more bytes than Int can count"]) {
                _ = try SafeTensors(data: data, source: "huge.safetensors")
            }
        }
        let beyond = safetensors(header: #"{"w": {"dtype": "F32", "shape": [100], "data_offsets": [0, 400]}}"#, payload: Data(count: 8))
        assertThrowsKestrel(.invalidFile, ["entry w", "[0, 400]", "8-byte data section"]) {
            _ = try SafeTensors(data: beyond, source: "short.safetensors")
        }
        var claims = safetensors(header: "{}")
        claims.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0, 0, 0, 1])
        assertThrowsKestrel(.invalidFile, ["header claims", "truncated"]) { _ = try SafeTensors(data: claims) }
    }

    func testNumPyAndIDXShapesWhoseSizeOverflowsThrow() {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var npy = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian) { npy.append(contentsOf: $0) }
        npy.append(Data(header.utf8))
        assertThrowsKestrel(.invalidFile, ["npy: huge.npy", "[4611686018427387904, 4]", "too large"]) {
            _ = try NumPyFile.tensor(from: npy, source: "huge.npy")
        }
        let idx = Data([0, 0, 0x0D, 3] + [UInt8](repeating: 0xFF, count: 12))
        assertThrowsKestrel(.invalidFile, ["idx: huge.idx", "dimensions", "too large"]) {
            _ = try IDXFile.tensor(from: idx, source: "huge.idx")
        }
    }
}
