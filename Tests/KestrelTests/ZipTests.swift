import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class ZipTests: XCTestCase {
    func testStoredDeflatedAndEmptyEntriesFromPython() throws {
        let zip = try ZipArchive(contentsOf: IOFixtures.url("archive.zip"))
        XCTAssertEqual(zip.entryNames, ["stored.txt", "deflated.txt", "dir/empty.bin"])
        let small = try IOFixtures.data("small.txt")
        XCTAssertEqual(try zip.data(for: "stored.txt"), small)
        XCTAssertEqual(try zip.data(for: "deflated.txt"), small)
        XCTAssertEqual(try zip.data(for: "dir/empty.bin"), Data())
        assertThrowsKestrel(.invalidArgument, ["no entry named nope.txt", "stored.txt"]) { _ = try zip.data(for: "nope.txt") }
    }

    func testZip64SizesAndOffsets() throws {
        let zip = try ZipArchive(contentsOf: IOFixtures.url("zip64.zip"))
        XCTAssertEqual(zip.entryNames, ["big.txt"])
        XCTAssertEqual(try zip.data(for: "big.txt"), try IOFixtures.data("small.txt"))
    }

    func testCorruptionIsDetected() throws {
        var bytes = [UInt8](try IOFixtures.data("archive.zip"))
        let small = [UInt8](try IOFixtures.data("small.txt"))
        let stored = try XCTUnwrap(bytes.firstRange(of: small))
        bytes[stored.lowerBound + 10] ^= 0x20
        let zip = try ZipArchive(data: Data(bytes), source: "flipped.zip")
        assertThrowsKestrel(.invalidFile, ["flipped.zip", "stored.txt", "CRC-32"]) { _ = try zip.data(for: "stored.txt") }
        assertThrowsKestrel(.invalidFile, ["end-of-central-directory"]) { _ = try ZipArchive(data: Data(small)) }
        assertThrowsKestrel(.invalidFile, ["shorter than an empty archive"]) { _ = try ZipArchive(data: Data([0x50, 0x4B])) }
    }

    /// Opens an archive and reads every entry; any outcome but a crash is acceptable.
    private func readEverything(_ data: Data) throws -> [String: Data] {
        let zip = try ZipArchive(data: data)
        var contents: [String: Data] = [:]
        for name in zip.entryNames { contents[name] = try zip.data(for: name) }
        return contents
    }

    func testEveryTruncationThrows() throws {
        for name in ["archive.zip", "zip64.zip"] {
            let data = try IOFixtures.data(name)
            for length in 0..<data.count {
                XCTAssertThrowsError(try readEverything(data.prefix(length)), "\(name) prefix of \(length) bytes")
            }
        }
    }

    func testRandomMutationsThrowOrReadIntactEntries() throws {
        var generator = RandomGenerator(seed: 1989)
        let small = try IOFixtures.data("small.txt")
        for name in ["archive.zip", "zip64.zip"] {
            let data = try IOFixtures.data(name)
            for _ in 0..<1500 {
                do {
                    let contents = try readEverything(IOFixtures.mutate(data, &generator))
                    for (entry, content) in contents where entry.hasSuffix(".txt") {
                        XCTAssertEqual(content, small, entry)
                    }
                } catch is KestrelError {}
            }
        }
    }
}
