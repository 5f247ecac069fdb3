import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

final class InflateTests: XCTestCase {
    func testCRC32MatchesTheStandardCheckValue() {
        XCTAssertEqual(CRC32.checksum(Data("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum(Data()), 0)
        let whole = Data((0..<1000).map { UInt8($0 % 251) })
        let first = CRC32.checksum(whole.prefix(333))
        let continued = whole.suffix(from: 333).withUnsafeBytes { CRC32.checksum($0, initial: first) }
        XCTAssertEqual(continued, CRC32.checksum(whole))
    }

    func testEveryBlockTypeInflatesToTheOriginal() throws {
        let corpus = try IOFixtures.data("corpus.bin")
        let firstBlockType = ["stored": 0, "fixed": 1, "dynamic": 2, "dynamic_small_blocks": 2]
        for name in ["stored", "fixed", "dynamic", "dynamic_small_blocks", "huffman_only", "rle", "flushed"] {
            let stream = try IOFixtures.data("\(name).deflate")
            if let type = firstBlockType[name] {
                XCTAssertEqual(Int(stream[stream.startIndex] >> 1) & 3, type, name)
            }
            XCTAssertEqual(try Inflate.decompress(stream), corpus, name)
        }
        XCTAssertEqual(try Inflate.decompress(try IOFixtures.data("empty.deflate")), Data())
    }

    func testGzipFilesWrittenByPython() throws {
        XCTAssertEqual(try Gzip.decompress(contentsOf: IOFixtures.url("corpus.bin.gz")), try IOFixtures.data("corpus.bin"))
        XCTAssertEqual(try Gzip.decompress(contentsOf: IOFixtures.url("named.txt.gz")),
                       Data(String(repeating: "hello from a named member\n", count: 20).utf8))
        let small = try IOFixtures.data("small.txt")
        for name in ["small.txt.gz", "all_flags.txt.gz", "multi_member.txt.gz"] {
            XCTAssertEqual(try Gzip.decompress(contentsOf: IOFixtures.url(name)), small, name)
        }
        XCTAssertTrue(Gzip.isGzip(try IOFixtures.data("small.txt.gz")))
        XCTAssertFalse(Gzip.isGzip(small))
    }

    func testMalformedDeflateStreamsSayWhatIsWrong() throws {
        assertThrowsKestrel(.invalidFile, ["reserved"]) { _ = try Inflate.decompress(Data([0x07])) }
        assertThrowsKestrel(.invalidFile, ["complement"]) { _ = try Inflate.decompress(Data([0x01, 0x05, 0x00, 0x00, 0x00])) }
        assertThrowsKestrel(.invalidFile, ["truncated"]) { _ = try Inflate.decompress(Data([0x01, 0x05, 0x00, 0xFA, 0xFF, 0x61])) }
        assertThrowsKestrel(.invalidFile, ["at most 286"]) { _ = try Inflate.decompress(Data([0xF5, 0xFF, 0xFF, 0xFF])) }
        assertThrowsKestrel(.invalidFile, ["truncated"]) { _ = try Inflate.decompress(Data()) }
        // A non-final stored block with nothing after it.
        assertThrowsKestrel(.invalidFile, ["truncated"]) { _ = try Inflate.decompress(Data([0x00, 0x00, 0x00, 0xFF, 0xFF])) }
        // Back-references into a preset dictionary reach before the start of the output.
        assertThrowsKestrel(.invalidFile, ["back-reference"]) {
            _ = try Inflate.decompress(try IOFixtures.data("needs_dictionary.deflate"))
        }
    }

    func testGzipHeaderAndTrailerErrors() throws {
        let gz = [UInt8](try IOFixtures.data("small.txt.gz"))
        func changed(_ edit: (inout [UInt8]) -> Void) -> Data {
            var copy = gz
            edit(&copy)
            return Data(copy)
        }
        assertThrowsKestrel(.invalidFile, ["magic"]) { _ = try Gzip.decompress(changed { $0[0] = 0 }) }
        assertThrowsKestrel(.invalidFile, ["compression method 9"]) { _ = try Gzip.decompress(changed { $0[2] = 9 }) }
        assertThrowsKestrel(.invalidFile, ["reserved header flags"]) { _ = try Gzip.decompress(changed { $0[3] = 0x20 }) }
        assertThrowsKestrel(.invalidFile, ["CRC-32"]) { _ = try Gzip.decompress(changed { $0[$0.count - 8] ^= 1 }) }
        assertThrowsKestrel(.invalidFile, ["trailer says"]) { _ = try Gzip.decompress(changed { $0[$0.count - 4] ^= 1 }) }
        assertThrowsKestrel(.invalidFile, ["not another gzip member"]) { _ = try Gzip.decompress(changed { $0 += [1, 2, 3] }) }
        assertThrowsKestrel(.invalidFile, ["empty"]) { _ = try Gzip.decompress(Data()) }
        var flagged = [UInt8](try IOFixtures.data("all_flags.txt.gz"))
        let comment = try XCTUnwrap(flagged.firstRange(of: Array("a comment".utf8)))
        flagged[comment.lowerBound] = UInt8(ascii: "A")
        assertThrowsKestrel(.invalidFile, ["header CRC"]) { _ = try Gzip.decompress(Data(flagged), source: "flagged.gz") }
        assertThrowsKestrel(.invalidFile, ["gzip", "missing.gz", "cannot read"]) {
            _ = try Gzip.decompress(contentsOf: IOFixtures.url("missing.gz"))
        }
    }

    func testEveryTruncationOfAGzipFileThrows() throws {
        let gz = try IOFixtures.data("all_flags.txt.gz")
        for length in 0..<gz.count {
            XCTAssertThrowsError(try Gzip.decompress(gz.prefix(length)), "prefix of \(length) bytes")
        }
        let stream = try IOFixtures.data("fixed.deflate")
        for length in stride(from: 0, to: stream.count, by: 7) {
            XCTAssertThrowsError(try Inflate.decompress(stream.prefix(length)), "deflate prefix of \(length) bytes")
        }
    }

    func testRandomMutationsThrowOrDecodeButNeverCrash() throws {
        var generator = RandomGenerator(seed: 1951)
        let small = try IOFixtures.data("small.txt")
        let gz = try IOFixtures.data("all_flags.txt.gz")
        var failures = 0
        for _ in 0..<3000 {
            let mutated = IOFixtures.mutate(gz, &generator)
            do {
                // The CRC-32 guards the content: a mutation that decodes left it intact.
                let content = try Gzip.decompress(mutated)
                XCTAssertEqual(content, small)
            } catch is KestrelError {
                failures += 1
            }
        }
        XCTAssertGreaterThan(failures, 2500)
        for stream in ["dynamic_small_blocks.deflate", "fixed.deflate", "stored.deflate"] {
            let original = try IOFixtures.data(stream)
            for _ in 0..<300 {
                do { _ = try Inflate.decompress(IOFixtures.mutate(original, &generator)) } catch is KestrelError {}
            }
        }
    }
}
