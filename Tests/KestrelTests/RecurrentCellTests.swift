import XCTest
@testable import KestrelCore
@testable import KestrelNN
import Kestrel

/// A user-defined cell that steps another cell: forces `RNN` onto its step-by-step tape path,
/// so the built-in cells' readable steps can be compared with the fused kernels.
final class SteppedCell: Layer, RecurrentCell {
    let inner: RecurrentCell
    init(_ inner: RecurrentCell) {
        self.inner = inner
        super.init(name: nil)
    }
    override var sublayers: [Layer] { [inner] }
    var stateSizes: [Int] { inner.stateSizes }
    var outputSize: Int { inner.outputSize }
    override func build(inputShapes: [[Int]]) throws { try inner.buildIfNeeded(inputShapes: inputShapes) }
    func step(_ x: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        try inner.step(x, states: states, training: training)
    }
}

/// A cell written by a user from tensor ops: h' = tanh(x·W + (h ⊙ d)·U) with a learned
/// per-unit decay d, its own weights and no fused kernel.
final class DecayCell: Layer, RecurrentCell {
    let units: Int
    var w: Parameter?, u: Parameter?, d: Parameter?
    init(_ units: Int) {
        self.units = units
        super.init(name: nil)
    }
    var stateSizes: [Int] { [units] }
    var outputSize: Int { units }
    override func build(inputShapes: [[Int]]) throws {
        w = try addWeight("kernel", shape: [inputShapes[0][1], units], initializer: GlorotUniform())
        u = try addWeight("recurrent_kernel", shape: [units, units], initializer: Orthogonal())
        d = try addWeight("decay", shape: [units], initializer: Ones())
    }
    func step(_ x: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        let h = tanh(matmul(x, w!.value) + matmul(states[0] * d!.value, u!.value))
        return (h, [h])
    }
}

final class RecurrentCellTests: XCTestCase {
    func builtInCells() -> [KerasRecurrentCell] {
        [SimpleRNNCell(4), LSTMCell(4), GRUCell(4), GRUCell(4, resetAfter: false)]
    }

    /// Random weights in place of the initial ones, so biases matter.
    func randomize(_ layer: Layer, seed: UInt64) {
        for (k, p) in layer.weights.enumerated() { p.value = randomTensor(p.shape, seed: seed + UInt64(k), min: -0.6, max: 0.6) }
    }

    /// RNN(cell) on the fused kernels equals the cell's readable step applied over time:
    /// outputs, final states and the gradients of x, the initial states and every weight,
    /// with a mask, backwards, and given initial states.
    func testFusedKernelsMatchTheCellsReadableStep() throws {
        let x = randomTensor([5, 6, 3], seed: 3)
        var m = [Float](repeating: 1, count: 30)
        for row in 0..<5 { for time in 0..<6 where time >= 6 - row { m[row * 6 + time] = 0 } }
        let mask = Tensor(shape: [5, 6], scalars: m)
        for cell in builtInCells() {
            for (backwards, masked) in [(false, false), (true, false), (false, true), (true, true)] {
                let fused = RNN(cell, returnSequences: true, returnState: true, goBackwards: backwards)
                let stepped = RNN(SteppedCell(cell), returnSequences: true, returnState: true, goBackwards: backwards)
                let states = cell.stateSizes.enumerated().map { randomTensor([5, $1], seed: 40 + UInt64($0)) }
                _ = try fused([x] + states)
                randomize(cell, seed: 11)
                let vars = [x.requiringGradient()] + states.map { $0.requiringGradient() }
                let a = try fused(vars, mask: masked ? mask : nil), b = try stepped(vars, mask: masked ? mask : nil)
                let what = "\(type(of: cell)) \(cell.cellKind) backwards \(backwards) masked \(masked)"
                for (p, q) in zip(a, b) { assertClose(p, q.scalars, shape: q.shape, tolerance: 1e-5, file: #filePath, line: #line) }
                let seeds = a.enumerated().map { randomTensor($1.shape, seed: 60 + UInt64($0)) }
                func loss(_ outs: [Tensor]) -> Tensor { zip(outs, seeds).map { ($0 * $1).sum() }.reduce(Tensor(0), +) }
                let wrt = vars + cell.weights.map(\.value)
                let ga = Tensor.gradients(of: loss(try fused(vars, mask: masked ? mask : nil)), withRespectTo: wrt)
                let gb = Tensor.gradients(of: loss(try stepped(vars, mask: masked ? mask : nil)), withRespectTo: wrt)
                XCTAssertEqual(ga.count, gb.count, what)
                for (p, q) in zip(ga, gb) { assertClose(p, q.scalars, shape: q.shape, tolerance: 1e-4) }
            }
        }
    }

    /// RNN(LSTMCell) and RNN(GRUCell) with the same weights compute what the LSTM and GRU
    /// layers compute.
    func testRNNOfABuiltInCellEqualsTheLayer() throws {
        let x = randomTensor([3, 7, 2], seed: 5)
        let pairs: [(Layer, Layer)] = [(RNN(LSTMCell(5), returnSequences: true), LSTM(5, returnSequences: true)),
                                       (RNN(GRUCell(5, resetAfter: false)), GRU(5, resetAfter: false)),
                                       (RNN(SimpleRNNCell(5), goBackwards: true), SimpleRNN(5, goBackwards: true))]
        for (rnn, layer) in pairs {
            _ = try rnn(x)
            _ = try layer(x)
            randomize(rnn, seed: 21)
            for (p, q) in zip(layer.weights, rnn.weights) { p.value = q.value }
            let want = try layer(x)
            assertClose(try rnn(x), want.scalars, shape: want.shape, tolerance: 1e-6)
        }
    }

    /// A user's cell trains through RNN: the input gradients match finite differences, the
    /// weights get gradients, and a model with the cell learns a toy task.
    func testUserDefinedCellGradientsAndTraining() throws {
        let cell = DecayCell(3)
        let rnn = RNN(cell, returnSequences: true)
        let x = randomTensor([2, 4, 2], seed: 8)
        _ = try rnn(x)
        assertGradientsMatch([x]) { t in try! rnn(t[0]) }
        // Weight gradients come from the tape too (assigning a weight detaches it, so they
        // are checked by training below and, for built-in cells, against the fused kernels).
        let grads = Tensor.gradients(of: try rnn(x).sum(), withRespectTo: cell.weights.map(\.value))
        XCTAssertTrue(grads.allSatisfy { $0.scalars.contains { $0 != 0 } })

        GlobalRandom.setSeed(3)
        let model = Sequential { Input(shape: [5, 1]); RNN(DecayCell(8)); Dense(1) }
        try model.compile(optimizer: Adam(learningRate: 0.05), loss: MeanSquaredError())
        let inputs = randomTensor([64, 5, 1], seed: 9)
        let targets = inputs.sum(alongAxes: [1, 2]).reshaped([64, 1])
        let before = try model.evaluate(x: inputs, y: targets, verbose: .silent)["loss"]!
        _ = try model.fit(x: inputs, y: targets, batchSize: 16, epochs: 30, verbose: .silent)
        let after = try model.evaluate(x: inputs, y: targets, verbose: .silent)["loss"]!
        XCTAssertLessThan(after, before * 0.2, "loss \(before) → \(after)")
    }

    /// StackedRNNCells of two LSTM cells equals two LSTM layers stacked with returnSequences.
    func testStackedCellsEqualStackedLayers() throws {
        let x = randomTensor([4, 5, 3], seed: 12)
        let stacked = RNN(StackedRNNCells([LSTMCell(4), GRUCell(2)]), returnSequences: true, returnState: true)
        let first = LSTM(4, returnSequences: true), second = GRU(2, returnSequences: true, returnState: true)
        _ = try stacked(x)
        _ = try second(try first(x))
        randomize(stacked, seed: 30)
        for (p, q) in zip(first.weights + second.weights, stacked.weights) { p.value = q.value }
        let got = try stacked([x]), want = try second([try first(x)])
        XCTAssertEqual(got.count, 1 + 3, "output, LSTM h and c, GRU h")
        assertClose(got[0], want[0].scalars, shape: want[0].shape, tolerance: 1e-5)
        assertClose(got[3], want[1].scalars, shape: want[1].shape, tolerance: 1e-5)
    }

    /// RNN and cell configs round-trip through Keras's keys; the registry builds them.
    func testKerasConfigRoundTrip() throws {
        for layer in [RNN(GRUCell(6, resetAfter: false), returnSequences: true, goBackwards: true, name: "rnn_gru"),
                      RNN(StackedRNNCells([SimpleRNNCell(3), LSTMCell(2)]), returnState: true, name: "rnn_stack")] {
            let config = layer.kerasConfig
            let rebuilt = try KerasLayerRegistry.makeLayer(className: "RNN", config: config)
            let a = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
            let b = try JSONSerialization.data(withJSONObject: rebuilt.kerasConfig, options: [.sortedKeys])
            XCTAssertEqual(String(decoding: a, as: UTF8.self), String(decoding: b, as: UTF8.self))
        }
        assertThrowsKestrel(.invalidArgument, ["RNN", "cell"]) {
            _ = try KerasLayerRegistry.makeLayer(className: "RNN", config: ["cell": ["class_name": "Dense", "config": ["units": 2]]])
        }
    }

    /// A wrong state count or a cell step returning the wrong shape is an error naming both.
    func testBadStatesAndStepsThrow() throws {
        let rnn = RNN(LSTMCell(3))
        let x = randomTensor([2, 4, 1])
        assertThrowsKestrel(.invalidArgument, ["2 state", "1 initial"]) { _ = try rnn([x, Tensor.zeros([2, 3])]) }
        assertThrowsKestrel(.shapeMismatch, ["initial state 1", "[2, 3]"]) { _ = try rnn([x, Tensor.zeros([2, 3]), Tensor.zeros([2, 4])]) }
        assertThrowsKestrel(.shapeMismatch, ["(samples, time, features)"]) { _ = try RNN(GRUCell(2))(randomTensor([2, 3])) }
    }
}
