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
    /// One decoded protobuf message: field number → values (integers, or bytes for
    /// length-delimited fields, or the bit pattern of fixed 32-bit ones).
    struct Message {
        var fields: [Int: [Value]] = [:]
        enum Value { case int(Int), bytes([UInt8]) }

        init(_ bytes: [UInt8]) throws {
            var i = 0
            func varint() throws -> UInt64 {
                var v: UInt64 = 0, shift: UInt64 = 0
                while true {
                    guard i < bytes.count, shift < 64 else { throw KestrelError(.invalidFile, "bad varint") }
                    let b = bytes[i]; i += 1
                    v |= UInt64(b & 0x7F) << shift
                    if b < 0x80 { return v }
                    shift += 7
                }
            }
            while i < bytes.count {
                let key = try varint()
                let field = Int(key >> 3)
                switch key & 7 {
                case 0: fields[field, default: []].append(.int(Int(Int64(bitPattern: try varint()))))
                case 2:
                    let n = Int(try varint())
                    guard i + n <= bytes.count else { throw KestrelError(.invalidFile, "truncated field") }
                    fields[field, default: []].append(.bytes(Array(bytes[i..<i + n]))); i += n
                case 5:
                    guard i + 4 <= bytes.count else { throw KestrelError(.invalidFile, "truncated float") }
                    fields[field, default: []].append(.int(Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24)); i += 4
                default: throw KestrelError(.invalidFile, "wire type \(key & 7)")
                }
            }
        }

        func ints(_ f: Int) -> [Int] { (fields[f] ?? []).compactMap { if case .int(let v) = $0 { v } else { nil } } }
        func strings(_ f: Int) -> [String] { (fields[f] ?? []).compactMap { if case .bytes(let b) = $0 { String(decoding: b, as: UTF8.self) } else { nil } } }
        func messages(_ f: Int) throws -> [Message] {
            try (fields[f] ?? []).compactMap { if case .bytes(let b) = $0 { try Message(b) } else { nil } }
        }
    }

    private func export(_ model: Model) throws -> (model: Message, graph: Message) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).onnx")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        let decoded = try Message([UInt8](try Data(contentsOf: url)))
        return (decoded, try XCTUnwrap(try decoded.messages(7).first))
    }

    /// Each graph input's or output's name and dims (nil for a named, dynamic dim).
    private func valueInfos(_ graph: Message, _ field: Int) throws -> [(String, [Int?])] {
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
