/// A fast path for templates rendered once per test (the merged JUnit's `junit-case`): the
/// template is parsed once into literal pieces and slots, and records are written through typed
/// values, with none of the dynamic casts a general engine needs per value. It implements the
/// Mustache subset those templates use (variables, `{{{raw}}}`, sections, inverted sections,
/// comments, standalone lines) with swift-mustache's truthiness; anything else (partials, lambdas,
/// delimiter changes) makes `init` fail, and the caller keeps swift-mustache.
struct CompiledTemplate: Sendable {
    /// A typed view-model value.
    enum Value: Sendable {
        case text(String)
        case number(Int)
        case bool(Bool)
        case object([String: Value])
        case list([Value])
    }

    indirect enum Node: Sendable {
        case literal(String)
        case variable([String], escaped: Bool)
        case section([String], inverted: Bool, [Node])
    }

    let nodes: [Node]
    let escape: @Sendable (String) -> String

    init?(_ text: String, escape: @escaping @Sendable (String) -> String) {
        guard let tokens = Self.tokenize(text), let (nodes, rest) = Self.parse(tokens[...], closing: nil), rest.isEmpty
        else { return nil }
        self.nodes = nodes
        self.escape = escape
    }

    func render(_ context: Value) -> String {
        var out = ""
        out.reserveCapacity(256)
        var stack = [context]
        render(nodes, &stack, &out)
        return out
    }

    private func render(_ nodes: [Node], _ stack: inout [Value], _ out: inout String) {
        for node in nodes {
            switch node {
            case .literal(let text):
                out += text
            case .variable(let path, let escaped):
                guard let value = lookup(path, stack) else { continue }
                let text: String
                switch value {
                case .text(let string): text = string
                case .number(let number): text = String(number)
                case .bool(let flag): text = flag ? "true" : "false"
                case .object, .list: continue
                }
                out += escaped ? escape(text) : text
            case .section(let path, let inverted, let children):
                let value = lookup(path, stack)
                let truthy: Bool
                switch value {
                case nil: truthy = false
                case .bool(let flag)?: truthy = flag
                case .list(let items)?: truthy = !items.isEmpty
                default: truthy = true
                }
                if inverted {
                    if !truthy { render(children, &stack, &out) }
                    continue
                }
                guard truthy, let value else { continue }
                switch value {
                case .list(let items):
                    for item in items {
                        stack.append(item)
                        render(children, &stack, &out)
                        stack.removeLast()
                    }
                case .bool:
                    render(children, &stack, &out)
                default:
                    stack.append(value)
                    render(children, &stack, &out)
                    stack.removeLast()
                }
            }
        }
    }

    private func lookup(_ path: [String], _ stack: [Value]) -> Value? {
        guard let first = path.first else { return nil }
        if first == "." { return stack.last }
        var found: Value?
        for frame in stack.reversed() {
            if case .object(let fields) = frame, let value = fields[first] {
                found = value
                break
            }
        }
        for key in path.dropFirst() {
            guard case .object(let fields)? = found else { return nil }
            found = fields[key]
        }
        return found
    }

    // MARK: - Parsing

    private enum Token {
        case text(String)
        case tag(kind: Character, name: String)  // kind: v variable, r raw, #, ^, /, !, %
    }

    /// Splits into text and tags, removing standalone lines (a line holding only one section,
    /// inverted, closing, comment or pragma tag and whitespace), as the Mustache spec does.
    private static func tokenize(_ text: String) -> [Token]? {
        var tokens: [Token] = []
        var lines: [Substring] = []
        var start = text.startIndex
        while let newline = text[start...].firstIndex(of: "\n") {
            lines.append(text[start...newline])
            start = text.index(after: newline)
        }
        if start < text.endIndex { lines.append(text[start...]) }
        for line in lines {
            guard let lineTokens = tokenizeLine(line) else { return nil }
            let tags = lineTokens.filter { if case .tag = $0 { return true } else { return false } }
            let standalone =
                tags.count == 1
                && lineTokens.allSatisfy { token in
                    switch token {
                    case .text(let string):
                        return string.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r\n" }
                    case .tag(let kind, _): return "#^/!%".contains(kind)
                    }
                }
            tokens += standalone ? tags : lineTokens
        }
        return tokens
    }

    private static func tokenizeLine(_ line: Substring) -> [Token]? {
        var tokens: [Token] = []
        var rest = line
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { tokens.append(.text(String(rest[..<open.lowerBound]))) }
            let afterOpen = rest[open.upperBound...]
            if afterOpen.hasPrefix("{") {
                guard let close = afterOpen.range(of: "}}}") else { return nil }
                let name = afterOpen[afterOpen.index(after: afterOpen.startIndex)..<close.lowerBound]
                tokens.append(.tag(kind: "r", name: name.trimmingCharacters()))
                rest = afterOpen[close.upperBound...]
                continue
            }
            guard let close = afterOpen.range(of: "}}") else { return nil }
            let body = afterOpen[..<close.lowerBound].trimmingCharacters()
            rest = afterOpen[close.upperBound...]
            guard let kind = body.first else { return nil }
            switch kind {
            case "#", "^", "/", "!", "%":
                tokens.append(.tag(kind: kind, name: String(body.dropFirst()).trimmingWhitespace()))
            case "&":
                tokens.append(.tag(kind: "r", name: String(body.dropFirst()).trimmingWhitespace()))
            case ">", "<", "$", "=":
                return nil  // partials, inheritance, delimiters: not on the fast path
            default:
                guard !body.contains("(") else { return nil }  // transforms
                tokens.append(.tag(kind: "v", name: body))
            }
        }
        if !rest.isEmpty { tokens.append(.text(String(rest))) }
        return tokens
    }

    private static func parse(_ tokens: ArraySlice<Token>, closing: String?) -> ([Node], ArraySlice<Token>)? {
        var nodes: [Node] = []
        var rest = tokens
        while let token = rest.first {
            rest = rest.dropFirst()
            switch token {
            case .text(let text):
                if case .literal(let previous)? = nodes.last {
                    nodes[nodes.count - 1] = .literal(previous + text)
                } else {
                    nodes.append(.literal(text))
                }
            case .tag(let kind, let name):
                let path = name == "." ? ["."] : name.split(separator: ".").map(String.init)
                switch kind {
                case "v": nodes.append(.variable(path, escaped: true))
                case "r": nodes.append(.variable(path, escaped: false))
                case "#", "^":
                    guard let (children, after) = parse(rest, closing: name) else { return nil }
                    nodes.append(.section(path, inverted: kind == "^", children))
                    rest = after
                case "/":
                    return name == closing ? (nodes, rest) : nil
                case "%":
                    return nil  // a content type of its own: leave it to swift-mustache
                default:
                    break  // comments
                }
            }
        }
        return closing == nil ? (nodes, rest) : nil
    }
}

extension CompiledTemplate.Value {
    /// The same value for swift-mustache (dictionaries, arrays, strings, numbers, booleans).
    var any: Any {
        switch self {
        case .text(let text): text
        case .number(let number): number
        case .bool(let flag): flag
        case .object(let fields): fields.mapValues(\.any)
        case .list(let items): items.map(\.any)
        }
    }
}
