import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
import Kestrel

/// The TensorBoard callback's event files read back record by record (lengths and masked
/// CRC-32C checked), with the scalars fit reported. (TensorBoard's own reader loads them
/// too: Tests/Interop/check_tensorboard_events.py.)
final class TensorBoardTests: XCTestCase {
    /// (tag, step, value) of every scalar in the one event file of `folder`.
    static func scalars(in folder: URL) throws -> [(tag: String, step: Int, value: Float)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("events.out.tfevents.") }
        XCTAssertEqual(files.count, 1, folder.path)
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(try XCTUnwrap(files.first))))
        func u32(_ i: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[i + $1]) << (8 * $1) } }
        var i = 0, found: [(String, Int, Float)] = [], sawVersion = false
        while i < bytes.count {
            let length = Int((0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[i + $1]) << (8 * UInt64($1)) })
            XCTAssertEqual(u32(i + 8), CRC32C.masked(Array(bytes[i..<i + 8])), "length CRC")
            let data = Array(bytes[i + 12..<i + 12 + length])
            XCTAssertEqual(u32(i + 12 + length), CRC32C.masked(data), "data CRC")
            i += 16 + length
            let event = try ProtobufFields(data)
            if event.strings(3) == ["brain.Event:2"] { sawVersion = true; continue }
            for summary in try event.messages(5) {
                for value in try summary.messages(1) {
                    found.append((value.strings(1)[0], event.ints(2).first ?? 0, Float(bitPattern: UInt32(value.ints(2)[0]))))
                }
            }
        }
        XCTAssertTrue(sawVersion, "the file starts with the file-version event")
        return found
    }

    func testCRC32CMatchesTheStandardCheckValue() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
    }

    func testEpochAndBatchScalarsGoToTrainAndValidationFolders() throws {
        GlobalRandom.setSeed(11)
        let model = Sequential()
        try model.add(Input(shape: [4]))
        try model.add(Dense(3, activation: .softmax))
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
        var generator = RandomGenerator(seed: 5)
        let x = Tensor.randomNormal([20, 4], generator: &generator)
        let y = Tensor((0..<20).map { Float($0 % 3) })
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let history = try model.fit(x: x, y: y, batchSize: 4, epochs: 3, validationSplit: 0.2,
                                    callbacks: [try TensorBoard(logDirectory: folder, updateFrequency: .batches(2))], verbose: .silent)
        let train = try Self.scalars(in: folder.appendingPathComponent("train"))
        for (epoch, loss) in try XCTUnwrap(history.history["loss"]).enumerated() {
            XCTAssertEqual(train.first { $0.tag == "epoch_loss" && $0.step == epoch }?.value, loss)
        }
        XCTAssertEqual(train.filter { $0.tag == "epoch_accuracy" }.count, 3)
        XCTAssertEqual(train.filter { $0.tag == "epoch_learning_rate" }.map(\.value), [0.1, 0.1, 0.1])
        // 16 training samples in batches of 4: 4 batches an epoch, 12 in all, written every 2.
        XCTAssertEqual(train.filter { $0.tag == "batch_loss" }.map(\.step), [2, 4, 6, 8, 10, 12])
        let validation = try Self.scalars(in: folder.appendingPathComponent("validation"))
        XCTAssertEqual(validation.filter { $0.tag == "epoch_loss" }.map(\.value), try XCTUnwrap(history.history["val_loss"]))
        XCTAssertFalse(validation.contains { $0.tag.hasPrefix("epoch_val_") })
    }

    func testABadFrequencyOrAnUnwritableFolderThrows() throws {
        XCTAssertThrowsError(try TensorBoard(logDirectory: URL(fileURLWithPath: "/tmp"), updateFrequency: .batches(0)))
        let callback = try TensorBoard(logDirectory: URL(fileURLWithPath: "/proc/kestrel-cannot-write-here"))
        XCTAssertThrowsError(try callback.onTrainBegin(model: Sequential())) { XCTAssertTrue("\($0)".contains("TensorBoard"), "\($0)") }
    }
}
