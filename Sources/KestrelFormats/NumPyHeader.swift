import KestrelCore
import KestrelNN

/// The header of a `.npy` file: a Python dict literal naming the dtype, the memory order
/// and the shape, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
package struct NumPyHeader {
    package let descr: String
    package let fortranOrder: Bool
    package let shape: [Int]

    private enum Value { case string(String), bool(Bool), tuple([Int]), int(Int) }

    /// Parses the dict; `fail` builds the error for a malformed header.
    package init(parsing text: String, fail: (String) -> KestrelError) throws {
        var chars = Array(text.unicodeScalars)[...]
        func skipSpace() { while let c = chars.first, c == " " || c == "\t" || c == "\n" || c == "\r" { chars.removeFirst() } }
        func expect(_ c: Unicode.Scalar) throws {
            skipSpace()
            guard chars.first == c else { throw fail("expected '\(c)' in header \(text.debugDescription)") }
            chars.removeFirst()
        }
        func integer() throws -> Int {
            skipSpace()
            var digits = ""
            while let c = chars.first, ("0"..."9").contains(c) || (digits.isEmpty && c == "-") {
                digits.unicodeScalars.append(c)
                chars.removeFirst()
            }
            // Python 2 wrote long dimensions as e.g. 3L.
            if chars.first == "L" { chars.removeFirst() }
            guard let v = Int(digits) else { throw fail("expected an integer in header \(text.debugDescription)") }
            return v
        }
        func value() throws -> Value {
            skipSpace()
            guard let c = chars.first else { throw fail("header ends early: \(text.debugDescription)") }
            switch c {
            case "'", "\"":
                chars.removeFirst()
                var s = ""
                while let d = chars.first, d != c {
                    s.unicodeScalars.append(d)
                    chars.removeFirst()
                }
                try expect(c)
                return .string(s)
            case "(":
                chars.removeFirst()
                var items: [Int] = []
                skipSpace()
                while chars.first != ")" {
                    items.append(try integer())
                    skipSpace()
                    if chars.first == "," { chars.removeFirst() } else { break }
                    skipSpace()
                }
                try expect(")")
                return .tuple(items)
            case "T", "F":
                let word = c == "T" ? "True" : "False"
                guard chars.starts(with: word.unicodeScalars) else { throw fail("unexpected value in header \(text.debugDescription)") }
                chars.removeFirst(word.unicodeScalars.count)
                return .bool(c == "T")
            default:
                return .int(try integer())
            }
        }
        try expect("{")
        var fields: [String: Value] = [:]
        skipSpace()
        while chars.first != "}" {
            guard case .string(let key) = try value() else { throw fail("a header key is not a string: \(text.debugDescription)") }
            try expect(":")
            fields[key] = try value()
            skipSpace()
            if chars.first == "," { chars.removeFirst() } else { break }
            skipSpace()
        }
        try expect("}")
        guard case .string(let descr)? = fields["descr"] else { throw fail("header lacks a 'descr' string: \(text.debugDescription)") }
        guard case .bool(let fortran)? = fields["fortran_order"] else { throw fail("header lacks 'fortran_order': \(text.debugDescription)") }
        let shape: [Int]
        switch fields["shape"] {
        case .tuple(let t)?: shape = t
        case .int(let n)?: shape = [n]
        default: throw fail("header lacks a 'shape' tuple: \(text.debugDescription)")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("shape \(shape) has a negative size") }
        self.descr = descr
        self.fortranOrder = fortran
        self.shape = shape
    }

    /// The element type for a NumPy type string such as `<f4`, `|u1` or `>i2`, or nil.
    package static func scalarType(_ descr: String) -> BinaryScalarType? {
        let s = Array(descr.utf8)
        guard s.count >= 3, let order = s.first, let width = Int(String(decoding: s[2...], as: UTF8.self)) else { return nil }
        let kind: BinaryScalarType.Kind
        switch (s[1], width) {
        case (UInt8(ascii: "f"), 4), (UInt8(ascii: "f"), 8): kind = .float
        case (UInt8(ascii: "i"), 1), (UInt8(ascii: "i"), 2), (UInt8(ascii: "i"), 4), (UInt8(ascii: "i"), 8): kind = .signed
        case (UInt8(ascii: "u"), 1), (UInt8(ascii: "u"), 2), (UInt8(ascii: "u"), 4), (UInt8(ascii: "u"), 8): kind = .unsigned
        case (UInt8(ascii: "b"), 1): kind = .bool
        default: return nil
        }
        switch order {
        case UInt8(ascii: "<"), UInt8(ascii: "="): return BinaryScalarType(kind: kind, width: width, bigEndian: false)
        case UInt8(ascii: ">"): return BinaryScalarType(kind: kind, width: width, bigEndian: true)
        case UInt8(ascii: "|") where width == 1: return BinaryScalarType(kind: kind, width: width, bigEndian: false)
        default: return nil
        }
    }
}
