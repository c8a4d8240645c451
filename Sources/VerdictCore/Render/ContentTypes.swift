import Mustache

/// Escaping per output format, chosen by each template's `{{% CONTENT_TYPE: NAME }}` pragma:
/// `{{value}}` is escaped for the format, `{{{value}}}` is raw. Characters XML and HTML forbid
/// (control characters) become their visible Unicode control pictures in every format.
enum ContentTypes {
    /// Registers Verdict's types once (swift-mustache resolves pragmas while parsing).
    static let registered: Void = {
        MustacheContentTypes.register(HTMLEscaping(), named: "HTML")
        MustacheContentTypes.register(MarkdownEscaping(), named: "MARKDOWN")
        MustacheContentTypes.register(XMLEscaping(), named: "XML")
        MustacheContentTypes.register(HTMLEscaping(newlines: .characterReference), named: "HTML-IN-MARKDOWN")
    }()

    /// Control characters other than tab, LF and CR, as U+2400 pictures; U+FFFE/U+FFFF as U+FFFD.
    static func visible(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar.value {
        case 0x00...0x08, 0x0B, 0x0C, 0x0E...0x1F: Unicode.Scalar(0x2400 + scalar.value)
        case 0x7F: Unicode.Scalar(0x2421)
        case 0xFFFE, 0xFFFF: Unicode.Scalar(0xFFFD)
        default: nil
        }
    }

    static func needsWork(_ text: String, special: (UInt8) -> Bool) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == 0x7F || $0 == 0xEF || special($0) }
    }
}

/// Markup escaping shared by HTML and XML: `& < > "` as entities, the apostrophe as each format
/// spells it, chosen whitespace as character references, control characters made visible.
struct MarkupEscaping: Sendable {
    let apostrophe: String
    /// Whitespace written as character references instead of itself.
    let references: Set<Unicode.Scalar>
    /// All references are ASCII (the byte-level path applies).
    private let asciiReferences: Bool
    /// No reference is printable ASCII (printable bytes other than `& < > " '` need nothing).
    private let printableNeedsNothing: Bool

    init(apostrophe: String, references: Set<Unicode.Scalar>) {
        self.apostrophe = apostrophe
        self.references = references
        asciiReferences = references.allSatisfy(\.isASCII)
        printableNeedsNothing = !references.contains { $0.value >= 0x20 && $0.value < 0x7F }
    }

    func escape(_ text: String) -> String {
        guard
            ContentTypes.needsWork(
                text, special: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 })
        else { return text }
        guard asciiReferences else { return escapeScalars(text) }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 64)
        escapeBytes(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `escape(text)`'s UTF-8 bytes appended to `out` (no string in between).
    func escape(_ text: String, into out: inout [UInt8]) {
        guard asciiReferences else {
            out.append(contentsOf: escapeScalars(text).utf8)
            return
        }
        escapeBytes(text, into: &out)
    }

    /// On the UTF-8 bytes: every byte that needs nothing is copied in runs (failure texts and
    /// output are long; appending scalar by scalar was the merged JUnit's hot spot).
    private func escapeBytes(_ text: String, into out: inout [UInt8]) {
        let shortcut = printableNeedsNothing
        var copy = text
        copy.withUTF8 { bytes in
            var runStart = 0
            var index = 0
            func replace(_ length: Int, with replacement: some Sequence<UInt8>) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                out.append(contentsOf: replacement)
                index += length
                runStart = index
            }
            while index < bytes.count {
                let byte = bytes[index]
                // Printable ASCII other than & < > " ' needs nothing.
                if shortcut && byte >= 0x20 && byte < 0x7F && byte != 0x26 && byte != 0x3C && byte != 0x3E
                    && byte != 0x22
                    && byte != 0x27
                {
                    index += 1
                    continue
                }
                switch byte {
                case 0x26: replace(1, with: "&amp;".utf8)
                case 0x3C: replace(1, with: "&lt;".utf8)
                case 0x3E: replace(1, with: "&gt;".utf8)
                case 0x22: replace(1, with: "&quot;".utf8)
                case 0x27: replace(1, with: apostrophe.utf8)
                case _ where byte < 0x80 && references.contains(Unicode.Scalar(byte)):
                    replace(1, with: "&#\(byte);".utf8)
                case 0x00...0x08, 0x0B, 0x0C, 0x0E...0x1F:
                    // U+2400 + byte, as UTF-8.
                    replace(1, with: [0xE2, 0x90, 0x80 + byte])
                case 0x7F: replace(1, with: [0xE2, 0x90, 0xA1])
                case 0xEF where index + 2 < bytes.count && bytes[index + 1] == 0xBF && bytes[index + 2] >= 0xBE:
                    replace(3, with: [0xEF, 0xBF, 0xBD])
                default: index += 1
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
    }

    /// The same, scalar by scalar (for whitespace references outside ASCII, which no format uses today).
    func escapeScalars(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += apostrophe
            default:
                if references.contains(scalar) {
                    out += "&#\(scalar.value);"
                } else {
                    out.unicodeScalars.append(ContentTypes.visible(scalar) ?? scalar)
                }
            }
        }
        return out
    }
}

/// HTML text and attribute values. Inside Markdown (an HTML block in a PR comment) line breaks
/// become `&#10;`: a blank line would end the HTML block and let the rest be read as Markdown.
struct HTMLEscaping: MustacheContentType {
    enum Newlines: Sendable {
        case keep
        case characterReference
    }

    var newlines: Newlines = .keep

    private static let plain = MarkupEscaping(apostrophe: "&#39;", references: [])
    private static let inMarkdown = MarkupEscaping(apostrophe: "&#39;", references: ["\n", "\r"])

    func escapeText(_ text: String) -> String {
        (newlines == .keep ? Self.plain : Self.inMarkdown).escape(text)
    }
}

/// XML 1.0 text and attribute values: tab, LF and CR as character references (so attribute values
/// keep their line breaks).
struct XMLEscaping: MustacheContentType {
    private static let markup = MarkupEscaping(apostrophe: "&apos;", references: ["\n", "\r", "\t"])

    func escapeText(_ text: String) -> String { Self.markup.escape(text) }

    /// `escapeText(text)`'s UTF-8 bytes appended to `out`.
    static func escape(_ text: String, into out: inout [UInt8]) { markup.escape(text, into: &out) }
}

/// GitHub-flavoured Markdown inline text, safe inside table cells: HTML is shown as text, Markdown
/// punctuation is backslash-escaped, `|` cannot split a cell and a newline becomes `<br>`.
struct MarkdownEscaping: MustacheContentType {
    /// What can start inline Markdown (emphasis, code, links, tables, strikethrough, math, references).
    private static let punctuation: Set<Unicode.Scalar> = ["\\", "`", "*", "_", "[", "]", "|", "~", "$", "#"]

    func escapeText(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        var previousWasNewline = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" { continue }
            if scalar == "\n" {
                if !previousWasNewline { out += "<br>" }
                previousWasNewline = true
                continue
            }
            previousWasNewline = false
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\t": out += " "
            default:
                if Self.punctuation.contains(scalar) {
                    out += "\\"
                    out.unicodeScalars.append(scalar)
                } else {
                    out.unicodeScalars.append(ContentTypes.visible(scalar) ?? scalar)
                }
            }
        }
        return out
    }
}
