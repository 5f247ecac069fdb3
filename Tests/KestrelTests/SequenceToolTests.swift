import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN

/// The sequence data tools against Keras 3's own outputs (`Fixtures/keras_sequence_tools`,
/// made by `make_sequence_tool_fixtures.py`): windows of a series, padding, one-hot
/// targets, text vectorization and string lookup, including Keras's vocabulary order.
final class SequenceToolTests: XCTestCase {
    private var fixture: [String: Any] = [:]

    override func setUpWithError() throws {
        let data = try Data(contentsOf: IOFixtures.url("keras_sequence_tools/sequence_tools.json"))
        fixture = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func floats(_ any: Any?) -> [Float] {
        if let n = any as? NSNumber { return [n.floatValue] }
        return (any as? [Any] ?? []).flatMap(floats)
    }

    func testTimeseriesWindowsMatchKeras() throws {
        let data = Tensor(shape: [20, 2], scalars: (0..<40).map(Float.init))
        let targets = Tensor((100..<120).map(Float.init))
        let cases = try XCTUnwrap(fixture["timeseries"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 4)
        for c in cases {
            let k = try XCTUnwrap(c["kwargs"] as? [String: Any])
            let dataset = try TimeseriesDataset(data: data, targets: c["with_targets"] as? Bool == true ? targets : nil,
                                                sequenceLength: k["sequence_length"] as! Int,
                                                sequenceStride: k["sequence_stride"] as? Int ?? 1,
                                                samplingRate: k["sampling_rate"] as? Int ?? 1,
                                                batchSize: k["batch_size"] as? Int ?? 128,
                                                startIndex: k["start_index"] as? Int, endIndex: k["end_index"] as? Int)
            let expected = try XCTUnwrap(c["batches"] as? [[String: Any]])
            let batches = dataset.batches
            XCTAssertEqual(batches.count, expected.count, "\(k)")
            for (got, want) in zip(batches, expected) {
                XCTAssertEqual(got.x.scalars, floats(want["x"]), "\(k) windows")
                XCTAssertEqual(got.y?.scalars ?? [], floats(want["y"]), "\(k) targets")
            }
        }
        // Shuffling keeps each window with its target and is repeatable with a seed.
        let a = try TimeseriesDataset(data: data, targets: targets, sequenceLength: 3, shuffle: true, seed: 5)
        let b = try TimeseriesDataset(data: data, targets: targets, sequenceLength: 3, shuffle: true, seed: 5)
        XCTAssertEqual(a.inputs, b.inputs)
        for i in 0..<a.inputs.shape[0] {
            XCTAssertEqual(a.inputs.scalars[i * 6] / 2 + 100, a.targets!.scalars[i])
        }
        assertThrowsKestrel(.invalidArgument, ["TimeseriesDataset", "samplingRate must be in 1..<20", "got 0"]) {
            _ = try TimeseriesDataset(data: data, sequenceLength: 3, samplingRate: 0)
        }
        assertThrowsKestrel(.invalidArgument, ["no window of 30 steps"]) { _ = try TimeseriesDataset(data: data, sequenceLength: 30) }
    }

    func testPaddingAndOneHotMatchKeras() throws {
        let pad = try XCTUnwrap(fixture["pad_sequences"] as? [String: Any])
        let sequences = try XCTUnwrap(pad["sequences"] as? [[Int]]).map { $0.map(Float.init) }
        for c in try XCTUnwrap(pad["cases"] as? [[String: Any]]) {
            let k = try XCTUnwrap(c["kwargs"] as? [String: Any])
            let out = try padSequences(sequences, maxLength: k["maxlen"] as? Int,
                                       padding: SequenceEnd(rawValue: k["padding"] as? String ?? "pre")!,
                                       truncating: SequenceEnd(rawValue: k["truncating"] as? String ?? "pre")!,
                                       value: (k["value"] as? NSNumber)?.floatValue ?? 0)
            XCTAssertEqual(out.scalars, floats(c["out"]), "\(k)")
        }
        for c in try XCTUnwrap(fixture["to_categorical"] as? [[String: Any]]) {
            let y = c["y"] as? [Int] != nil ? Tensor(floats(c["y"])) : Tensor(shape: [(c["y"] as! [Any]).count, ((c["y"] as! [[Int]])[0]).count], scalars: floats(c["y"]))
            let out = try toCategorical(y, numClasses: c["num_classes"] as? Int)
            XCTAssertEqual(out.scalars, floats(c["out"]))
        }
        assertThrowsKestrel(.invalidData, ["toCategorical", "class id 3 is not below numClasses 2"]) { _ = try toCategorical(Tensor([0, 3]), numClasses: 2) }
    }

    func testTextVectorizationMatchesKeras() throws {
        let text = try XCTUnwrap(fixture["text_vectorization"] as? [String: Any])
        let texts = try XCTUnwrap(text["texts"] as? [String])
        for c in try XCTUnwrap(text["cases"] as? [[String: Any]]) {
            let k = try XCTUnwrap(c["kwargs"] as? [String: Any])
            let standardize: TextVectorization.Standardize = k.keys.contains("standardize")
                ? (k["standardize"] as? String).flatMap(TextVectorization.Standardize.init) ?? .none : .lowerAndStripPunctuation
            let vectorizer = try TextVectorization(maxTokens: k["max_tokens"] as? Int, standardize: standardize,
                                                   split: TextVectorization.Split(rawValue: k["split"] as? String ?? "whitespace")!,
                                                   outputSequenceLength: k["output_sequence_length"] as? Int)
            try vectorizer.adapt(texts)
            XCTAssertEqual(vectorizer.vocabulary, c["vocabulary"] as? [String], "\(k) vocabulary")
            XCTAssertEqual(try vectorizer(try XCTUnwrap(c["probe"] as? [String])).scalars, floats(c["ids"]), "\(k) ids")
        }
    }

    func testStringLookupMatchesKeras() throws {
        let lookup = try XCTUnwrap(fixture["string_lookup"] as? [String: Any])
        let tokens = try XCTUnwrap(lookup["tokens"] as? [[String]])
        for c in try XCTUnwrap(lookup["cases"] as? [[String: Any]]) {
            let k = try XCTUnwrap(c["kwargs"] as? [String: Any])
            let layer = try StringLookup(maxTokens: k["max_tokens"] as? Int, numOOVIndices: k["num_oov_indices"] as? Int ?? 1,
                                         maskToken: k["mask_token"] as? String)
            try layer.adapt(tokens)
            XCTAssertEqual(layer.vocabulary, c["vocabulary"] as? [String], "\(k) vocabulary")
            XCTAssertEqual(try layer(try XCTUnwrap(c["probe"] as? [[String]])).scalars, floats(c["ids"]), "\(k) ids")
        }
        let strict = try StringLookup(numOOVIndices: 0, vocabulary: ["a"])
        assertThrowsKestrel(.invalidData, ["\"b\" is not in the vocabulary"]) { _ = try strict([["b"]]) }
    }
}
