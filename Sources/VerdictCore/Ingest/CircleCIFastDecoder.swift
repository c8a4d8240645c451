import Foundation

/// A lean reader for the common CircleCI document, a `/tests` response (v1.1 `{"tests": [...]}` or a
/// v2 page `{"items": [...], "next_page_token": ...}`), straight from the bytes into items: no
/// `JSONDecoder` tree of values and no keyed containers per item (JSONDecoder was 60 % of a report of
/// a 100,000-item response).
///
/// It applies exactly the rules of `CircleCITestItem.init(from:)` and `FlexibleSeconds` (a string
/// field of another type is nil; `run_time` a number, a numeric string, null or absent). Anything it
/// does not handle plainly, it refuses (returns nil) and `CircleCIDecoder` asks `JSONDecoder`, which
/// decides and words the errors: invalid JSON, a byte-order mark, invalid UTF-8, a lone surrogate, a
/// duplicate key, a number that is not finite as a Double, nesting deeper than 256, any other document.
enum CircleCIFastDecoder {
    static func decode(_ data: Data) -> CircleCIDocument? {
        data.withUnsafeBytes { raw in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self))
            return try? reader.document()
        }
    }

    private struct Refused: Error {}

    private enum Scalar {
        case string(String)
        case number(Double)
        case null
        case other
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func document() throws(Refused) -> CircleCIDocument {
            var keys = Set<String>()
            var tests: [CircleCITestItemValue] = []
            var items: [CircleCITestItemValue] = []
            var token: String?
            try expect(UInt8(ascii: "{"))
            try members { (key: String, reader: inout Reader) throws(Refused) in
                guard keys.insert(key).inserted else { throw Refused() }
                switch key {
                case "tests": tests = try reader.itemArray()
                case "items": items = try reader.itemArray()
                case "next_page_token":
                    switch try reader.scalar() {
                    case .string(let text): token = text
                    case .null: token = nil
                    default: throw Refused()
                    }
                default: try reader.skipValue(depth: 1)
                }
            }
            skipWhitespace()
            guard index == bytes.count else { throw Refused() }
            if keys.contains("tests") { return .v1Tests(tests) }
            if keys.contains("items") { return .v2TestsPage(items, nextPageToken: token) }
            throw Refused()
        }

        private mutating func itemArray() throws(Refused) -> [CircleCITestItemValue] {
            var result: [CircleCITestItemValue] = []
            try expect(UInt8(ascii: "["))
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                return result
            }
            while true {
                result.append(CircleCITestItemValue(item: try item()))
                skipWhitespace()
                guard let next = take() else { throw Refused() }
                if next == UInt8(ascii: "]") { return result }
                guard next == UInt8(ascii: ",") else { throw Refused() }
            }
        }

        private static let itemKeys = ["classname", "file", "name", "result", "message", "source", "run_time"]

        private mutating func item() throws(Refused) -> CircleCITestItem {
            var item = CircleCITestItem()
            var seen: UInt8 = 0  // one bit per known key: a known key twice is refused
            try expect(UInt8(ascii: "{"))
            try members { (key: String, reader: inout Reader) throws(Refused) in
                if let bit = Self.itemKeys.firstIndex(of: key) {
                    guard seen & (1 << bit) == 0 else { throw Refused() }
                    seen |= 1 << bit
                }
                switch key {
                case "classname": item.classname = try reader.stringOrNil()
                case "file": item.file = try reader.stringOrNil()
                case "name": item.name = try reader.stringOrNil()
                case "result": item.result = try reader.stringOrNil()
                case "message": item.message = try reader.stringOrNil()
                case "source": item.source = try reader.stringOrNil()
                case "run_time": (item.runTime, item.runTimeRaw) = Self.seconds(try reader.scalar())
                default: try reader.skipValue(depth: 2)
                }
            }
            return item
        }

        /// As `FlexibleSeconds`: null is 0; a finite number >= 0 is itself; a string follows `TimeValue`.
        private static func seconds(_ value: Scalar) -> (Double?, String?) {
            switch value {
            case .null: return (0, nil)
            case .number(let number): return number >= 0 ? (number, nil) : (nil, String(number))
            case .string(let text):
                switch TimeValue.parse(text) {
                case .seconds(let seconds): return (seconds, nil)
                case .missing: return (0, nil)
                case .invalid: return (nil, text)
                }
            case .other: return (nil, "(not a number)")
            }
        }

        /// `"key": value` pairs up to the closing brace (the opening one already read).
        private mutating func members(_ body: (String, inout Reader) throws(Refused) -> Void) throws(Refused) {
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                let key = try string()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                try body(key, &self)
                skipWhitespace()
                guard let next = take() else { throw Refused() }
                if next == UInt8(ascii: "}") { return }
                guard next == UInt8(ascii: ",") else { throw Refused() }
            }
        }

        private mutating func stringOrNil() throws(Refused) -> String? {
            if case .string(let text) = try scalar() { return text }
            return nil
        }

        private mutating func scalar() throws(Refused) -> Scalar {
            guard let first = peek() else { throw Refused() }
            switch first {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "n"):
                try literal("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default:
                try skipValue(depth: 3)
                return .other
            }
        }

        private mutating func skipValue(depth: Int) throws(Refused) {
            guard depth < 256, let first = peek() else { throw Refused() }
            switch first {
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "{"):
                index += 1
                try members { (_: String, reader: inout Reader) throws(Refused) in
                    try reader.skipValue(depth: depth + 1)
                }
            case UInt8(ascii: "["):
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "]") {
                    index += 1
                    return
                }
                while true {
                    skipWhitespace()
                    try skipValue(depth: depth + 1)
                    skipWhitespace()
                    guard let next = take() else { throw Refused() }
                    if next == UInt8(ascii: "]") { return }
                    guard next == UInt8(ascii: ",") else { throw Refused() }
                }
            default: _ = try number()
            }
        }

        /// A JSON number (strict grammar), as the correctly rounded Double; refused when not finite.
        private mutating func number() throws(Refused) -> Double {
            let start = index
            if peek() == UInt8(ascii: "-") { index += 1 }
            guard let lead = peek(), lead.isDigit else { throw Refused() }
            index += 1
            if lead != UInt8(ascii: "0") { while peek()?.isDigit == true { index += 1 } }
            if peek() == UInt8(ascii: ".") {
                index += 1
                guard peek()?.isDigit == true else { throw Refused() }
                while peek()?.isDigit == true { index += 1 }
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                index += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
                guard peek()?.isDigit == true else { throw Refused() }
                while peek()?.isDigit == true { index += 1 }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            guard let value = Double(text), value.isFinite else { throw Refused() }
            return value
        }

        private mutating func string() throws(Refused) -> String {
            try expect(UInt8(ascii: "\""))
            let start = index
            while let byte = peek(), byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                guard byte >= 0x20 else { throw Refused() }
                index += 1
            }
            guard let stop = peek() else { throw Refused() }
            if stop == UInt8(ascii: "\"") {
                index += 1
                return try Self.validated(UnsafeBufferPointer(rebasing: bytes[start..<index - 1]))
            }
            var unescaped = Array(bytes[start..<index])
            while let byte = take() {
                switch byte {
                case UInt8(ascii: "\""):
                    return try unescaped.withUnsafeBufferPointer { buffer throws(Refused) in try Self.validated(buffer)
                    }
                case UInt8(ascii: "\\"):
                    guard let escape = take() else { throw Refused() }
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped.append(escape)
                    case UInt8(ascii: "b"): unescaped.append(0x08)
                    case UInt8(ascii: "f"): unescaped.append(0x0C)
                    case UInt8(ascii: "n"): unescaped.append(0x0A)
                    case UInt8(ascii: "r"): unescaped.append(0x0D)
                    case UInt8(ascii: "t"): unescaped.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = UInt32(try hex4())
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard take() == UInt8(ascii: "\\"), take() == UInt8(ascii: "u") else { throw Refused() }
                            let low = UInt32(try hex4())
                            guard (0xDC00...0xDFFF).contains(low) else { throw Refused() }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(scalar) {
                            throw Refused()
                        }
                        XMLByteNormalizer.appendUTF8(scalar, to: &unescaped)
                    default: throw Refused()
                    }
                default:
                    guard byte >= 0x20 else { throw Refused() }
                    unescaped.append(byte)
                }
            }
            throw Refused()
        }

        private mutating func hex4() throws(Refused) -> UInt16 {
            var value: UInt16 = 0
            for _ in 0..<4 {
                guard let byte = take() else { throw Refused() }
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw Refused()
                }
                value = value << 4 | UInt16(digit)
            }
            return value
        }

        private static func validated(_ buffer: UnsafeBufferPointer<UInt8>) throws(Refused) -> String {
            // ASCII needs no validation (and most of a response is ASCII).
            var high: UInt8 = 0
            for byte in buffer { high |= byte }
            if high < 0x80 { return String(decoding: buffer, as: UTF8.self) }
            guard let text = String(validating: buffer, as: UTF8.self) else { throw Refused() }
            return text
        }

        private mutating func literal(_ word: StaticString) throws(Refused) {
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard index + expected.count <= bytes.count,
                UnsafeBufferPointer(rebasing: bytes[index..<index + expected.count]).elementsEqual(expected)
            else { throw Refused() }
            index += expected.count
        }

        private mutating func expect(_ byte: UInt8) throws(Refused) {
            skipWhitespace()
            guard take() == byte else { throw Refused() }
        }

        private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        private mutating func take() -> UInt8? {
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            return bytes[index]
        }

        private mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
}
