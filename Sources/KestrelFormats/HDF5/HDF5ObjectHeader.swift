import Foundation
import KestrelCore
import KestrelNN

/// One header message: its type and where its body lies in the file.
package struct HDF5Message {
    package enum Kind: Int {
        case dataspace = 0x01, linkInfo = 0x02, datatype = 0x03, fillValueOld = 0x04, fillValue = 0x05
        case link = 0x06, externalFiles = 0x07, layout = 0x08, groupInfo = 0x0A, filterPipeline = 0x0B
        case attribute = 0x0C, continuation = 0x10, symbolTable = 0x11, attributeInfo = 0x15
    }

    package let type: Int
    package let flags: Int
    package let body: Range<Int>

    package var kind: Kind? { Kind(rawValue: type) }
}

/// An object header (version 1 or 2) with its continuation blocks followed: the list of
/// messages that describe a group or dataset. Version-2 checksums are verified.
package struct HDF5ObjectHeader {
    package let address: Int
    package let messages: [HDF5Message]

    package init(reader: HDF5Reader, address: Int) throws {
        self.address = address
        let what = "object header at \(hex(address))"
        var first = try reader.cursor(at: address, what)
        var messages: [HDF5Message] = []
        // Continuation blocks still to parse, and every block seen (a cycle would repeat one).
        var pending: [(start: Int, count: Int)] = []
        var seen: Set<Int> = [address]
        if first.remaining >= 4, reader.data[address..<(address + 4)].elementsEqual("OHDR".utf8) {
            try first.skip(4)
            let version = try first.u8("version")
            guard version == 2 else { throw reader.unsupported("\(what): version-2-style header with version \(version)") }
            let flags = try first.u8("flags")
            if flags & 0x20 != 0 { try first.skip(16, "timestamps") }
            if flags & 0x10 != 0 { try first.skip(4, "attribute phase change values") }
            let size = try first.int(1 << (flags & 3), "size of chunk 0")
            let start = first.position
            try first.skip(size, "chunk 0")
            try reader.verifyChecksum(at: address, count: first.position - address, what)
            let trackOrder = flags & 0x04 != 0
            try Self.parseV2Messages(reader, start..<(start + size), trackOrder, what, &messages, &pending)
            while let block = pending.popLast() {
                let blockWhat = "object header continuation block at \(hex(block.start)) (of \(what))"
                guard seen.insert(block.start).inserted else { throw reader.invalid("\(blockWhat): continuation cycle") }
                guard block.count >= 8 else { throw reader.invalid("\(blockWhat): \(block.count) bytes is too short") }
                var c = try reader.cursor(at: block.start, count: block.count, blockWhat)
                try c.expectSignature("OCHK")
                try reader.verifyChecksum(at: block.start, count: block.count - 4, blockWhat)
                try Self.parseV2Messages(reader, (block.start + 4)..<(block.start + block.count - 4), trackOrder, blockWhat,
                                         &messages, &pending)
            }
        } else {
            let version = try first.u8("version")
            guard version == 1 else {
                throw reader.invalid("\(what): bad signature or version \(version) (expected \"OHDR\" or version 1)")
            }
            try first.skip(1 + 2 + 4, "reserved, message count and reference count")
            let size = try first.int(4, "header size")
            try first.skip(4, "padding")
            let firstBlock = first.position
            pending.append((firstBlock, size))
            while let block = pending.popLast() {
                let blockWhat = block.start == firstBlock ? what : "object header continuation block at \(hex(block.start)) (of \(what))"
                guard seen.insert(block.start).inserted else { throw reader.invalid("\(blockWhat): continuation cycle") }
                try Self.parseV1Messages(reader, try reader.cursor(at: block.start, count: block.count, blockWhat), &messages, &pending)
            }
        }
        self.messages = messages
    }

    private static func parseV1Messages(_ reader: HDF5Reader, _ cursor: HDF5Cursor, _ messages: inout [HDF5Message],
                                        _ pending: inout [(start: Int, count: Int)]) throws {
        var c = cursor
        while c.remaining >= 8 {
            let type = try c.u16("message type"), size = try c.u16("message size"), flags = try c.u8("message flags")
            try c.skip(3)
            let body = try c.range(size, "message of type \(type)")
            try append(reader, HDF5Message(type: type, flags: flags, body: body), c.context, &messages, &pending)
        }
    }

    private static func parseV2Messages(_ reader: HDF5Reader, _ region: Range<Int>, _ trackOrder: Bool, _ what: String,
                                        _ messages: inout [HDF5Message], _ pending: inout [(start: Int, count: Int)]) throws {
        var c = try reader.cursor(at: region.lowerBound, count: region.count, what)
        let headerSize = trackOrder ? 6 : 4
        // Fewer bytes than a message header left over at the end is a gap, not a message.
        while c.remaining >= headerSize {
            let type = try c.u8("message type"), size = try c.u16("message size"), flags = try c.u8("message flags")
            if trackOrder { try c.skip(2) }
            let body = try c.range(size, "message of type \(type)")
            try append(reader, HDF5Message(type: type, flags: flags, body: body), what, &messages, &pending)
        }
    }

    private static func append(_ reader: HDF5Reader, _ message: HDF5Message, _ what: String, _ messages: inout [HDF5Message],
                               _ pending: inout [(start: Int, count: Int)]) throws {
        guard messages.count < 1 << 16 else { throw reader.invalid("\(what): more than 65536 header messages") }
        if message.kind == .continuation {
            var c = try reader.cursor(at: message.body.lowerBound, count: message.body.count, "\(what): continuation message")
            let start = try c.definedAddress("continuation address")
            let count = try c.length("continuation length")
            pending.append((start, count))
        } else {
            messages.append(message)
        }
    }

    /// The messages of one kind, in header order.
    package func messages(_ kind: HDF5Message.Kind) -> [HDF5Message] {
        messages.filter { $0.type == kind.rawValue }
    }

    package func first(_ kind: HDF5Message.Kind) -> HDF5Message? {
        messages.first { $0.type == kind.rawValue }
    }

    /// A cursor over the body of `message`; shared messages (stored elsewhere) are unsupported.
    package func cursor(_ reader: HDF5Reader, _ message: HDF5Message, _ what: String) throws -> HDF5Cursor {
        guard message.flags & 0x02 == 0 else {
            throw reader.unsupported("object header at \(hex(address)): \(what) message is shared (committed datatypes and shared object header messages are not supported)")
        }
        return try reader.cursor(at: message.body.lowerBound, count: message.body.count, "object header at \(hex(address)): \(what) message")
    }
}
