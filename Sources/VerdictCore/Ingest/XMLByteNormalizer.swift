internal import CXMLShim
import Foundation

/// Turns the bytes of an XML file into what a strict XML parser accepts, without losing text:
/// - a byte-order mark decides the encoding whatever `encoding=` says (UTF-8, UTF-16 LE/BE);
/// - UTF-16 and Latin-1 / Windows-1252 are transcoded to UTF-8 and the XML declaration removed;
/// - characters XML 1.0 forbids (control characters such as the ESC of ANSI colours, NUL) become
///   their visible Unicode "control picture" (ESC becomes U+241B), and references to them
///   (`&#27;`) become references to that picture; invalid UTF-8 becomes U+FFFD.
/// Documents in other declared encodings are passed through for libxml2 to decode.
/// Chunks may split characters and references anywhere: the state carries across calls.
struct XMLByteNormalizer {
    enum Encoding: Equatable {
        case utf8
        case utf16LE
        case utf16BE
        case latin1
        case windows1252
        /// Any other encoding the system's iconv knows, by its declared name.
        case other(String)
    }

    private(set) var encoding: Encoding?
    /// Characters replaced because XML forbids them or the bytes were not valid in the encoding.
    private(set) var replacedCharacters = 0
    /// What is worth a warning about the encoding (a label overridden or unknown).
    private(set) var warnings: [String] = []
    private var iconv: IconvTranscoder?

    private var head: [UInt8] = []
    private var carry: [UInt8] = []
    private var utf16Pending: [UInt8] = []
    private var highSurrogate: UInt16?
    private var output: [UInt8] = []
    /// Inside a CDATA section, and how many of its bytes have passed since it opened or was split.
    private var inCDATA = false
    private var cdataRun = 0
    private var cdataFrom = 0

    private static let headLimit = 1024

    /// Processes one chunk; `emit` receives normalised UTF-8 bytes.
    mutating func process(
        _ chunk: UnsafeRawBufferPointer, final: Bool, emit: (UnsafeRawBufferPointer) -> Void
    ) {
        if encoding == nil {
            head.append(contentsOf: chunk)
            guard head.count >= Self.headLimit || final else { return }
            let prefix = head
            head = []
            decideEncoding(prefix, final: final, emit: emit)
            return
        }
        convert(chunk, final: final, emit: emit)
    }

    // MARK: - Prolog

    private mutating func decideEncoding(
        _ bytes: [UInt8], final: Bool, emit: (UnsafeRawBufferPointer) -> Void
    ) {
        var body = bytes[...]
        var hasBOM = true
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            encoding = .utf8
            body = bytes.dropFirst(3)
        } else if bytes.starts(with: [0xFF, 0xFE]) {
            encoding = .utf16LE
            body = bytes.dropFirst(2)
        } else if bytes.starts(with: [0xFE, 0xFF]) {
            encoding = .utf16BE
            body = bytes.dropFirst(2)
        } else if bytes.starts(with: [0x3C, 0x00, 0x3F, 0x00]) {
            encoding = .utf16LE
            hasBOM = false
        } else if bytes.starts(with: [0x00, 0x3C, 0x00, 0x3F]) {
            encoding = .utf16BE
            hasBOM = false
        } else {
            hasBOM = false
            let label = Self.declaredEncoding(bytes)
            switch Self.encoding(forLabel: label) {
            case .other(let name)?:
                if let transcoder = IconvTranscoder(encoding: name) {
                    iconv = transcoder
                    encoding = .other(name)
                } else {
                    encoding = .utf8
                    warnings.append("the encoding \"\(name)\" is unknown; the file was read as UTF-8")
                }
            case let known?:
                encoding = known
            case nil:
                encoding = .utf8
                warnings.append(
                    "the declaration says encoding \"\(label ?? "")\" but the file has no byte-order mark and "
                        + "reads as ASCII-compatible text; read as UTF-8")
            }
        }
        let decided = encoding ?? .utf8
        // Everything becomes UTF-8: transcode the head, then drop the XML declaration so libxml2
        // reads UTF-8 whatever the (possibly invalid) label said.
        var utf8: [UInt8] = []
        Array(body).withUnsafeBytes { raw in
            transcode(raw, final: final) { utf8.append(contentsOf: $0) }
        }
        if hasBOM, let label = Self.declaredEncoding(utf8), Self.encoding(forLabel: label) != decided {
            let known = Self.encoding(forLabel: label) != nil
            warnings.append(
                "the declaration says encoding \"\(label)\"\(known ? "" : ", not a valid name,"); "
                    + "the byte-order mark wins")
        }
        Self.removeDeclaration(&utf8)
        utf8.withUnsafeBytes { sanitize($0, final: final, emit: emit) }
    }

    /// The `encoding=` value of an XML declaration at the start (after whitespace), if any.
    static func declaredEncoding(_ bytes: [UInt8]) -> String? {
        guard let range = declarationRange(bytes) else { return nil }
        let declaration = String(decoding: bytes[range], as: UTF8.self)
        guard let key = declaration.range(of: "encoding") else { return nil }
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        var rest = declaration[key.upperBound...].drop(while: isSpace)
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop(while: isSpace)
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        let value = rest.dropFirst().prefix { $0 != quote }
        return String(value)
    }

    /// The byte range of `<?xml ...?>` when the document starts with one (after whitespace).
    static func declarationRange(_ bytes: [UInt8]) -> Range<Int>? {
        var start = 0
        while start < bytes.count, bytes[start].isXMLWhitespace { start += 1 }
        let marker: [UInt8] = Array("<?xml".utf8)
        guard bytes.count >= start + marker.count + 1, Array(bytes[start..<start + marker.count]) == marker,
            bytes[start + marker.count].isXMLWhitespace
        else { return nil }
        var index = start + marker.count
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "?") && bytes[index + 1] == UInt8(ascii: ">") {
                return start..<(index + 2)
            }
            index += 1
        }
        return nil
    }

    private static func removeDeclaration(_ bytes: inout [UInt8]) {
        if let range = declarationRange(bytes) { bytes.removeSubrange(range) }
    }

    static func encoding(forLabel label: String?) -> Encoding? {
        guard let label else { return .utf8 }
        switch label.lowercased().replacingOccurrences(of: "_", with: "-") {
        case "utf-8", "utf8", "us-ascii", "ascii": return .utf8
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso-latin-1": return .latin1
        case "windows-1252", "cp1252", "x-cp1252": return .windows1252
        case "utf-16", "utf-16le", "utf-16be", "utf-32", "utf-32le", "utf-32be", "ucs-2", "ucs-4": return nil
        default: return .other(label)
        }
    }

    // MARK: - Body

    private mutating func convert(_ chunk: UnsafeRawBufferPointer, final: Bool, emit: (UnsafeRawBufferPointer) -> Void)
    {
        switch encoding {
        case .utf8?, nil:
            sanitize(chunk, final: final, emit: emit)
        default:
            var utf8: [UInt8] = []
            transcode(chunk, final: final) { utf8.append(contentsOf: $0) }
            utf8.withUnsafeBytes { sanitize($0, final: final, emit: emit) }
        }
    }

    /// UTF-16 / Latin-1 / Windows-1252 / iconv encodings to UTF-8 (identity for UTF-8).
    private mutating func transcode(
        _ chunk: UnsafeRawBufferPointer, final: Bool, emit: (UnsafeRawBufferPointer) -> Void
    ) {
        switch encoding {
        case .other?:
            guard let iconv else { return emit(chunk) }
            replacedCharacters += iconv.convert(chunk, final: final, emit: emit)
        case .utf16LE?, .utf16BE?:
            var bytes = utf16Pending
            bytes.append(contentsOf: chunk)
            utf16Pending = []
            let littleEndian = encoding == .utf16LE
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count * 3 / 2)
            var index = 0
            while index + 1 < bytes.count {
                let unit =
                    littleEndian
                    ? UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
                    : UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
                index += 2
                if let high = highSurrogate {
                    highSurrogate = nil
                    if (0xDC00...0xDFFF).contains(unit) {
                        let scalar = 0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(unit - 0xDC00)
                        Self.appendUTF8(scalar, to: &out)
                        continue
                    }
                    replacedCharacters += 1
                    Self.appendUTF8(0xFFFD, to: &out)
                }
                if (0xD800...0xDBFF).contains(unit) {
                    highSurrogate = unit
                } else if (0xDC00...0xDFFF).contains(unit) {
                    replacedCharacters += 1
                    Self.appendUTF8(0xFFFD, to: &out)
                } else {
                    Self.appendUTF8(UInt32(unit), to: &out)
                }
            }
            if index < bytes.count { utf16Pending = [bytes[index]] }
            if final && (highSurrogate != nil || !utf16Pending.isEmpty) {
                replacedCharacters += 1
                Self.appendUTF8(0xFFFD, to: &out)
                highSurrogate = nil
                utf16Pending = []
            }
            out.withUnsafeBytes { emit($0) }
        case .latin1?, .windows1252?:
            var out: [UInt8] = []
            out.reserveCapacity(chunk.count + chunk.count / 8)
            for byte in chunk {
                if byte < 0x80 {
                    out.append(byte)
                } else if encoding == .windows1252, (0x80...0x9F).contains(byte) {
                    Self.appendUTF8(Self.windows1252High[Int(byte - 0x80)], to: &out)
                } else {
                    Self.appendUTF8(UInt32(byte), to: &out)
                }
            }
            out.withUnsafeBytes { emit($0) }
        default:
            emit(chunk)
        }
    }

    private static let windows1252High: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152,
        0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122,
        0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// Replaces what XML 1.0 forbids in a UTF-8 stream. Copies only when something changes.
    private mutating func sanitize(
        _ chunk: UnsafeRawBufferPointer, final: Bool, emit: (UnsafeRawBufferPointer) -> Void
    ) {
        if carry.isEmpty {
            sanitizeContiguous(chunk, final: final, emit: emit)
        } else {
            var joined = carry
            carry = []
            joined.append(contentsOf: chunk)
            joined.withUnsafeBytes { sanitizeContiguous($0, final: final, emit: emit) }
        }
    }

    private mutating func sanitizeContiguous(
        _ bytes: UnsafeRawBufferPointer, final: Bool, emit: (UnsafeRawBufferPointer) -> Void
    ) {
        let count = bytes.count
        var index = 0
        var runStart = 0
        var changed = false
        output.removeAll(keepingCapacity: true)

        func replace(_ from: Int, _ to: Int, with replacement: [UInt8]) {
            if !changed {
                changed = true
                output.reserveCapacity(count + 64)
            }
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<from]))
            output.append(contentsOf: replacement)
            runStart = to
            replacedCharacters += 1
        }

        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        scan: while index < count {
            // Runs of plain text (nearly all of a report) are skipped by a tight C loop; only the
            // byte it stops at goes through the cases below.
            if let base {
                index += vx_scan_plain(base + index, count - index, inCDATA ? 1 : 0)
                guard index < count else { break scan }
            }
            let byte = bytes[index]
            if byte >= 0x20 && byte < 0x80 && byte != UInt8(ascii: "&") && byte != UInt8(ascii: "<")
                && byte != UInt8(ascii: "]")
            {
                index += 1
                continue
            }
            if byte == UInt8(ascii: "<") {
                if !inCDATA {
                    guard index + 9 <= count || final else { break scan }
                    if index + 9 <= count && Self.matches(bytes, at: index, Self.cdataOpen) {
                        inCDATA = true
                        index += 9
                        cdataFrom = index
                        continue
                    }
                }
                index += 1
                continue
            }
            if byte == UInt8(ascii: "]") {
                if inCDATA {
                    guard index + 3 <= count || final else { break scan }
                    if index + 3 <= count && Self.matches(bytes, at: index, Self.cdataClose) {
                        inCDATA = false
                        cdataRun = 0
                        index += 3
                        continue
                    }
                }
                index += 1
                continue
            }
            if byte == 0x09 || byte == 0x0A || byte == 0x0D {
                index += 1
                continue
            }
            if byte < 0x20 {
                replace(index, index + 1, with: Self.controlPicture(UInt32(byte)))
                index += 1
                continue
            }
            if byte == UInt8(ascii: "&") {
                if inCDATA {  // a reference inside CDATA is literal text
                    index += 1
                    continue
                }
                switch Self.characterReference(bytes, at: index) {
                case .incomplete where !final:
                    break scan
                case .forbidden(let end, let scalar):
                    let picture = scalar < 0x20 ? 0x2400 + scalar : 0xFFFD
                    replace(index, end, with: Array("&#x\(String(picture, radix: 16, uppercase: true));".utf8))
                    index = end
                default:
                    index += 1
                }
                continue
            }
            // Multi-byte UTF-8.
            switch Self.utf8Sequence(bytes, at: index) {
            case .valid(let length):
                index += length
            case .incomplete where !final:
                break scan
            case .invalid, .incomplete:
                replace(index, index + 1, with: [0xEF, 0xBF, 0xBD])
                index += 1
            case .forbidden(let length):
                replace(index, index + length, with: [0xEF, 0xBF, 0xBD])
                index += length
            }
        }
        if index < count { carry = Array(UnsafeRawBufferPointer(rebasing: bytes[index..<count])) }
        if inCDATA {
            cdataRun += index - cdataFrom
            // libxml2 refuses a single CDATA section over 10 MB (without the unsafe HUGE option):
            // close and reopen long ones so a 20 MB system-out is read, not fatal.
            if cdataRun >= Self.cdataSplit, index > 0, bytes[index - 1] != UInt8(ascii: "]") {
                replace(index, index, with: Self.cdataReopen)
                replacedCharacters -= 1
                cdataRun = 0
            }
        }
        cdataFrom = 0
        if changed {
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
            output.withUnsafeBytes { emit($0) }
        } else {
            emit(UnsafeRawBufferPointer(rebasing: bytes[0..<index]))
        }
    }

    private static let cdataOpen: [UInt8] = Array("<![CDATA[".utf8)
    private static let cdataClose: [UInt8] = Array("]]>".utf8)
    private static let cdataReopen: [UInt8] = Array("]]><![CDATA[".utf8)
    private static let cdataSplit = 4 << 20

    private static func matches(_ bytes: UnsafeRawBufferPointer, at index: Int, _ pattern: [UInt8]) -> Bool {
        for (offset, expected) in pattern.enumerated() where bytes[index + offset] != expected { return false }
        return true
    }

    private static func controlPicture(_ scalar: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        appendUTF8(0x2400 + scalar, to: &out)
        return out
    }

    private enum Sequence {
        case valid(Int)
        case incomplete
        case invalid
        case forbidden(Int)
    }

    private static func utf8Sequence(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Sequence {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: (length, low) = (3, 0xA0)
        case 0xE1...0xEC, 0xEE, 0xEF: length = 3
        case 0xED: (length, high) = (3, 0x9F)
        case 0xF0: (length, low) = (4, 0x90)
        case 0xF1...0xF3: length = 4
        case 0xF4: (length, high) = (4, 0x8F)
        default: return .invalid
        }
        for offset in 1..<length {
            guard index + offset < bytes.count else { return .incomplete }
            let byte = bytes[index + offset]
            let range = offset == 1 ? low...high : 0x80...0xBF
            guard range.contains(byte) else { return .invalid }
        }
        // U+FFFE and U+FFFF are not XML characters.
        if lead == 0xEF, bytes[index + 1] == 0xBF, bytes[index + 2] >= 0xBE { return .forbidden(3) }
        return .valid(length)
    }

    private enum Reference {
        case notReference
        case incomplete
        case allowed
        case forbidden(end: Int, scalar: UInt32)
    }

    /// Looks at `&#...;` starting at `index`.
    private static func characterReference(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Reference {
        var cursor = index + 1
        guard cursor < bytes.count else { return .incomplete }
        guard bytes[cursor] == UInt8(ascii: "#") else { return .notReference }
        cursor += 1
        guard cursor < bytes.count else { return .incomplete }
        var radix: UInt32 = 10
        if bytes[cursor] == UInt8(ascii: "x") {
            radix = 16
            cursor += 1
        }
        var value: UInt32 = 0
        var digits = 0
        while cursor < bytes.count {
            let byte = bytes[cursor]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: digit = UInt32(byte - UInt8(ascii: "A") + 10)
            case UInt8(ascii: ";"):
                guard digits > 0 else { return .notReference }
                return isXMLCharacter(value) ? .allowed : .forbidden(end: cursor + 1, scalar: value)
            default:
                return .notReference
            }
            digits += 1
            if digits > 10 { return .notReference }
            value = value &* radix &+ digit
            cursor += 1
        }
        return .incomplete
    }

    static func isXMLCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
