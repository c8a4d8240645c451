internal import CXMLShim
import Foundation

/// Elements the JUnit reader distinguishes; mirrors `vx_element` of the C shim.
enum JUnitElement: Int32 {
    case other = 0
    case testsuites, testsuite, testcase
    case failure, error, skipped
    case flakyFailure, flakyError, rerunFailure, rerunError
    case systemOut, systemErr, properties, property, stackTrace
}

/// The attributes of one start tag, valid only during the callback that received them.
struct XMLAttributes {
    fileprivate let base: UnsafePointer<vx_attribute>?
    fileprivate let count: Int32

    /// The decoded value of the attribute, or nil when absent.
    func string(_ name: StaticString) -> String? {
        bytes(name).map(Self.decode)
    }

    /// The attribute's bytes as libxml2 hands them over (valid during the callback), or nil when absent.
    func bytes(_ name: StaticString) -> UnsafeBufferPointer<UInt8>? {
        // StaticString literals are stored NUL-terminated.
        let cName = UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
        let index = vx_attribute_index(base, count, cName)
        guard index >= 0, let base else { return nil }
        let attribute = base[Int(index)]
        return UnsafeBufferPointer(start: attribute.value, count: Int(attribute.length))
    }

    /// The attribute's value as a string, reusing the cached string when the bytes are the same as
    /// last time (the classname and file of consecutive test cases usually are).
    func string(_ name: StaticString, cache: inout AttributeCache<String>) -> String? {
        guard let value = bytes(name) else { return nil }
        return cache.value(for: value, Self.decode)
    }

    /// How libxml2 hands over a literal `&` inside an attribute value.
    private static let ampersandReference = Array("&#38;".utf8)

    static func decode(_ value: UnsafeBufferPointer<UInt8>) -> String {
        // Without entity substitution (never XML_PARSE_NOENT), libxml2's SAX2 hands over every `&`
        // of an attribute value as the reference `&#38;`; every other reference arrives decoded.
        guard let start = value.baseAddress, memchr(start, Int32(UInt8(ascii: "&")), value.count) != nil else {
            return String(decoding: value, as: UTF8.self)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.count)
        var index = 0
        while index < value.count {
            bytes.append(value[index])
            let isReference =
                value[index] == UInt8(ascii: "&") && index + ampersandReference.count <= value.count
                && value[index..<index + ampersandReference.count].elementsEqual(ampersandReference)
            index += isReference ? ampersandReference.count : 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The last raw attribute value seen and what was made of it: one string for a run of equal values
/// (less allocation, and equal strings that share storage compare and hash cheaply downstream).
struct AttributeCache<Value> {
    private var raw: [UInt8] = []
    private var made: Value?

    mutating func value(
        for bytes: UnsafeBufferPointer<UInt8>, _ make: (UnsafeBufferPointer<UInt8>) -> Value
    ) -> Value {
        if let made, bytes.count == raw.count, Self.same(raw, bytes) { return made }
        let value = make(bytes)
        raw.removeAll(keepingCapacity: true)
        raw.append(contentsOf: bytes)
        made = value
        return value
    }

    private static func same(_ raw: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        raw.withUnsafeBufferPointer { mine in
            guard let a = mine.baseAddress, let b = bytes.baseAddress else { return mine.count == bytes.count }
            return memcmp(a, b, bytes.count) == 0
        }
    }
}

/// The receiver of parse events. Callbacks run synchronously inside `XMLPushParser.feed`.
protocol XMLEventHandler: AnyObject {
    func startElement(_ element: JUnitElement, localName: UnsafePointer<CChar>, attributes: XMLAttributes)
    func endElement(_ element: JUnitElement)
    func text(_ bytes: UnsafeRawBufferPointer)
}

/// Where and why the document stopped being well-formed.
struct XMLParseFailure: Sendable, Hashable {
    var message: String
    var line: Int
    var column: Int
    var refusedDoctype: Bool
    /// The input ended before the document did (a truncated file).
    var atEnd = false
}

/// libxml2's SAX2 push parser behind a Swift face: feed chunks, get events.
final class XMLPushParser {
    private var parser: OpaquePointer?
    private let box: Unmanaged<HandlerBox>
    private(set) var failure: XMLParseFailure?

    private final class HandlerBox {
        /// Unowned without the per-callback retain of `unowned(safe)`: the handler owns this parser
        /// (`JUnitReader.parser`), so it outlives every callback.
        unowned(unsafe) let handler: any XMLEventHandler
        init(_ handler: any XMLEventHandler) { self.handler = handler }
    }

    init(handler: any XMLEventHandler) {
        box = Unmanaged.passRetained(HandlerBox(handler))
        parser = vx_parser_create(
            box.toOpaque(),
            { context, element, localName, count, attributes in
                guard let context else { return }
                let handler = Unmanaged<HandlerBox>.fromOpaque(context).takeUnretainedValue().handler
                handler.startElement(
                    JUnitElement(rawValue: element) ?? .other, localName: localName,
                    attributes: XMLAttributes(base: attributes, count: count))
            },
            { context, element in
                guard let context else { return }
                Unmanaged<HandlerBox>.fromOpaque(context).takeUnretainedValue().handler
                    .endElement(JUnitElement(rawValue: element) ?? .other)
            },
            { context, bytes, length in
                guard let context else { return }
                Unmanaged<HandlerBox>.fromOpaque(context).takeUnretainedValue().handler
                    .text(UnsafeRawBufferPointer(start: bytes, count: Int(length)))
            })
        if parser == nil {
            failure = XMLParseFailure(
                message: "could not create an XML parser (out of memory)", line: 0, column: 0, refusedDoctype: false)
        }
    }

    deinit {
        vx_parser_free(parser)
        box.release()
    }

    /// Feeds bytes; returns false once the document is no longer well-formed (or was stopped).
    @discardableResult
    func feed(_ bytes: UnsafeRawBufferPointer, terminate: Bool = false) -> Bool {
        guard failure == nil, let parser else { return false }
        var offset = 0
        repeat {
            // libxml2 takes an Int32 length: feed very large buffers in slices.
            let length = min(bytes.count - offset, 1 << 30)
            let isLast = offset + length >= bytes.count
            let base = bytes.baseAddress.map { $0.advanced(by: offset).assumingMemoryBound(to: CChar.self) }
            let rc = vx_parser_feed(parser, base, Int32(length), terminate && isLast ? 1 : 0)
            if rc != 0 {
                failure = XMLParseFailure(
                    message: Self.explain(String(cString: vx_parser_error_message(parser))),
                    line: Int(vx_parser_error_line(parser)),
                    column: Int(vx_parser_error_column(parser)),
                    refusedDoctype: vx_parser_refused_doctype(parser) != 0,
                    atEnd: terminate && length == 0)
                return false
            }
            offset += length
        } while offset < bytes.count
        return true
    }

    /// Ends the document: reports a truncated or empty document as a failure.
    @discardableResult
    func finish() -> Bool {
        feed(UnsafeRawBufferPointer(start: nil, count: 0), terminate: true)
    }

    /// libxml2's words, with a hint where they are cryptic.
    static func explain(_ message: String) -> String {
        if message.contains("Huge input lookup") || message.contains("too long") {
            return message + " (a single attribute value or text is larger than the XML parser's 10 MB limit)"
        }
        return message
    }

    /// Stops from inside a callback; the caller records why.
    func stop() {
        if let parser { vx_parser_stop(parser) }
    }

    /// The line being parsed, for warnings raised inside callbacks.
    var currentLine: Int {
        guard let parser else { return 0 }
        return Int(vx_parser_current_line(parser))
    }
}

/// A streaming conversion to UTF-8 through the system's iconv, for declared encodings Verdict does
/// not decode itself (Shift_JIS, windows-1251, ISO-8859-15, ...).
final class IconvTranscoder {
    private let transcoder: OpaquePointer
    private var pending: [UInt8] = []
    private var output = [UInt8](repeating: 0, count: 256 * 1024)

    init?(encoding: String) {
        guard let transcoder = vx_transcoder_create(encoding) else { return nil }
        self.transcoder = transcoder
    }

    deinit { vx_transcoder_free(transcoder) }

    /// Converts a chunk (keeping an incomplete character for the next call unless `final`);
    /// returns how many invalid bytes became U+FFFD.
    func convert(_ chunk: UnsafeRawBufferPointer, final: Bool, emit: (UnsafeRawBufferPointer) -> Void) -> Int {
        var input = pending
        input.append(contentsOf: chunk)
        pending = []
        var offset = 0
        var invalidTotal = 0
        let capacity = output.count
        while offset < input.count {
            var consumed = 0
            var invalid = 0
            let written = input.withUnsafeBytes { raw in
                output.withUnsafeMutableBytes { out -> Int in
                    guard let target = out.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
                    return vx_transcode(
                        transcoder, raw.baseAddress?.advanced(by: offset).assumingMemoryBound(to: UInt8.self),
                        input.count - offset, target, capacity, final ? 1 : 0, &consumed, &invalid)
                }
            }
            invalidTotal += invalid
            output.withUnsafeBytes { emit(UnsafeRawBufferPointer(rebasing: $0[0..<written])) }
            offset += consumed
            if consumed == 0 && written == 0 { break }  // an incomplete character waits for more input
        }
        if offset < input.count { pending = Array(input[offset...]) }
        if final && !pending.isEmpty {
            // A character cut off by the end of the file.
            invalidTotal += 1
            pending = []
            [UInt8]([0xEF, 0xBF, 0xBD]).withUnsafeBytes { emit($0) }
        }
        return invalidTotal
    }
}
