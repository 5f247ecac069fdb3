import Foundation
import KestrelCore
import KestrelNN

/// A read-only HDF5 file held in memory, enough to load what h5py writes for Keras: the
/// `model.weights.h5` inside a Keras 3 `.keras` archive and legacy Keras 2 `.h5` models.
/// Groups, datasets and attributes are parsed on demand from the file's bytes; every
/// offset is bounds-checked, so a damaged file throws `KestrelError(.invalidFile, …)` and a
/// feature Kestrel does not read throws `.unsupported` naming it. Reading fills internal
/// caches, so use a file (and its groups and datasets) from one thread at a time.
public final class HDF5File {
    /// The file name (or the caller's label for in-memory data), used in error messages.
    public let source: String
    /// 0 or 1 for files written with libver "earliest", 2 or 3 for newer ones.
    public let superblockVersion: Int
    /// The root group, "/".
    public let root: HDF5Group

    /// Reads the HDF5 file at `url`.
    public convenience init(contentsOf url: URL) throws {
        try self.init(data: try readFile(url, what: "hdf5"), source: url.lastPathComponent)
    }

    /// Parses HDF5 bytes (e.g. `model.weights.h5` extracted from a `.keras` zip).
    public init(data: Data, source: String = "data") throws {
        let reader = HDF5Reader(data: data, source: source)
        let superblock = try HDF5Superblock(reader: reader)
        self.source = source
        superblockVersion = superblock.version
        guard case let .group(root) = try reader.open(superblock.rootObjectHeader, path: "/") else {
            throw reader.invalid("the root object is not a group")
        }
        self.root = root
    }

    /// The group or dataset at a slash-separated path from the root ("layers/dense/vars/0").
    public func object(at path: String) throws -> HDF5Object {
        var object = HDF5Object.group(root)
        for name in path.split(separator: "/") {
            guard case let .group(group) = object else {
                throw KestrelError(.invalidArgument, "hdf5: \(source): \(object.path) is a dataset, so \(path) does not exist")
            }
            object = try group.object(named: String(name))
        }
        return object
    }

    /// The group at `path`; throws if the path names a dataset.
    public func group(at path: String) throws -> HDF5Group {
        guard case let .group(group) = try object(at: path) else {
            throw KestrelError(.invalidArgument, "hdf5: \(source): \(path) is a dataset, not a group")
        }
        return group
    }

    /// The dataset at `path`; throws if the path names a group.
    public func dataset(at path: String) throws -> HDF5Dataset {
        guard case let .dataset(dataset) = try object(at: path) else {
            throw KestrelError(.invalidArgument, "hdf5: \(source): \(path) is a group, not a dataset")
        }
        return dataset
    }
}

/// A group or a dataset: what a hard link leads to.
public enum HDF5Object {
    case group(HDF5Group)
    case dataset(HDF5Dataset)

    /// The absolute path it was opened by.
    public var path: String {
        switch self {
        case let .group(g): return g.path
        case let .dataset(d): return d.path
        }
    }
}

/// One member of a group: its name and what it is, so a caller can list a group without
/// opening every member. Soft and external links are reported but not followed.
public struct HDF5Link: Equatable {
    /// What a link leads to.
    public enum Kind: Equatable {
        case group
        case dataset
        /// A committed (named) datatype, which holds no data.
        case namedDatatype
        case softLink(target: String)
        case externalLink(file: String, path: String)
    }

    public let name: String
    public let kind: Kind
}

/// An HDF5 group: named links to groups and datasets, plus attributes.
public struct HDF5Group {
    /// The absolute path it was opened by ("/" for the root).
    public let path: String
    /// The members, sorted by name (byte order), as h5py lists them.
    public let children: [HDF5Link]
    /// The attributes Kestrel can read, by name.
    public let attributes: [String: HDF5Value]
    /// Attributes of types Kestrel does not read (compound, array, …), with the reason.
    public let skippedAttributes: [String: String]
    package let reader: HDF5Reader
    package let targets: [String: HDF5LinkTarget]

    package init(_ reader: HDF5Reader, _ header: HDF5ObjectHeader, path: String) throws {
        self.reader = reader
        self.path = path
        var targets: [String: HDF5LinkTarget] = [:]
        var children: [HDF5Link] = []
        for (name, target) in try HDF5Links.links(reader, header) {
            guard targets.updateValue(target, forKey: name) == nil else {
                throw reader.invalid("group \(path) (object header at \(hex(header.address))): two links are named \(name)")
            }
            let kind: HDF5Link.Kind
            switch target {
            case let .hard(address): kind = try reader.kind(of: address, path: Self.join(path, name))
            case let .soft(value): kind = .softLink(target: value)
            case let .external(file, objectPath): kind = .externalLink(file: file, path: objectPath)
            }
            children.append(HDF5Link(name: name, kind: kind))
        }
        self.children = children.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        self.targets = targets
        let attributes = try HDF5Attributes(reader, header)
        self.attributes = attributes.values
        skippedAttributes = attributes.skipped
    }

    package static func join(_ path: String, _ name: String) -> String { path == "/" ? "/" + name : path + "/" + name }

    /// The member called `name` (no slashes; use `HDF5File.object(at:)` for paths).
    public func object(named name: String) throws -> HDF5Object {
        let childPath = Self.join(path, name)
        switch targets[name] {
        case let .hard(address)?:
            return try reader.open(address, path: childPath)
        case let .soft(value)?:
            throw KestrelError(.unsupported, "hdf5: \(reader.source): \(childPath) is a soft link to \(value); soft links are not followed")
        case let .external(file, objectPath)?:
            throw KestrelError(.unsupported, "hdf5: \(reader.source): \(childPath) is an external link to \(objectPath) in \(file); external links are not followed")
        case nil:
            throw KestrelError(.invalidArgument, "hdf5: \(reader.source): group \(path) has no member named \(name) (members: \(children.prefix(20).map(\.name)))")
        }
    }

    public func group(named name: String) throws -> HDF5Group {
        guard case let .group(group) = try object(named: name) else {
            throw KestrelError(.invalidArgument, "hdf5: \(reader.source): \(Self.join(path, name)) is a dataset, not a group")
        }
        return group
    }

    public func dataset(named name: String) throws -> HDF5Dataset {
        guard case let .dataset(dataset) = try object(named: name) else {
            throw KestrelError(.invalidArgument, "hdf5: \(reader.source): \(Self.join(path, name)) is a group, not a dataset")
        }
        return dataset
    }
}

/// An HDF5 dataset: an array of elements with a shape, read whole into a tensor, integers
/// or strings, plus attributes.
public struct HDF5Dataset {
    /// The absolute path it was opened by.
    public let path: String
    /// The array's shape: `[]` for a scalar, `[0]` for an empty (null) dataspace.
    public let shape: [Int]
    public let elementType: HDF5ElementType
    public let attributes: [String: HDF5Value]
    /// Attributes of types Kestrel does not read, with the reason.
    public let skippedAttributes: [String: String]
    package let reader: HDF5Reader
    package let storage: HDF5DatasetStorage

    package init(_ reader: HDF5Reader, _ header: HDF5ObjectHeader, path: String) throws {
        self.reader = reader
        self.path = path
        storage = try HDF5DatasetStorage(reader, header, what: "dataset \(path) (object header at \(hex(header.address)))")
        shape = storage.space.isNull ? [0] : storage.space.shape
        elementType = storage.type.element
        let attributes = try HDF5Attributes(reader, header)
        self.attributes = attributes.values
        skippedAttributes = attributes.skipped
    }

    private func typeError(_ wanted: String, _ instead: String) -> KestrelError {
        KestrelError(.unsupported, "hdf5: \(reader.source): dataset \(path) holds \(elementType), not \(wanted); \(instead)")
    }

    /// The elements converted to Float32 (any integer or floating-point type).
    public func readTensor() throws -> Tensor {
        guard HDF5Elements.isNumeric(storage.type) else { throw typeError("numbers", "read it with readStrings()") }
        return HDF5Elements.tensor(storage.type, shape: shape, raw: try storage.read(reader))
    }

    /// The elements of an integer dataset (unsigned 64-bit values above Int.max wrap).
    public func readInts() throws -> IntTensor {
        guard case .integer = elementType else { throw typeError("integers", "read it with readTensor()") }
        return HDF5Elements.integers(storage.type, shape: shape, raw: try storage.read(reader))
    }

    /// The elements of a string dataset (fixed or variable length), flattened row-major.
    public func readStrings() throws -> [String] {
        switch elementType {
        case .fixedLengthString, .variableLengthString:
            return try HDF5Elements.strings(storage.type, raw: try storage.read(reader), reader: reader, what: "dataset \(path)")
        default:
            throw typeError("strings", "read it with readTensor()")
        }
    }
}

extension HDF5Reader {
    /// What an object header describes: a dataset has a layout message, a group has link
    /// storage or group info, a committed datatype only a datatype message.
    private func classify(_ header: HDF5ObjectHeader, path: String) throws -> HDF5Link.Kind {
        if header.first(.layout) != nil { return .dataset }
        if header.first(.symbolTable) != nil || header.first(.linkInfo) != nil || header.first(.link) != nil
            || header.first(.groupInfo) != nil {
            return .group
        }
        if header.first(.datatype) != nil { return .namedDatatype }
        throw invalid("\(path) (object header at \(hex(header.address))) is neither a group, a dataset nor a datatype")
    }

    /// What the object header at `address` describes, without reading its contents.
    package func kind(of address: Int, path: String) throws -> HDF5Link.Kind {
        try classify(try HDF5ObjectHeader(reader: self, address: address), path: path)
    }

    /// Opens the group or dataset whose object header is at `address`.
    package func open(_ address: Int, path: String) throws -> HDF5Object {
        let header = try HDF5ObjectHeader(reader: self, address: address)
        switch try classify(header, path: path) {
        case .dataset: return .dataset(try HDF5Dataset(self, header, path: path))
        case .group: return .group(try HDF5Group(self, header, path: path))
        default: throw unsupported("\(path) is a committed datatype, which holds no data")
        }
    }
}
