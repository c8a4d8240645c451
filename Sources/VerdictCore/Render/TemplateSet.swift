import Mustache

/// Why rendering could not start. Each message names the template and what to fix.
public enum RenderError: Error, Sendable, Hashable, CustomStringConvertible {
    case templateSyntax(name: String, line: Int, column: Int, message: String)
    case missingTemplate(name: String)

    public var description: String {
        switch self {
        case .templateSyntax(let name, let line, let column, let message):
            "template \(name).mustache, line \(line), column \(column): \(message)"
        case .missingTemplate(let name):
            "no template named \(name).mustache (built-in templates: "
                + TemplateSet.builtInNames.joined(separator: ", ") + ")"
        }
    }
}

/// The templates a report renders with: the built-in ones from `Templates/` (embedded in the
/// binary), each replaceable by a user's file of the same name (`--templates DIR`).
///
/// Every known template renders with its format's escaping whatever its text says: the content
/// type pragma is put in front of it, so an override cannot turn escaping off by omission.
public struct TemplateSet: Sendable {
    let library: MustacheLibrary
    /// The per-test templates on the fast path, when their text allows it.
    private let fast: [String: CompiledTemplate]
    /// `junit-case` is the built-in text (not overridden): a plain passing case can be written directly.
    let builtInCase: Bool

    /// The content type each built-in template name renders with.
    static let contentTypes: [String: String] = [
        "report.html": "HTML",
        "report.md": "MARKDOWN",
        "report.md.failure": "HTML-IN-MARKDOWN",
        "html-style": "HTML",
        "html-script": "HTML",
        "compare.html": "HTML",
        "compare.md": "MARKDOWN",
        "flaky.md": "MARKDOWN",
        "trends.md": "MARKDOWN",
        "flaky.html": "HTML",
        "trends.html": "HTML",
        "junit-header": "XML",
        "junit-suite-header": "XML",
        "junit-case": "XML",
        "junit-suite-footer": "XML",
        "junit-footer": "XML",
    ]

    public static var builtInNames: [String] { EmbeddedTemplates.all.keys.sorted() }

    /// The text of a built-in template.
    public static func builtInText(_ name: String) -> String? { EmbeddedTemplates.all[name] }

    /// Built-in templates, with `overrides` (name without `.mustache` to text) replacing or adding.
    public init(overrides: [String: String] = [:]) throws(RenderError) {
        _ = ContentTypes.registered
        var texts = EmbeddedTemplates.all
        texts.merge(overrides) { _, user in user }
        var library = MustacheLibrary()
        var fast: [String: CompiledTemplate] = [:]
        for (name, text) in texts {
            if name == "junit-case", let compiled = CompiledTemplate(text, escape: XMLEscaping().escapeText) {
                fast[name] = compiled
            }
            let source = Self.contentTypes[name].map { "{{% CONTENT_TYPE: \($0) }}" + text } ?? text
            do {
                try library.register(source, named: name)
            } catch let error as MustacheTemplate.ParserError {
                throw .templateSyntax(
                    name: name, line: error.context.lineNumber, column: error.context.columnNumber,
                    message: String(describing: error.error))
            } catch {
                throw .templateSyntax(name: name, line: 0, column: 0, message: String(describing: error))
            }
        }
        self.library = library
        self.fast = fast
        builtInCase = texts["junit-case"] == EmbeddedTemplates.all["junit-case"]
    }

    /// The fast-path form of a per-test template, if it has one.
    func compiled(_ name: String) -> CompiledTemplate? { fast[name] }

    func render(_ context: Any, _ name: String) throws(RenderError) -> String {
        guard let text = library.render(context, withTemplate: name) else { throw .missingTemplate(name: name) }
        return text
    }
}
