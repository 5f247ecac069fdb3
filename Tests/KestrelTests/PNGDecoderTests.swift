import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
import Kestrel

/// The PNG decoder against Fixtures/images_png (make_png_fixtures.py: every colour type and
/// bit depth, plain and interlaced, with and without tRNS, all five row filters, each file's
/// samples checked against Pillow), then truncated, corrupted, hand-made hostile and randomly
/// mutated files, which must throw a KestrelError and never trap.
final class PNGDecoderTests: XCTestCase {
    private static let folder = "images_png"

    private static func fixtureNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: IOFixtures.url(folder).path).filter { $0.hasSuffix(".png") }.sorted()
    }

    private static func fixture(_ name: String) throws -> Data { try IOFixtures.data("\(folder)/\(name)") }

    func testEveryFixtureDecodesToTheExpectedSamples() throws {
        let expected = try NumPyFile.readArchive(contentsOf: IOFixtures.url("\(Self.folder)/expected.npz"))
        let names = try Self.fixtureNames()
        XCTAssertEqual(names.count, 90)
        XCTAssertEqual(Set(names.map { String($0.dropLast(4)) }), Set(expected.keys))
        for name in names {
            let stem = String(name.dropLast(4))
            let want = try XCTUnwrap(expected[stem], stem)
            let image = try PNGDecoder.decode(try Self.fixture(name), source: name)
            XCTAssertEqual([image.height, image.width, image.channels], want.shape, stem)
            XCTAssertEqual(image.maximumValue, stem.contains("_16bit") ? 65535 : 255, stem)
            XCTAssertEqual(image.samples.map(Float.init), want.scalars, stem)
        }
    }

    func testTransparencyAndPalettesChooseTheChannels() throws {
        let cases: [(String, Int)] = [
            ("gray_2bit_5x7", 1), ("gray_2bit_trns", 2), ("gray_16bit_trns", 2), ("rgb_8bit_5x7", 3), ("rgb_16bit_trns", 4),
            ("palette_4bit_5x7", 3), ("palette_4bit_trns", 4), ("grayalpha_16bit_13x3", 2), ("rgba_8bit_1x1", 4),
        ]
        for (stem, channels) in cases {
            XCTAssertEqual(try PNGDecoder.decode(try Self.fixture("\(stem).png"), source: stem).channels, channels, stem)
        }
        // A key no 2-bit sample can equal leaves every pixel opaque.
        let outOfRange = try PNGDecoder.decode(try Self.fixture("gray_2bit_trns_out_of_range.png"), source: "key")
        XCTAssertEqual(stride(from: 1, to: outOfRange.samples.count, by: 2).map { outOfRange.samples[$0] }, Array(repeating: 255, count: 35))
    }

    func testWhatPNGWriterWritesDecodesBack() throws {
        var generator = RandomGenerator(seed: 12)
        let rgb = (0..<(37 * 11 * 3)).map { _ in UInt8(generator.nextIndex(below: 256)) }
        let image = try PNGDecoder.decode(try PNGWriter.encode(width: 37, height: 11, rgb: rgb), source: "written.png")
        XCTAssertEqual(image, DecodedImage(width: 37, height: 11, channels: 3, maximumValue: 255, samples: rgb.map(UInt16.init)))
    }

    // MARK: ImageFile

    func testImageFilePicksTheDecoderFromTheSignature() throws {
        let name = "palette_8bit_trns_interlaced.png"
        let data = try Self.fixture(name)
        XCTAssertEqual(try ImageFile.decode(data, source: name), try PNGDecoder.decode(data, source: name))
        XCTAssertEqual(try ImageFile.read(contentsOf: IOFixtures.url("\(Self.folder)/\(name)")), try PNGDecoder.decode(data, source: name))
        let others: [(String, [UInt8], String)] = [
            ("cat.gif", Array("GIF89a\u{1}\0\u{1}\0".utf8), "a GIF file"), ("cat.bmp", Array("BM6\0\0\0".utf8), "a BMP file"),
            ("cat.webp", Array("RIFF\0\0\0\0WEBPVP8 ".utf8), "a WebP file"), ("cat.tif", [0x49, 0x49, 0x2A, 0, 8, 0, 0, 0], "a TIFF file"),
            ("cat.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A], "neither PNG"), ("cat.jpg", [], "empty"),
        ]
        for (source, bytes, kind) in others {
            assertThrowsKestrel(.unsupported, [source, kind, "PNG and JPEG"]) { _ = try ImageFile.decode(Data(bytes), source: source) }
        }
        assertThrowsKestrel(.invalidFile, ["image", "missing.png"]) {
            _ = try ImageFile.read(contentsOf: IOFixtures.url("\(Self.folder)/missing.png"))
        }
    }

    // MARK: Damaged files

    func testEveryTruncationThrows() throws {
        for name in try Self.fixtureNames() {
            let data = try Self.fixture(name)
            for length in Set(Array(stride(from: 0, to: data.count, by: max(1, data.count / 23))) + [data.count - 1, data.count - 12]) {
                assertThrowsKestrel(.invalidFile, ["PNG", name]) { _ = try PNGDecoder.decode(data.prefix(length), source: name) }
            }
        }
    }

    func testEveryCorruptedByteThrows() throws {
        for name in ["rgb_8bit_chunked.png", "palette_2bit_trns_interlaced.png", "gray_16bit_13x3_interlaced.png"] {
            let data = try Self.fixture(name)
            for i in 0..<data.count {
                var damaged = data
                damaged[i] ^= UInt8(1) << UInt8(i % 8)
                do {
                    _ = try PNGDecoder.decode(damaged, source: name)
                    XCTFail("\(name) with byte \(i) changed decoded")
                } catch is KestrelError {}
            }
        }
        var damaged = [UInt8](try Self.fixture("rgb_8bit_5x7.png"))
        damaged[45] ^= 0x04
        assertThrowsKestrel(.invalidFile, ["rgb_8bit_5x7.png", "chunk IDAT at byte 33", "CRC", "corrupted"]) {
            _ = try PNGDecoder.decode(Data(damaged), source: "rgb_8bit_5x7.png")
        }
    }

    // MARK: Hand-made hostile files (valid CRCs, bad contents)

    private static func bigEndian(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    private static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return bigEndian(body.count) + typed + bigEndian(Int(typed.withUnsafeBytes { CRC32.checksum($0) }))
    }

    private static func header(_ width: Int, _ height: Int, depth: UInt8 = 8, colorType: UInt8 = 0, interlace: UInt8 = 0) -> [UInt8] {
        chunk("IHDR", bigEndian(width) + bigEndian(height) + [depth, colorType, 0, 0, interlace])
    }

    /// An 8-bit gray image's rows, each filter type `filter` then `width` bytes.
    private static func grayRows(_ width: Int, _ height: Int, filter: UInt8 = 0) -> [UInt8] {
        (0..<height).flatMap { row in [filter] + (0..<width).map { UInt8(($0 * 7 + row) & 0xFF) } }
    }

    private static func png(_ chunks: [UInt8]...) -> Data { Data(PNGChunks.signature + Array(chunks.joined()) + chunk("IEND", [])) }

    /// Asserts decoding `file` throws an invalidFile error naming it and mentioning `fragments`.
    private func assertRefused(_ fragments: [String], _ file: Data, line: UInt = #line) {
        assertThrowsKestrel(.invalidFile, ["PNG", "hostile.png"] + fragments, line: line) { _ = try PNGDecoder.decode(file, source: "hostile.png") }
    }

    /// Asserts decoding `file` throws an unsupported error naming it and mentioning `fragments`.
    private func assertUnsupported(_ fragments: [String], _ file: Data, line: UInt = #line) {
        assertThrowsKestrel(.unsupported, ["PNG", "hostile.png"] + fragments, line: line) { _ = try PNGDecoder.decode(file, source: "hostile.png") }
    }

    func testHugeOrEmptyDeclaredSizesThrowBeforeDecoding() {
        let tiny = Self.chunk("IDAT", Deflate.zlib([0, 0]))
        assertUnsupported(["20000×20000", "4 channels", "268435456", "resize"], Self.png(Self.header(20000, 20000, colorType: 6), tiny))
        assertUnsupported(["16777216×16777216"], Self.png(Self.header(1 << 24, 1 << 24, depth: 1), tiny))
        assertUnsupported(["16777217×1", "16777216 pixels on a side"], Self.png(Self.header((1 << 24) + 1, 1), tiny))
        assertUnsupported(["1×4294967295"], Self.png(Self.header(1, 0xFFFF_FFFF), tiny))
        assertRefused(["0×5", "at least 1"], Self.png(Self.header(0, 5), tiny))
        // tRNS adds an alpha channel: a little over 2^27 gray pixels fit, with their alphas they do not.
        let key = Self.chunk("tRNS", [0, 0])
        assertUnsupported(["2 channels", "268435456"], Self.png(Self.header(1 << 14, (1 << 13) + 1, depth: 1), key, tiny))
    }

    func testInflatedSizeMustMatchTheRowsExactly() {
        let rows = Self.grayRows(5, 4)
        XCTAssertNoThrow(try PNGDecoder.decode(Self.png(Self.header(5, 4), Self.chunk("IDAT", Deflate.zlib(rows))), source: "ok"))
        assertRefused(["IDAT", "inflates to 18 bytes", "exactly 24"], Self.png(Self.header(5, 4), Self.chunk("IDAT", Deflate.zlib(Array(rows.prefix(18))))))
        assertRefused(["IDAT", "24"], Self.png(Self.header(5, 4), Self.chunk("IDAT", Deflate.zlib(rows + [0, 1, 2, 3, 4, 5]))))
        // A deflate bomb: a 1×1 image whose data inflates to 200 000 bytes stops at the limit.
        assertRefused(["IDAT", "more than the 2 bytes"], Self.png(Self.header(1, 1), Self.chunk("IDAT", Deflate.zlib([UInt8](repeating: 0, count: 200_000)))))
    }

    func testZlibWrappingIsChecked() {
        var stream = Deflate.zlib(Self.grayRows(3, 2))
        let adler = stream.count - 1
        stream[adler] ^= 0x40
        assertRefused(["IDAT", "Adler-32", "corrupted"], Self.png(Self.header(3, 2), Self.chunk("IDAT", stream)))
        assertRefused(["IDAT", "without its Adler-32"], Self.png(Self.header(3, 2), Self.chunk("IDAT", Array(stream.dropLast(4)))))
        var header = Deflate.zlib(Self.grayRows(3, 2))
        header[0] = 0x77
        assertRefused(["IDAT", "compression method 7"], Self.png(Self.header(3, 2), Self.chunk("IDAT", header)))
        header[0] = 0x78
        header[1] ^= 0x01
        assertRefused(["IDAT", "check bits"], Self.png(Self.header(3, 2), Self.chunk("IDAT", header)))
        assertRefused(["IDAT", "preset dictionary"], Self.png(Self.header(3, 2), Self.chunk("IDAT", [0x78, 0xBB, 0, 0, 0, 1])))
        assertRefused(["IDAT", "deflate"], Self.png(Self.header(3, 2), Self.chunk("IDAT", [0x78, 0x01, 0xFF, 0xFF])))
        assertRefused(["IDAT", "too few"], Self.png(Self.header(3, 2), Self.chunk("IDAT", [0x78])))
    }

    func testBadRowsAndPixelsThrow() {
        assertRefused(["row 0", "filter type 5", "0 to 4"], Self.png(Self.header(3, 2), Self.chunk("IDAT", Deflate.zlib(Self.grayRows(3, 2, filter: 5)))))
        let palette = Self.chunk("PLTE", [1, 2, 3, 4, 5, 6, 7, 8, 9])
        assertRefused(["palette index 7", "3 entries"], Self.png(Self.header(3, 2, colorType: 3), palette, Self.chunk("IDAT", Deflate.zlib(Self.grayRows(3, 2)))))
    }

    func testChunkOrderAndContentsAreChecked() {
        let data = Self.chunk("IDAT", Deflate.zlib(Self.grayRows(3, 2)))
        let gray = Self.header(3, 2)
        let palette = Self.chunk("PLTE", [1, 2, 3, 4, 5, 6])
        let text = Self.chunk("tEXt", Array("Title\0x".utf8))
        assertRefused(["first chunk is tEXt", "starts with IHDR"], Self.png(text, gray, data))
        assertRefused(["second IHDR"], Self.png(gray, gray, data))
        assertRefused(["IHDR", "holds 12 bytes", "13"], Self.png(Self.chunk("IHDR", Array(gray[8..<20])), data))
        assertRefused(["bit depth 4", "colour type 2", "8, 16"], Self.png(Self.header(3, 2, depth: 4, colorType: 2), data))
        assertRefused(["bit depth 16", "colour type 3"], Self.png(Self.header(3, 2, depth: 16, colorType: 3), palette, data))
        assertRefused(["colour type 5"], Self.png(Self.header(3, 2, colorType: 5), data))
        assertRefused(["interlace method 2"], Self.png(Self.header(3, 2, interlace: 2), data))
        assertRefused(["no IDAT"], Self.png(gray))
        assertRefused(["IDAT chunks must be consecutive"], Self.png(gray, data, text, data))
        assertRefused(["IEND", "truncated"], Data(PNGChunks.signature + gray + data))
        assertRefused(["IEND chunk holds 1 bytes"], Data(PNGChunks.signature + gray + data + Self.chunk("IEND", [0])))
        assertUnsupported(["critical chunk ABCD"], Self.png(gray, Self.chunk("ABCD", []), data))
        assertRefused(["not a chunk type"], Self.png(gray, Self.chunk("AB1D", []), data))
        assertRefused(["signature"], Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0B] + gray + data))
        // Palettes and transparency.
        assertRefused(["PLTE chunk in a gray image"], Self.png(gray, palette, data))
        assertRefused(["PLTE holds 7 bytes", "1 to 2", "1-bit palette"], Self.png(Self.header(3, 2, depth: 1, colorType: 3), Self.chunk("PLTE", [UInt8](repeating: 0, count: 7)), data))
        assertRefused(["before any PLTE"], Self.png(Self.header(3, 2, colorType: 3), data, palette))
        assertRefused(["tRNS holds 3 alphas", "2 entries"], Self.png(Self.header(3, 2, colorType: 3), palette, Self.chunk("tRNS", [0, 0, 0]), data))
        assertRefused(["tRNS chunk comes before PLTE"], Self.png(Self.header(3, 2, colorType: 3), Self.chunk("tRNS", [0]), palette, data))
        assertRefused(["tRNS holds 6 bytes", "takes 2"], Self.png(gray, Self.chunk("tRNS", [0, 0, 0, 0, 0, 0]), data))
        assertRefused(["tRNS chunk, but colour type 6 (RGBA)", "alpha channel"], Self.png(Self.header(3, 2, colorType: 6), Self.chunk("tRNS", [0, 0]), data))
        assertRefused(["tRNS chunk comes after the image data"], Self.png(gray, data, Self.chunk("tRNS", [0, 0])))
        // Ancillary chunks anywhere after IHDR are skipped, and bytes after IEND are ignored.
        XCTAssertNoThrow(try PNGDecoder.decode(Self.png(gray, text, data, text, Self.chunk("zzZz", [1])) + Data([1, 2, 3]), source: "ok"))
    }

    // MARK: Random mutations

    /// `data` with every whole chunk's CRC recomputed, so a mutation reaches the checks behind it.
    private static func repairingCRCs(_ data: Data) -> Data {
        var bytes = [UInt8](data)
        var offset = 8
        while bytes.count - offset >= 12 {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length <= bytes.count - offset - 12 else { break }
            let crc = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[(offset + 4)..<(offset + 8 + length)])) }
            bytes.replaceSubrange((offset + 8 + length)..<(offset + 12 + length), with: bigEndian(Int(crc)))
            offset += 12 + length
        }
        return Data(bytes)
    }

    /// Stacked random mutations of every fixture, half of them with their CRCs repaired, for
    /// `IOFixtures.fuzzSeconds` (seed: `KESTREL_FUZZ_SEED`): each must decode to a whole
    /// image or throw a KestrelError.
    func testRandomMutationsDecodeOrThrowKestrelErrors() throws {
        let seconds = IOFixtures.fuzzSeconds
        let seed = UInt64(ProcessInfo.processInfo.environment["KESTREL_FUZZ_SEED"] ?? "") ?? 1
        var generator = RandomGenerator(seed: seed)
        let corpus = try Self.fixtureNames().map(Self.fixture)
        let deadline = Date().addingTimeInterval(seconds)
        var executions = 0, decoded = 0
        while Date() < deadline {
            var data = corpus[generator.nextIndex(below: corpus.count)]
            for _ in 0...generator.nextIndex(below: 3) { data = IOFixtures.mutate(data, &generator) }
            if generator.nextIndex(below: 2) == 0 { data = Self.repairingCRCs(data) }
            do {
                let image = try PNGDecoder.decode(data, source: "mutant.png")
                XCTAssertEqual(image.samples.count, image.width * image.height * image.channels, "seed \(seed) execution \(executions)")
                decoded += 1
            } catch is KestrelError {
            } catch {
                XCTFail("seed \(seed) execution \(executions): \(type(of: error)), not a KestrelError: \(error)")
            }
            executions += 1
        }
        XCTAssertGreaterThan(executions, 0)
        print("PNG fuzz: \(executions) executions in \(seconds) s (\(decoded) decoded), seed \(seed)")
    }
}
