import Foundation
import KestrelCore
import KestrelNN

/// The superblock: found at offset 0 or a power of two from 512 on (after a user block), it
/// fixes the widths of addresses and lengths and locates the root group's object header.
package struct HDF5Superblock {
    package let version: Int
    package let rootObjectHeader: Int

    private static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Finds and parses the superblock, configuring `reader`'s address and length widths.
    package init(reader: HDF5Reader) throws {
        let data = reader.data
        var location = 0
        while true {
            guard location <= data.count - 8 else {
                throw reader.invalid("no HDF5 superblock signature (\\x89HDF\\r\\n\\x1a\\n) at offset 0 or any power of two from 512 (not an HDF5 file, or truncated)")
            }
            if data[location..<(location + 8)].elementsEqual(Self.signature) { break }
            location = location == 0 ? 512 : location * 2
        }
        var c = try reader.cursor(at: location + 8, "superblock at \(hex(location))")
        version = try c.u8("superblock version")
        func widths(_ offsets: Int, _ lengths: Int) throws {
            guard [2, 4, 8].contains(offsets), [2, 4, 8].contains(lengths) else {
                throw c.fail("address size \(offsets) / length size \(lengths) is not 2, 4 or 8")
            }
            reader.offsetSize = offsets
            reader.lengthSize = lengths
        }
        switch version {
        case 0, 1:
            try c.skip(4, "free-space, root group and shared-header versions")
            let offsets = try c.u8("size of offsets"), lengths = try c.u8("size of lengths")
            try widths(offsets, lengths)
            try c.skip(1 + 2 + 2 + 4)  // reserved, group leaf/internal node K, consistency flags
            if version == 1 { try c.skip(4, "indexed storage K") }
            reader.baseAddress = try c.int(offsets, "base address")
            guard reader.baseAddress <= data.count else { throw c.fail("base address \(reader.baseAddress) lies past the end of the file") }
            try c.skip(3 * offsets, "free-space, end-of-file and driver addresses")
            // Root group symbol table entry: link name offset, then the object header address.
            try c.skip(lengths, "root link name offset")
            rootObjectHeader = try c.definedAddress("root group object header address")
        case 2, 3:
            let offsets = try c.u8("size of offsets"), lengths = try c.u8("size of lengths")
            try widths(offsets, lengths)
            try c.skip(1, "consistency flags")
            reader.baseAddress = try c.int(offsets, "base address")
            guard reader.baseAddress <= data.count else { throw c.fail("base address \(reader.baseAddress) lies past the end of the file") }
            try c.skip(2 * offsets, "superblock extension and end-of-file addresses")
            rootObjectHeader = try c.definedAddress("root group object header address")
            try reader.verifyChecksum(at: location, count: c.position - location, "superblock at \(hex(location))")
        default:
            throw reader.unsupported("superblock version \(version) (supported: 0, 1, 2, 3)")
        }
    }
}
