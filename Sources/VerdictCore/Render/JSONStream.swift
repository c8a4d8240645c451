import Foundation

/// Writes JSON in exactly the bytes `JSONEncoder` gives with `[.prettyPrinted, .sortedKeys,
/// .withoutEscapingSlashes]` (two-space indent, `"key" : value`, an empty container as an empty line,
/// numbers as Swift prints them without a trailing `.0`), but straight into a buffer handed to `sink`
/// in slices, with no tree of values in between. Callers give keys in sorted (byte) order and leave
/// out nil optionals as synthesized `Codable` does; `ReportJSONTests` pins the bytes against
/// `JSONEncoder`.
struct JSONStream {
    private var buffer: [UInt8] = []
    private let sink: ([UInt8]) -> Void
    private let sliceSize: Int
    /// For each open container: whether it has an element yet.
    private var open: [Bool] = []

    init(sliceSize: Int = 1 << 20, sink: @escaping ([UInt8]) -> Void) {
        self.sink = sink
        self.sliceSize = sliceSize
        buffer.reserveCapacity(sliceSize + 4096)
    }

    /// Hands over what is buffered; call once at the end.
    mutating func finish() {
        if !buffer.isEmpty { sink(buffer) }
        buffer.removeAll()
    }

    private mutating func spill() {
        if buffer.count >= sliceSize {
            sink(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    private mutating func newlineAndIndent() {
        buffer.append(0x0A)
        for _ in 0..<open.count * 2 { buffer.append(0x20) }
    }

    /// Before an element of the innermost container.
    private mutating func separate() {
        guard let hasElements = open.last else { return }
        if hasElements { buffer.append(UInt8(ascii: ",")) }
        open[open.count - 1] = true
        newlineAndIndent()
    }

    private mutating func begin(_ bracket: UInt8) {
        buffer.append(bracket)
        open.append(false)
    }

    private mutating func end(_ bracket: UInt8) {
        let hadElements = open.removeLast()
        if !hadElements { buffer.append(0x0A) }
        newlineAndIndent()
        buffer.append(bracket)
        spill()
    }

    // MARK: Containers

    mutating func object(_ body: (inout JSONStream) -> Void) {
        begin(UInt8(ascii: "{"))
        body(&self)
        end(UInt8(ascii: "}"))
    }

    mutating func array<S: Sequence>(_ elements: S, _ write: (inout JSONStream, S.Element) -> Void) {
        begin(UInt8(ascii: "["))
        for element in elements {
            separate()
            write(&self, element)
        }
        end(UInt8(ascii: "]"))
    }

    /// The same bytes as `array(_:_:)`; a long array's second half is written on another thread
    /// meanwhile (into memory), then handed to the sink after the first half.
    mutating func array<T: Sendable>(
        concurrently elements: [T], _ write: @escaping @Sendable (inout JSONStream, T) -> Void
    ) {
        guard elements.count >= Self.concurrentArrayMinimum, ProcessInfo.processInfo.activeProcessorCount > 1 else {
            array(elements, write)
            return
        }
        begin(UInt8(ascii: "["))
        let middle = elements.count / 2
        var state = open
        state[state.count - 1] = true
        let (secondHalf, _) = Concurrently.both(
            { [state, size = sliceSize] in
                var bytes: [UInt8] = []
                var stream = JSONStream(sliceSize: size) { bytes.append(contentsOf: $0) }
                stream.open = state
                for element in elements[middle...] {
                    stream.separate()
                    write(&stream, element)
                }
                stream.finish()
                return bytes
            },
            {
                for element in elements[..<middle] {
                    separate()
                    write(&self, element)
                }
            })
        if !buffer.isEmpty {
            sink(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
        var start = 0
        while start < secondHalf.count {
            let end = min(start + sliceSize, secondHalf.count)
            sink(Array(secondHalf[start..<end]))
            start = end
        }
        open[open.count - 1] = true
        end(UInt8(ascii: "]"))
    }

    /// Arrays at least this long are written on two threads.
    static let concurrentArrayMinimum = 20_000

    /// Starts the member `name` of the current object; the value follows.
    mutating func key(_ name: StaticString) {
        separate()
        buffer.append(UInt8(ascii: "\""))
        buffer.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        buffer.append(UInt8(ascii: "\""))
        buffer.append(0x20)
        buffer.append(UInt8(ascii: ":"))
        buffer.append(0x20)
    }

    // MARK: Members (key and value)

    mutating func member(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }

    mutating func member(_ name: StaticString, _ value: String?, omitNil: Bool = true) {
        guard let value else {
            if !omitNil {
                key(name)
                null()
            }
            return
        }
        member(name, value)
    }

    mutating func member(_ name: StaticString, _ value: Int) {
        key(name)
        int(value)
    }

    mutating func member(_ name: StaticString, _ value: Int?) {
        guard let value else { return }
        member(name, value)
    }

    mutating func member(_ name: StaticString, _ value: Double) {
        key(name)
        double(value)
    }

    mutating func member(_ name: StaticString, _ value: Double?, omitNil: Bool = true) {
        guard let value else {
            if !omitNil {
                key(name)
                null()
            }
            return
        }
        member(name, value)
    }

    mutating func member(_ name: StaticString, _ value: Bool) {
        key(name)
        let text: StaticString = value ? "true" : "false"
        buffer.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func member(_ name: StaticString, strings: [String]) {
        key(name)
        array(strings) { $0.string($1) }
    }

    mutating func member(_ name: StaticString, ints: [Int]) {
        key(name)
        array(ints) { $0.int($1) }
    }

    /// A member written by `JSONEncoder` itself (small, rarely present values), re-indented to
    /// this depth.
    mutating func encoded(_ name: StaticString, _ value: some Encodable) {
        key(name)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        let indent = [UInt8](repeating: 0x20, count: open.count * 2)
        var previous: UInt8 = 0
        for byte in data {
            // Indent every line but empty ones (an empty container's inner line stays empty).
            if previous == 0x0A && byte != 0x0A { buffer.append(contentsOf: indent) }
            buffer.append(byte)
            previous = byte
        }
        spill()
    }

    // MARK: Values

    mutating func null() {
        buffer.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
    }

    mutating func int(_ value: Int) {
        if value >= 0 && value < 10 {
            buffer.append(UInt8(ascii: "0") + UInt8(value))
        } else {
            buffer.append(contentsOf: String(value).utf8)
        }
    }

    /// As `JSONEncoder` writes a Double: Swift's shortest description, without a trailing `.0`.
    mutating func double(_ value: Double) {
        if value == 0 {
            buffer.append(
                contentsOf: value.sign == .minus ? [UInt8(ascii: "-"), UInt8(ascii: "0")] : [UInt8(ascii: "0")])
            return
        }
        let text = value.description.utf8
        if text.count > 2, text.hasSuffix(".0".utf8) {
            buffer.append(contentsOf: text.dropLast(2))
        } else {
            buffer.append(contentsOf: text)
        }
    }

    mutating func string(_ value: String) {
        buffer.append(UInt8(ascii: "\""))
        var copy = value
        copy.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): buffer.append(contentsOf: [0x5C, UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): buffer.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: buffer.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: buffer.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: buffer.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x08: buffer.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: buffer.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    buffer.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    buffer.append(hex[Int(byte >> 4)])
                    buffer.append(hex[Int(byte & 0x0F)])
                }
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        buffer.append(UInt8(ascii: "\""))
        if buffer.count >= sliceSize { spill() }
    }
}

extension Collection where Element == UInt8 {
    fileprivate func hasSuffix(_ suffix: String.UTF8View) -> Bool {
        count >= suffix.count && zip(self.suffix(suffix.count), suffix).allSatisfy { $0 == $1 }
    }
}
