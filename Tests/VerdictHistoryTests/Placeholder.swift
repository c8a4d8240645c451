import Testing

@testable import VerdictHistory

@Suite("History placeholder")
struct HistoryPlaceholderTests {
    @Test("the SQL placeholders are numbered for PostgreSQL")
    func numbered() {
        #expect(HistorySQL.numbered("a = ? AND b = ?") == "a = $1 AND b = $2")
    }
}
