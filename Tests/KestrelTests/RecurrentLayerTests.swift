import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// SimpleRNN / LSTM / GRU layers, Bidirectional, TimeDistributed, Embedding and Masking:
/// shapes, errors, masks, stateful batches, dropout and gradients.
final class RecurrentLayerTests: XCTestCase {
    func testTwoDimensionalBatchIsRejectedWithAHint() {
        assertThrowsMessage(["LSTM expects (samples, time, features); got [32, 100]. For one feature per step reshape to [32, 100, 1]"]) {
            _ = try LSTM(8)(Tensor.zeros([32, 100]))
        }
    }

    func testWrongInitialStateShapeNamesTheState() throws {
        let lstm = LSTM(4, name: "enc")
        let x = randomTensor([2, 5, 3])
        assertThrowsMessage(["enc", "initial state c", "[2, 4]", "[2, 5]"]) {
            _ = try lstm([x, Tensor.zeros([2, 4]), Tensor.zeros([2, 5])])
        }
        assertThrowsMessage(["GRU takes x and 1 initial state"]) {
            _ = try GRU(4)([x, Tensor.zeros([2, 4]), Tensor.zeros([2, 4])])
        }
    }

    func testUnitForgetBiasAndKerasWeightLayouts() throws {
        let lstm = LSTM(3)
        try lstm.buildIfNeeded(inputShapes: [[1, 2, 5]])
        XCTAssertEqual(lstm.weights.map(\.shape), [[5, 12], [3, 12], [12]])
        XCTAssertEqual(lstm.bias!.value.scalars, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
        let gru = GRU(3), old = GRU(3, resetAfter: false), rnn = SimpleRNN(3)
        for l in [gru, old, rnn] as [Layer] { try l.buildIfNeeded(inputShapes: [[1, 2, 5]]) }
        XCTAssertEqual(gru.weights.map(\.shape), [[5, 9], [3, 9], [2, 9]])
        XCTAssertEqual(old.weights.map(\.shape), [[5, 9], [3, 9], [9]])
        XCTAssertEqual(rnn.weights.map(\.shape), [[5, 3], [3, 3], [3]])
    }

    func testReturnSequencesAndStatesShapes() throws {
        let x = randomTensor([2, 5, 3])
        let outs = try LSTM(4, returnSequences: true, returnState: true)([x])
        XCTAssertEqual(outs.map(\.shape), [[2, 5, 4], [2, 4], [2, 4]])
        assertClose(outs[0].selecting(index: 4, alongAxis: 1), outs[1].scalars)
        let bi = try Bidirectional(GRU(4, returnSequences: true, returnState: true))([x])
        XCTAssertEqual(bi.map(\.shape), [[2, 5, 8], [2, 4], [2, 4]])
        let pair = try Bidirectional(SimpleRNN(4), mergeMode: nil)([x])
        XCTAssertEqual(pair.map(\.shape), [[2, 4], [2, 4]])
    }

    func testStatefulLayerContinuesAcrossBatches() throws {
        let x = randomTensor([2, 6, 3])
        let whole = LSTM(4)
        let full = try whole(x)
        let stateful = LSTM(4, stateful: true)
        try stateful.buildIfNeeded(inputShapes: [x.shape])
        for (p, q) in zip(stateful.weights, whole.weights) { p.value = q.value }
        _ = try stateful(x.sliced(alongAxis: 1, 0..<3))
        assertClose(try stateful(x.sliced(alongAxis: 1, 3..<6)), full.scalars, tolerance: 1e-6)
        stateful.resetStates()
        assertClose(try stateful(x.sliced(alongAxis: 1, 0..<3)), try whole(x.sliced(alongAxis: 1, 0..<3)).scalars)
        assertThrowsMessage(["stateful", "batches of 2", "resetStates"]) { _ = try stateful(randomTensor([3, 2, 3])) }
    }

    /// A padded, masked sequence gives the output and weight gradients of the unpadded one.
    func testMaskingMakesPaddingInvisible() throws {
        for make in [{ LSTM(4) as RecurrentLayer }, { GRU(4) }, { SimpleRNN(4) }] {
            let short = randomTensor([1, 3, 2], seed: 3, min: 0.1, max: 1)
            let padded = short.padded(alongAxis: 1, before: 0, after: 3)
            let model = Sequential([Masking(), make()])
            let a = try model(padded), b = try model(short)
            assertClose(a, b.scalars, tolerance: 1e-6)
            let w = model.weights.map(\.value)
            let ga = Tensor.gradients(of: a.sum(), withRespectTo: w), gb = Tensor.gradients(of: b.sum(), withRespectTo: w)
            for (p, q) in zip(ga, gb) { assertClose(p, q.scalars, tolerance: 1e-6) }
        }
    }

    func testEmbeddingMaskZeroFeedsRecurrentMask() throws {
        let ids = Tensor(shape: [2, 5], scalars: [3, 1, 4, 0, 0, 2, 7, 1, 8, 2])
        let embedding = Embedding(inputDim: 10, outputDim: 3, maskZero: true)
        XCTAssertEqual(embedding.computeMask([ids], mask: nil)?.scalars, [1, 1, 1, 0, 0, 1, 1, 1, 1, 1])
        let model = Sequential([embedding, Bidirectional(GRU(4))])
        let y = try model(ids)
        let y0 = try model(ids.sliced(alongAxis: 0, 0..<1).sliced(alongAxis: 1, 0..<3))
        assertClose(y.sliced(alongAxis: 0, 0..<1), y0.scalars, tolerance: 1e-6)
        assertThrowsMessage(["Embedding ids", "0..<10", "12.0"]) { _ = try embedding(Tensor(shape: [1, 1], scalars: [12])) }
    }

    func testDropoutOnlyWhileTraining() throws {
        let x = randomTensor([4, 5, 3])
        let plain = LSTM(4), dropped = LSTM(4, dropout: 0.5, recurrentDropout: 0.5)
        _ = try plain(x)
        try dropped.buildIfNeeded(inputShapes: [x.shape])
        for (p, q) in zip(dropped.weights, plain.weights) { p.value = q.value }
        assertClose(try dropped(x, training: false), try plain(x).scalars)
        XCTAssertNotEqual(try dropped(x, training: true).scalars, try plain(x).scalars)
    }

    func testWrappersAndMaskingGradientsMatchFiniteDifferences() throws {
        let td = TimeDistributed(Dense(3, activation: .tanh))
        let bi = Bidirectional(LSTM(3, returnSequences: true), mergeMode: .mul)
        let masking = Masking(maskValue: 0.5)
        for layer in [td, bi, masking] as [Layer] {
            let x = randomTensor([2, 4, 3], seed: 8)
            _ = try layer(x)
            assertGradientsMatch([x], tolerance: 1e-2) { v in try! layer(v[0]) }
        }
    }

    func testKerasConfigRoundTrip() throws {
        let layers: [Layer] = [LSTM(5, returnSequences: true, dropout: 0.25), GRU(3, goBackwards: true, resetAfter: false),
                               Bidirectional(SimpleRNN(2, activation: .relu), mergeMode: .ave), TimeDistributed(Dense(2)),
                               Embedding(inputDim: 7, outputDim: 2, maskZero: true), Masking(maskValue: -1)]
        for layer in layers {
            let copy = try KerasLayerRegistry.makeLayer(className: type(of: layer).kerasClassName, config: layer.kerasConfig)
            XCTAssertEqual(NSDictionary(dictionary: copy.kerasConfig), NSDictionary(dictionary: layer.kerasConfig), "\(layer.name)")
        }
    }

    func testRecurrentModelSavesAndLoads() throws {
        let model = Sequential {
            Input(shape: [4])
            Embedding(inputDim: 9, outputDim: 4, maskZero: true)
            Bidirectional(LSTM(5, returnSequences: true), mergeMode: .sum)
            TimeDistributed(Dense(3))
        }
        let ids = Tensor(shape: [2, 4], scalars: [1, 2, 3, 0, 4, 5, 6, 7])
        let y = try model(ids)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kestrel-rnn-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        let loaded = try Model.load(from: url)
        XCTAssertEqual(loaded.weights.map(\.shape), model.weights.map(\.shape))
        XCTAssertEqual(try loaded(ids), y)
    }
}
