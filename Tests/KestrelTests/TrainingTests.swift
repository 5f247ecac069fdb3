import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// fit / evaluate / predict, callbacks and input validation on small synthetic problems.
final class TrainingTests: XCTestCase {
    /// Two Gaussian blobs per class in 2-D: linearly separable, 3 classes.
    func blobs(_ n: Int, seed: UInt64) -> (Tensor, Tensor) {
        var g = RandomGenerator(seed: seed)
        var xs: [Float] = [], ys: [Float] = []
        let centres: [(Float, Float)] = [(-2, 0), (2, 0), (0, 2.5)]
        for i in 0..<n {
            let c = i % 3
            xs += [centres[c].0 + 0.5 * g.nextNormal(), centres[c].1 + 0.5 * g.nextNormal()]
            ys.append(Float(c))
        }
        return (Tensor(shape: [n, 2], scalars: xs), Tensor(shape: [n], scalars: ys))
    }

    func makeModel() -> Sequential {
        Sequential {
            Input(shape: [2])
            Dense(16, activation: .relu)
            Dense(3)
        }
    }

    func testFitLearnsAndReportsHistory() throws {
        GlobalRandom.setSeed(3)
        let (x, y) = blobs(300, seed: 1)
        let model = makeModel()
        try model.compile(optimizer: Adam(learningRate: 0.01), loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
        let history = try model.fit(x: x, y: y, batchSize: 32, epochs: 15, validationSplit: 0.2, verbose: .silent)
        XCTAssertEqual(history.epochs, Array(0..<15))
        let loss = try XCTUnwrap(history["loss"])
        XCTAssertLessThan(loss.last!, loss.first! * 0.5)
        XCTAssertGreaterThan(try XCTUnwrap(history["val_accuracy"]).last!, 0.95)
        XCTAssertNotNil(history["val_loss"])
        let (tx, ty) = blobs(90, seed: 2)
        let scores = try model.evaluate(x: tx, y: ty)
        XCTAssertGreaterThan(scores["accuracy"]!, 0.95)
        let predictions = try model.predict(tx, batchSize: 7)
        XCTAssertEqual(predictions.shape, [90, 3])
        let accuracy = zip(predictions.argmax().scalars, ty.scalars).filter { Float($0) == $1 }.count
        XCTAssertEqual(Float(accuracy) / 90, scores["accuracy"]!, accuracy: 1e-6)
    }

    func testBatchLevelApi() throws {
        let (x, y) = blobs(30, seed: 4)
        let model = makeModel()
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
        let before = try model.testOnBatch(x: x, y: y)["loss"]!
        for _ in 0..<20 { try model.trainOnBatch(x: x, y: y) }
        XCTAssertLessThan(try model.testOnBatch(x: x, y: y)["loss"]!, before)
        XCTAssertEqual(try model.predictOnBatch(x).shape, [30, 3])
    }

    func testInvalidInputsThrowBeforeTraining() throws {
        let model = makeModel()
        let (x, y) = blobs(12, seed: 5)
        assertThrowsMessage(["not compiled", "compile"]) { try model.fit(x: x, y: y, verbose: .silent) }
        try model.compile(optimizer: Adam(), loss: SparseCategoricalCrossentropy(fromLogits: true))
        assertThrowsMessage(["12 samples", "10"]) { try model.fit(x: x, y: y.sliced(alongAxis: 0, 0..<10), verbose: .silent) }
        assertThrowsMessage(["(samples, 2)", "[12, 3]"]) { try model.fit(x: Tensor.zeros([12, 3]), y: y, verbose: .silent) }
        var bad = x
        bad[0, 0] = .nan
        assertThrowsMessage(["NaN"]) { try model.fit(x: bad, y: y, verbose: .silent) }
        var outOfRange = y
        outOfRange[3] = 7
        assertThrowsMessage(["7"]) { try model.fit(x: x, y: outOfRange, verbose: .silent) }
        let untouched = model.weights.map(\.value)
        XCTAssertEqual(untouched, model.weights.map(\.value))
    }

    func testNaNLossThrowsUnlessTerminateOnNaN() throws {
        let (x, y) = blobs(64, seed: 6)
        let model = makeModel()
        try model.compile(optimizer: SGD(learningRate: 1e30), loss: MeanSquaredError())
        let targets = Tensor.stack([y, y, y], alongAxis: 1) * 1e20
        assertThrowsMessage(["loss became", "learning rate"]) { try model.fit(x: x, y: targets, batchSize: 8, epochs: 3, verbose: .silent) }
        let model2 = makeModel()
        try model2.compile(optimizer: SGD(learningRate: 1e30), loss: MeanSquaredError())
        let stopper = TerminateOnNaN()
        try model2.fit(x: x, y: targets, batchSize: 8, epochs: 3, callbacks: [stopper], verbose: .silent)
        XCTAssertNotNil(stopper.terminatedAtBatch)
    }

    func testEarlyStoppingRestoresBestWeights() throws {
        GlobalRandom.setSeed(8)
        let (x, y) = blobs(120, seed: 7)
        let model = makeModel()
        try model.compile(optimizer: SGD(learningRate: 0.5), loss: SparseCategoricalCrossentropy(fromLogits: true))
        // A monitor that never improves after epoch 0 stops at epoch `patience`.
        let stop = EarlyStopping(monitor: "loss", minDelta: 100, patience: 2, restoreBestWeights: true)
        var weightsAfterFirstEpoch: [Tensor] = []
        final class Snapshot: Callback {
            let action: (Model, Int) -> Void
            init(_ action: @escaping (Model, Int) -> Void) { self.action = action }
            func onEpochEnd(model: Model, epoch: Int, logs: [String: Float]) throws { action(model, epoch) }
        }
        let snap = Snapshot { m, e in if e == 0 { weightsAfterFirstEpoch = m.weights.map(\.value) } }
        let history = try model.fit(x: x, y: y, epochs: 10, callbacks: [snap, stop], verbose: .silent)
        XCTAssertEqual(history.epochs.count, 3)
        XCTAssertEqual(stop.stoppedEpoch, 2)
        XCTAssertEqual(model.weights.map(\.value), weightsAfterFirstEpoch)
    }

    func testReduceLROnPlateauAndScheduler() throws {
        let (x, y) = blobs(30, seed: 9)
        let model = makeModel()
        let optimizer = try SGD(learningRate: 0.1)
        try model.compile(optimizer: optimizer, loss: SparseCategoricalCrossentropy(fromLogits: true))
        try model.fit(x: x, y: y, epochs: 3, callbacks: [ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 1, minDelta: 100)], verbose: .silent)
        XCTAssertEqual(optimizer.learningRate, 0.025, accuracy: 1e-7)
        try model.fit(x: x, y: y, epochs: 2, callbacks: [LearningRateScheduler { epoch, _ in 0.01 * Float(epoch + 1) }], verbose: .silent)
        XCTAssertEqual(optimizer.learningRate, 0.05, accuracy: 1e-7, "epochs continue from 3, so the last is epoch index 4")
    }

    func testCSVLoggerAndCheckpoint() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kestrel-cb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (x, y) = blobs(60, seed: 10)
        let model = makeModel()
        try model.compile(optimizer: Adam(learningRate: 0.01), loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
        let csv = dir.appendingPathComponent("log.csv")
        let best = dir.appendingPathComponent("best.safetensors")
        try model.fit(x: x, y: y, epochs: 4, validationSplit: 0.25,
                      callbacks: [CSVLogger(csv), ModelCheckpoint(best.path, monitor: "val_loss", saveBestOnly: true)], verbose: .silent)
        let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, "epoch,accuracy,loss,val_accuracy,val_loss")
        XCTAssertEqual(lines.count, 5)
        XCTAssertTrue(FileManager.default.fileExists(atPath: best.path))
        XCTAssertNoThrow(try Model.load(from: best))
    }

    func testSummaryMatchesKerasLayout() throws {
        let model = Sequential(name: "sequential_test") {
            Input(shape: [784])
            Dense(64, activation: .relu, name: "hidden")
            Dense(10, name: "logits")
        }
        let text = try model.summary()
        let expected = """
        Model: "sequential_test"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
        ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
        │ hidden (Dense)                  │ (None, 64)             │        50,240 │
        ├─────────────────────────────────┼────────────────────────┼───────────────┤
        │ logits (Dense)                  │ (None, 10)             │           650 │
        └─────────────────────────────────┴────────────────────────┴───────────────┘
         Total params: 50,890 (198.79 KB)
         Trainable params: 50,890 (198.79 KB)
         Non-trainable params: 0 (0.00 B)
        """
        XCTAssertEqual(text, expected)
        assertThrowsMessage(["not built"]) { _ = try Sequential([Dense(2)]).summary() }
    }
}
