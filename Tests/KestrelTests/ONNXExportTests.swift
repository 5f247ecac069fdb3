import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
import Kestrel

/// The ONNX files Kestrel writes, read back with a small protobuf reader: opset, graph
/// inputs and outputs, nodes and weights. (That ONNX Runtime runs them and matches Kestrel
/// is checked in the reference venv: Tests/Interop/check_onnx_export.py.)
final class ONNXExportTests: XCTestCase {
    private func export(_ model: Model) throws -> (model: ProtobufFields, graph: ProtobufFields) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).onnx")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        let decoded = try ProtobufFields([UInt8](try Data(contentsOf: url)))
        return (decoded, try XCTUnwrap(try decoded.messages(7).first))
    }

    /// Each graph input's or output's name and dims (nil for a named, dynamic dim).
    private func valueInfos(_ graph: ProtobufFields, _ field: Int) throws -> [(String, [Int?])] {
        try graph.messages(field).map { info in
            let tensorType = try XCTUnwrap(try info.messages(2).first?.messages(1).first)
            let dims = try XCTUnwrap(try tensorType.messages(2).first).messages(1)
            return (info.strings(1).first ?? "", dims.map { $0.ints(1).first })
        }
    }

    func testAConvolutionalModelExportsTransposedConvolutionsAndFoldedNormalization() throws {
        GlobalRandom.setSeed(3)
        let model = Sequential(name: "small_cnn")
        try model.add(Input(shape: [8, 8, 2]))
        try model.add(Conv2D(4, kernelSize: (3, 3), padding: .same, activation: .relu))
        try model.add(BatchNormalization())
        try model.add(MaxPooling2D(poolSize: (2, 2)))
        try model.add(Flatten())
        try model.add(Dropout(0.5))
        try model.add(Dense(3, activation: .softmax))
        let (decoded, graph) = try export(model)
        XCTAssertEqual(decoded.ints(1), [8], "IR version")
        let opset = try XCTUnwrap(try decoded.messages(8).first)
        XCTAssertEqual(opset.ints(2), [17])
        let ops = try graph.messages(1).map { $0.strings(4).first ?? "" }
        XCTAssertEqual(ops, ["Transpose", "Conv", "Transpose", "Relu", "Mul", "Add", "Transpose", "MaxPool", "Transpose",
                             "Flatten", "MatMul", "Add", "Softmax", "Identity"])
        let inputs = try valueInfos(graph, 11), outputs = try valueInfos(graph, 12)
        XCTAssertEqual(inputs.count, 1)
        XCTAssertEqual(inputs[0].1, [nil, 8, 8, 2])
        XCTAssertEqual(outputs[0].1, [nil, 3])
        // Conv weight (out, in, kh, kw), bias, BN scale and shift, Dense kernel and bias, constants.
        let dims = try graph.messages(5).map { $0.ints(1) }
        XCTAssertTrue(dims.contains([4, 2, 3, 3]), "\(dims)")
        XCTAssertTrue(dims.contains([64, 3]), "\(dims)")
        // Every node input is a graph input, a weight or an earlier node's output.
        var known = Set(inputs.map(\.0) + (try graph.messages(5).flatMap { $0.strings(8) }))
        for node in try graph.messages(1) {
            for input in node.strings(1) where !input.isEmpty { XCTAssertTrue(known.contains(input), "\(input) used before it is made") }
            for output in node.strings(2) { XCTAssertTrue(known.insert(output).inserted, "\(output) made twice") }
        }
    }

    func testRecurrentLayersBecomeONNXRecurrentOpsWithKerasGateOrder() throws {
        GlobalRandom.setSeed(4)
        let model = Sequential(name: "tagger")
        try model.add(Input(shape: [nil, 3]))
        try model.add(Bidirectional(GRU(5, returnSequences: true)))
        try model.add(LSTM(4))
        let (_, graph) = try export(model)
        let nodes = try graph.messages(1)
        let gru = try XCTUnwrap(nodes.first { $0.strings(4) == ["GRU"] })
        let attributes = try gru.messages(5)
        let direction = try XCTUnwrap(attributes.first { $0.strings(1) == ["direction"] })
        XCTAssertEqual(direction.strings(4), ["bidirectional"])
        XCTAssertEqual(attributes.first { $0.strings(1) == ["linear_before_reset"] }?.ints(3), [1], "Keras 3's reset_after")
        let weights = try graph.messages(5)
        XCTAssertTrue(weights.contains { $0.ints(1) == [2, 15, 3] }, "GRU W (directions, 3·units, features)")
        XCTAssertTrue(weights.contains { $0.ints(1) == [1, 16, 10] }, "LSTM W (1, 4·units, 2·5 features)")
        // The LSTM's first gate block is Keras's input gate, its second Keras's output gate.
        let lstm = model.layers.compactMap { $0 as? LSTM }[0]
        let w = try XCTUnwrap(weights.first { $0.ints(1) == [1, 16, 10] })
        let raw: [UInt8] = (w.fields[9] ?? []).compactMap { if case .bytes(let b) = $0 { b } else { nil } }.first ?? []
        let values = stride(from: 0, to: raw.count, by: 4).map { Float(bitPattern: UInt32(raw[$0]) | UInt32(raw[$0 + 1]) << 8 | UInt32(raw[$0 + 2]) << 16 | UInt32(raw[$0 + 3]) << 24) }
        let kernel = lstm.kernel!.value.scalars  // (10, 16), columns i f c o
        XCTAssertEqual(values[0], kernel[0], "ONNX row 0 = Keras column 0 (input gate)")
        XCTAssertEqual(values[4 * 10], kernel[12], "ONNX rows 4… = Keras columns 12… (output gate)")
        XCTAssertEqual(try valueInfos(graph, 11)[0].1, [nil, nil, 3], "the unknown length stays dynamic")
    }

    func testLayersWithoutAnONNXFormThrowNamingTheLayer() throws {
        let model = Sequential()
        try model.add(Input(shape: [5, 3]))
        try model.add(Masking())
        try model.add(LSTM(2))
        XCTAssertThrowsError(try export(model)) { XCTAssertTrue("\($0)".contains("Masking"), "\($0)") }
        let stateful = Sequential()
        try stateful.add(Input(shape: [5, 3]))
        try stateful.add(LSTM(2, stateful: true))
        XCTAssertThrowsError(try export(stateful)) { XCTAssertTrue("\($0)".contains("stateful"), "\($0)") }
    }
}
