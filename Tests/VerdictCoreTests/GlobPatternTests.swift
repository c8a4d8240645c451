import Testing

@testable import VerdictCore

@Suite("Glob patterns")
struct GlobPatternTests {
    @Test("base directory is the literal prefix")
    func base() {
        #expect(GlobPattern("build/**/TEST-*.xml").baseDirectory == "build")
        #expect(GlobPattern("*.xml").baseDirectory == ".")
        #expect(GlobPattern("/tmp/r/*/x.xml").baseDirectory == "/tmp/r")
    }

    @Test(
        "matching",
        arguments: [
            ("build/**/TEST-*.xml", "TEST-a.xml", true), ("build/**/TEST-*.xml", "a/b/TEST-a.xml", true),
            ("build/**/TEST-*.xml", "a/b/other.xml", false), ("r/*/x.xml", "rspec/x.xml", true),
            ("r/*/x.xml", "a/b/x.xml", false), ("r/?.xml", "a.xml", true), ("r/[ab].xml", "c.xml", false),
        ] as [(String, String, Bool)])
    func matching(_ pattern: String, _ path: String, _ expected: Bool) {
        #expect(GlobPattern(pattern).matches(relativePath: path) == expected)
    }
}
