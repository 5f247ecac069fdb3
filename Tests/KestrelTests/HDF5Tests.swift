import Foundation
import XCTest
@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// Reads the h5py- and Keras-written fixtures (Fixtures/hdf5/make_hdf5_fixtures.py) and
/// compares every group listing, attribute and dataset value with what the script recorded;
/// then checks that truncated and mutated files throw KestrelErrors instead of crashing.
final class HDF5Tests: XCTestCase {
    static let fixtures = ["earliest", "latest", "chunk_indexes_v4", "keras3.weights", "keras2_legacy"]

    /// The bytes of fixture `name` (stored gzipped: HDF5 files are mostly padding).
    static func fixture(_ name: String) throws -> Data {
        try Gzip.decompress(try IOFixtures.data("hdf5/\(name).h5.gz"), source: "\(name).h5.gz")
    }

    static func open(_ name: String) throws -> HDF5File {
        try HDF5File(data: try fixture(name), source: "\(name).h5")
    }

    private func expected(_ name: String) throws -> [String: [String: Any]] {
        let json = try JSONSerialization.jsonObject(with: try IOFixtures.data("hdf5/\(name).json"))
        return try XCTUnwrap(json as? [String: [String: Any]])
    }

    /// The value the script recorded, as the reader should return it.
    private func value(_ recorded: Any) throws -> HDF5Value {
        let entry = try XCTUnwrap(recorded as? [String: Any])
        let (kind, raw) = try XCTUnwrap(entry.first)
        switch kind {
        case "integer": return .integer(try XCTUnwrap(raw as? Int))
        case "integers": return .integers(try XCTUnwrap(raw as? [Int]))
        case "real": return .real(try XCTUnwrap((raw as? NSNumber)?.doubleValue))
        case "reals": return .reals(try XCTUnwrap(raw as? [NSNumber]).map(\.doubleValue))
        case "string": return .string(try XCTUnwrap(raw as? String))
        default: return .strings(try XCTUnwrap(raw as? [String]))
        }
    }

    private func checkFixture(_ name: String) throws {
        let file = try Self.open(name)
        let doc = try expected(name)
        for (path, members) in try XCTUnwrap(doc["groups"] as? [String: [String: String]]) {
            let group = try file.group(at: path)
            XCTAssertEqual(group.path, path)
            XCTAssertEqual(group.children.map(\.name), members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, path)
            for link in group.children {
                let kind: String
                switch link.kind {
                case .group: kind = "group"
                case .dataset: kind = "dataset"
                case .namedDatatype: kind = "datatype"
                case let .softLink(target): kind = "soft:" + target
                case let .externalLink(file, objectPath): kind = "external:\(file):\(objectPath)"
                }
                XCTAssertEqual(kind, members[link.name], "\(name): \(path)/\(link.name)")
            }
        }
        for (path, attributes) in try XCTUnwrap(doc["attributes"] as? [String: [String: Any]]) {
            let object = try file.object(at: path)
            let read: [String: HDF5Value]
            switch object {
            case let .group(g): read = g.attributes
            case let .dataset(d): read = d.attributes
            }
            XCTAssertEqual(Set(read.keys), Set(attributes.keys), "\(name): attributes of \(path)")
            for (attribute, recorded) in attributes {
                XCTAssertEqual(read[attribute], try value(recorded), "\(name): \(path) attribute \(attribute)")
            }
        }
        let skipped = try XCTUnwrap(doc["skipped_attributes"] as? [String: [String]])
        for path in Set(skipped.keys).union(["/"]) {
            XCTAssertEqual(Set(try file.group(at: path).skippedAttributes.keys), Set(skipped[path] ?? []), "\(name): \(path)")
        }
        let datasets = try XCTUnwrap(doc["datasets"] as? [String: [String: Any]])
        XCTAssertFalse(datasets.isEmpty)
        for (path, entry) in datasets {
            let dataset = try file.dataset(at: path)
            let what = "\(name): \(path)"
            XCTAssertEqual(dataset.shape, try XCTUnwrap(entry["shape"] as? [Int]), what)
            if let integers = entry["integers"] as? [Int] {
                let ints = try dataset.readInts()
                XCTAssertEqual(ints.shape, dataset.shape, what)
                XCTAssertEqual(ints.scalars, integers, what)
                XCTAssertEqual(try dataset.readTensor().scalars, integers.map(Float.init), what)
                assertThrowsKestrel(.unsupported, [path, "not strings"]) { _ = try dataset.readStrings() }
            } else if let reals = entry["reals"] as? [NSNumber] {
                let tensor = try dataset.readTensor()
                XCTAssertEqual(tensor.shape, dataset.shape, what)
                XCTAssertEqual(tensor.scalars, reals.map { Float($0.doubleValue) }, what)
                assertThrowsKestrel(.unsupported, [path, "not integers"]) { _ = try dataset.readInts() }
            } else if let strings = entry["strings"] as? [String] {
                XCTAssertEqual(try dataset.readStrings(), strings, what)
                assertThrowsKestrel(.unsupported, [path, "not numbers", "readStrings"]) { _ = try dataset.readTensor() }
            } else {
                let feature = try XCTUnwrap(entry["unsupported"] as? String)
                assertThrowsKestrel(.unsupported, [path, feature]) { _ = try dataset.readTensor() }
            }
        }
    }

    func testEarliestFormatFileMatchesH5py() throws {
        try checkFixture("earliest")
        XCTAssertEqual(try Self.open("earliest").superblockVersion, 0)
    }

    func testLatestFormatFileMatchesH5py() throws {
        try checkFixture("latest")
        XCTAssertEqual(try Self.open("latest").superblockVersion, 3)
    }

    func testKeras3WeightsFile() throws {
        try checkFixture("keras3.weights")
        let file = try Self.open("keras3.weights")
        guard case let .dataset(kernel) = try file.object(at: "layers/dense/vars/0") else { return XCTFail("kernel is not a dataset") }
        XCTAssertEqual(kernel.shape, [3, 4])
        XCTAssertEqual(kernel.elementType, .float(bytes: 4, bigEndian: false))
        XCTAssertEqual(try file.group(at: "/layers/dense_1/vars").attributes["name"], .string("out"))
    }

    func testKeras2LegacyModelFile() throws {
        try checkFixture("keras2_legacy")
        let file = try Self.open("keras2_legacy")
        XCTAssertEqual(file.superblockVersion, 0)
        let config = try XCTUnwrap(file.root.attributes["model_config"]?.stringValues?.first)
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any])
        XCTAssertEqual(parsed["class_name"] as? String, "Sequential")
        let weights = try file.group(at: "model_weights")
        XCTAssertEqual(weights.attributes["layer_names"]?.stringValues, ["hidden", "out"])
        XCTAssertEqual(try weights.group(named: "hidden").attributes["weight_names"]?.stringValues,
                       ["sequential/hidden/kernel", "sequential/hidden/bias"])
    }

    func testLinksAndLookupErrors() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kestrel-hdf5-\(UUID().uuidString).h5")
        try Self.fixture("latest").write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let file = try HDF5File(contentsOf: url)
        XCTAssertEqual(file.source, url.lastPathComponent)
        assertThrowsKestrel(.invalidFile, ["hdf5: cannot read", "missing.h5"]) {
            _ = try HDF5File(contentsOf: url.deletingLastPathComponent().appendingPathComponent("missing.h5"))
        }
        assertThrowsKestrel(.unsupported, ["/soft", "soft link to /f32"]) { _ = try file.object(at: "soft") }
        assertThrowsKestrel(.unsupported, ["/external", "external link", "other.h5"]) { _ = try file.object(at: "external") }
        assertThrowsKestrel(.invalidArgument, ["no member named nope"]) { _ = try file.object(at: "layers/nope") }
        assertThrowsKestrel(.invalidArgument, ["/f32 is a dataset"]) { _ = try file.object(at: "f32/x") }
        assertThrowsKestrel(.invalidArgument, ["layers is a group, not a dataset"]) { _ = try file.dataset(at: "layers") }
        assertThrowsKestrel(.invalidArgument, ["/f32 is a dataset, not a group"]) { _ = try file.root.group(named: "f32") }
        XCTAssertEqual(try file.group(at: "many").children.count, 25)
        XCTAssertEqual(try file.dataset(at: "/layers/dense/vars/1").path, "/layers/dense/vars/1")
        let tagged = try file.dataset(at: "tagged")
        XCTAssertEqual(tagged.attributes.count, 12)
        XCTAssertEqual(tagged.attributes["a11"]?.integerValues, [110])
        XCTAssertEqual(try file.dataset(at: "vlen_strings").elementType, .variableLengthString)
        XCTAssertEqual(file.root.attributes["float_array"]?.doubleValues, [0.5, -1.25])
    }

    func testMalformedFilesNameTheProblem() throws {
        assertThrowsKestrel(.invalidFile, ["x.h5", "no HDF5 superblock"]) { _ = try HDF5File(data: Data("not hdf5".utf8), source: "x.h5") }
        var bytes = [UInt8](try Self.fixture("latest"))
        // A 512-byte user block, the 48-byte version-3 superblock, then the root group's header.
        XCTAssertEqual(Array(bytes[560..<564]), Array("OHDR".utf8))
        bytes[572] ^= 0x01
        assertThrowsKestrel(.invalidFile, ["object header at 0x230", "checksum mismatch"]) { _ = try HDF5File(data: Data(bytes)) }
        bytes = [UInt8](try Self.fixture("latest"))
        bytes[532] ^= 0x01
        assertThrowsKestrel(.invalidFile, ["superblock at 0x200", "checksum mismatch"]) { _ = try HDF5File(data: Data(bytes)) }
    }

    func testAbsurdSizesAreRejectedBeforeAllocating() throws {
        func u32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        let original = [UInt8](try Self.fixture("earliest"))
        // earliest.h5 has version-1 headers (no checksums) and 4-byte lengths. f32's dataspace
        // message: version 1, rank 2, maximum dimensions present; dims (3, 4), maximum (3, 4).
        var bytes = original
        let space = try XCTUnwrap(bytes.firstRange(of: [1, 2, 1, 0, 0, 0, 0, 0] + u32(3) + u32(4) + u32(3) + u32(4)))
        bytes.replaceSubrange((space.lowerBound + 8)..<(space.lowerBound + 12), with: u32(1 << 30))
        bytes.replaceSubrange((space.lowerBound + 16)..<(space.lowerBound + 20), with: u32(1 << 30))
        let f32 = try HDF5File(data: Data(bytes)).dataset(at: "f32")
        XCTAssertEqual(f32.shape, [1 << 30, 4])
        assertThrowsKestrel(.unsupported, ["/f32", "17179869184 bytes of data is more than"]) { _ = try f32.readTensor() }
        // A version-3 chunked layout (version 3, class 2, 3 dimensions, a 4-byte B-tree address)
        // whose (2, 3) chunks of 4-byte elements become 65536 × 65536: 16 GiB per chunk.
        bytes = original
        let chunkDims = u32(2) + u32(3) + u32(4)
        let layout = try XCTUnwrap(bytes.indices.first { i in
            i >= 7 && bytes[(i - 7)..<(i - 4)].elementsEqual([3, 2, 3]) && bytes[i...].starts(with: chunkDims)
        })
        bytes.replaceSubrange(layout..<(layout + 8), with: u32(1 << 16) + u32(1 << 16))
        let file = try HDF5File(data: Data(bytes))
        let damaged = try XCTUnwrap(["chunked", "shuffle_gzip_fletcher"].first { name in
            (try? file.dataset(at: name).readTensor()) == nil
        })
        assertThrowsKestrel(.invalidFile, ["/\(damaged)", "exceeds HDF5's 4 GiB chunk limit"]) { _ = try file.dataset(at: damaged).readTensor() }
    }

    // MARK: robustness

    /// Everything readable in a file, as text by path: group listings, attributes and values.
    /// Objects that fail to open or read are recorded as their error kind, so damage to one
    /// object does not stop the others from being exercised; only opening the file throws.
    static func exercise(_ data: Data) throws -> [String: String] {
        let file = try HDF5File(data: data)
        var out: [String: String] = [:]
        func describe(_ body: () throws -> String) -> String {
            do { return try body() } catch let error as KestrelError { return "error \(error.kind)" } catch { return "foreign error \(error)" }
        }
        func visit(_ group: HDF5Group, depth: Int) {
            out[group.path] = "\(group.children) \(group.attributes.sorted { $0.key < $1.key }) \(group.skippedAttributes.keys.sorted())"
            // Hard links may form cycles in damaged files; the fixtures are shallower than this.
            guard depth < 8 else { return }
            for link in group.children {
                let path = HDF5Group.join(group.path, link.name)
                switch link.kind {
                case .group:
                    do { visit(try group.group(named: link.name), depth: depth + 1) } catch { out[path] = describe { throw error } }
                case .dataset:
                    out[path] = describe {
                        let d = try group.dataset(named: link.name)
                        let text = "\(d.shape) \(d.elementType) \(d.attributes.sorted { $0.key < $1.key }) "
                        return text + describe {
                            switch d.elementType {
                            case .integer: return "\(try d.readInts().scalars)"
                            case .float: return "\(try d.readTensor().scalars)"
                            case .fixedLengthString, .variableLengthString: return "\(try d.readStrings())"
                            case .other: return ""
                            }
                        }
                    }
                default:
                    out[path] = "\(link.kind)"
                }
            }
        }
        visit(file.root, depth: 0)
        return out
    }

    /// Runs `exercise` on damaged bytes: KestrelErrors are fine, anything else is a failure.
    private static func survives(_ data: Data, _ what: @autoclosure () -> String) -> [String: String]? {
        do {
            let result = try exercise(data)
            for (path, text) in result where text.hasPrefix("foreign error") { XCTFail("\(what()): \(path): \(text)") }
            return result
        } catch is KestrelError {
            return nil
        } catch {
            XCTFail("\(what()): \(error)")
            return nil
        }
    }

    func testTruncatedFilesThrowOrReadIntactData() throws {
        for name in Self.fixtures {
            let data = try Self.fixture(name)
            let intact = try Self.exercise(data)
            let damaged = intact.filter { $0.value.contains("error") && !$0.value.hasSuffix("error unsupported") }
            XCTAssertTrue(damaged.isEmpty, "\(name): \(damaged)")
            // Every length in the metadata-heavy first 2 KiB, then every 61st.
            let lengths = Array(0..<min(2048, data.count)) + Array(stride(from: 2048, to: data.count, by: 61))
            for length in lengths {
                if let partial = Self.survives(data.prefix(length), "\(name) prefix \(length)") {
                    // Whatever still reads must read exactly as in the whole file.
                    for (path, text) in partial where !text.hasPrefix("error") && intact[path] != text {
                        XCTFail("\(name) prefix \(length): \(path) reads «\(text.prefix(200))»")
                    }
                }
                // A file cut short in place (the rest zeroed, as after a crash mid-write): the
                // offsets stay inside the file, so the damage reaches every structure behind them.
                if length % 3 == 0 {
                    var zeroed = data
                    zeroed.resetBytes(in: length..<data.count)
                    _ = Self.survives(zeroed, "\(name) zeroed from \(length)")
                }
            }
        }
    }

    func testRandomMutationsThrowKestrelErrors() throws {
        var generator = RandomGenerator(seed: 5150)
        for name in Self.fixtures {
            let data = try Self.fixture(name)
            for i in 0..<600 { _ = Self.survives(IOFixtures.mutate(data, &generator), "\(name) mutation \(i)") }
        }
    }

    /// A randomized-mutation fuzz loop over all fixtures, for `IOFixtures.fuzzSeconds`
    /// (2 s by default; longer with `KESTREL_FUZZ_SECONDS=60 swift test --filter HDF5Tests.testFuzz` `; seed:
    /// `KESTREL_FUZZ_SEED`). It prints the number of executions.
    func testFuzzForConfiguredSeconds() throws {
        let seconds = IOFixtures.fuzzSeconds
        let seed = UInt64(ProcessInfo.processInfo.environment["KESTREL_FUZZ_SEED"] ?? "") ?? 1
        var generator = RandomGenerator(seed: seed)
        let corpus = try Self.fixtures.map(Self.fixture)
        let deadline = Date().addingTimeInterval(seconds)
        var executions = 0, opened = 0
        while Date() < deadline {
            var data = corpus[generator.nextIndex(below: corpus.count)]
            // Stack a few mutations so damage reaches past the first structure read.
            for _ in 0...generator.nextIndex(below: 3) { data = IOFixtures.mutate(data, &generator) }
            if Self.survives(data, "seed \(seed) execution \(executions)") != nil { opened += 1 }
            executions += 1
        }
        print("HDF5 fuzz: \(executions) executions in \(seconds) s (\(opened) files opened), seed \(seed)")
    }
}
