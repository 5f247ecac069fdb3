import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class NumPyFileTests: XCTestCase {
    private let base = (0..<12).map { Float($0) }

    private func read(_ name: String) throws -> Tensor { try NumPyFile.readTensor(contentsOf: IOFixtures.url(name)) }
    private func readInts(_ name: String) throws -> IntTensor { try NumPyFile.readIntTensor(contentsOf: IOFixtures.url(name)) }

    func testEveryDtypeReadsAsFloat32() throws {
        let expected: [String: [Float]] = [
            "f4": base.map { $0 * 0.5 - 1 }, "f8": base.map { $0 * 0.25 + 0.125 },
            "i1": base.map { $0 - 6 }, "i2": base.map { $0 * 1000 - 6000 }, "i4": base.map { $0 * 100000 - 600000 },
            "u1": base.map { $0 * 20 }, "u2": base.map { $0 * 5000 },
            "b1": base.map { Int($0) % 3 == 0 ? 1 : 0 },
            "be_f4": base.map { $0 * 0.5 - 1 }, "be_i4": base.map { $0 * 100000 - 600000 },
            "v2_f4": base.map { $0 * 0.5 - 1 }, "v3_f4": base.map { $0 * 0.5 - 1 },
        ]
        for (name, values) in expected {
            let t = try read("\(name).npy")
            XCTAssertEqual(t.shape, [3, 4], name)
            XCTAssertEqual(t.scalars, values, name)
        }
        XCTAssertEqual(try read("i8.npy").scalars, base.map { Float(Double($0) * 1e12 - 6) })
        XCTAssertEqual(try read("scalar_f4.npy"), Tensor(shape: [], scalars: [3.5]))
        XCTAssertEqual(try read("empty_f4.npy").shape, [0, 3])
        XCTAssertEqual(try read("vector_f8.npy"), Tensor([-1, -0.5, 0, 0.5, 1]))
    }

    func testIntegerArraysReadExactly() throws {
        XCTAssertEqual(try readInts("i8.npy"), IntTensor(shape: [3, 4], scalars: (0..<12).map { $0 * 1_000_000_000_000 - 6 }))
        XCTAssertEqual(try readInts("i1.npy").scalars, (0..<12).map { $0 - 6 })
        XCTAssertEqual(try readInts("be_i4.npy").scalars, (0..<12).map { $0 * 100000 - 600000 })
        XCTAssertEqual(try readInts("u2.npy").scalars, (0..<12).map { $0 * 5000 })
        XCTAssertEqual(try readInts("b1.npy").scalars, (0..<12).map { $0 % 3 == 0 ? 1 : 0 })
        assertThrowsKestrel(.unsupported, ["f4.npy", "floating-point"]) { _ = try self.readInts("f4.npy") }
    }

    func testUnsupportedLayoutsAreRefusedClearly() throws {
        assertThrowsKestrel(.unsupported, ["fortran_f4.npy", "Fortran"]) { _ = try self.read("fortran_f4.npy") }
        assertThrowsKestrel(.unsupported, ["c8.npy", "<c8"]) { _ = try self.read("c8.npy") }
        assertThrowsKestrel(.invalidFile, ["magic"]) { _ = try NumPyFile.tensor(from: Data("not numpy".utf8)) }
    }

    func testWritingMatchesNumPyByteForByte() throws {
        XCTAssertEqual(NumPyFile.serialized(Tensor(shape: [3, 4], scalars: base.map { $0 * 0.5 - 1 })), try IOFixtures.data("f4.npy"))
        XCTAssertEqual(NumPyFile.serialized(Tensor(3.5)), try IOFixtures.data("scalar_f4.npy"))
        XCTAssertEqual(NumPyFile.serialized(Tensor(shape: [0, 3], scalars: [])), try IOFixtures.data("empty_f4.npy"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kestrel-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let t = randomTensor([2, 3, 5], seed: 7)
        let url = folder.appendingPathComponent("t.npy")
        try NumPyFile.write(t, to: url)
        XCTAssertEqual(try NumPyFile.readTensor(contentsOf: url), t)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["t.npy"])
    }

    func testNpzArchivesStoredAndCompressed() throws {
        for name in ["arrays.npz", "arrays_compressed.npz"] {
            let arrays = try NumPyFile.readArchive(contentsOf: IOFixtures.url(name))
            XCTAssertEqual(Set(arrays.keys), ["weights", "bias", "ids"], name)
            XCTAssertEqual(arrays["weights"], Tensor(shape: [3, 4], scalars: base.map { $0 * 0.5 - 1 }), name)
            XCTAssertEqual(arrays["bias"], Tensor([1.5, -2]), name)
            XCTAssertEqual(arrays["ids"]?.scalars, base.map { $0 * 1000 - 6000 }, name)
        }
    }

    func testMalformedHeadersAndLengths() throws {
        func npy(_ header: String, payload: [UInt8] = []) -> Data {
            Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + payload)
        }
        assertThrowsKestrel(.invalidFile, ["'shape'"]) { _ = try NumPyFile.tensor(from: npy("{'descr': '<f4', 'fortran_order': False}")) }
        assertThrowsKestrel(.invalidFile, ["needs 8 data bytes", "4 follow"]) {
            _ = try NumPyFile.tensor(from: npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", payload: [0, 0, 0, 0]))
        }
        assertThrowsKestrel(.invalidFile, ["too large"]) {
            _ = try NumPyFile.tensor(from: npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4)}"))
        }
        assertThrowsKestrel(.invalidFile, ["version 4.0"]) {
            var d = npy("{}")
            d[6] = 4
            _ = try NumPyFile.tensor(from: d)
        }
        XCTAssertEqual(try NumPyFile.tensor(from: npy("{\"descr\":\"<f4\",\"shape\":(1, ),\"fortran_order\":False}", payload: [0, 0, 0x80, 0x3F])),
                       Tensor([1]))
    }

    func testEveryTruncationThrowsAndMutationsNeverCrash() throws {
        for name in ["f4.npy", "i2.npy", "v3_f4.npy", "arrays_compressed.npz"] {
            let data = try IOFixtures.data(name)
            let parse: (Data) throws -> Void = name.hasSuffix(".npz")
                ? { _ = try NumPyFile.tensors(fromArchive: $0) } : { _ = try NumPyFile.tensor(from: $0) }
            for length in 0..<data.count {
                XCTAssertThrowsError(try parse(data.prefix(length)), "\(name) prefix of \(length) bytes")
            }
            var generator = RandomGenerator(seed: 3)
            for _ in 0..<1000 {
                do { try parse(IOFixtures.mutate(data, &generator)) } catch is KestrelError {}
            }
        }
    }
}
