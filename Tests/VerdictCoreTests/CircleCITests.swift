import Foundation
import Testing

@testable import VerdictCore

@Suite("CircleCI inputs")
struct CircleCITests {
    func decode(_ name: String) throws -> CircleCIDocument {
        try CircleCIDecoder.decode(Data(contentsOf: Paths.circleci.appendingPathComponent(name)))
    }

    func items(_ document: CircleCIDocument) -> [CircleCITestItemValue] {
        switch document {
        case .v1Tests(let items), .v2TestsPage(let items, _): items
        default: []
        }
    }

    @Test("v1.1 /tests: 25 tests, 16 success, 5 failure, 3 skipped, 1 error")
    func v1Tests() throws {
        let document = try decode("v1_1-tests.json")
        #expect(document.kind == .circleciV1Tests)
        let (records, warnings) = CircleCIDecoder.records(pages: [items(document)], inputIndex: 0)
        let t = totals(records)
        #expect(t.tests == 25 && t.passed == 16 && t.failed == 5 && t.skipped == 3 && t.errored == 1)
        #expect(warnings.isEmpty)
        #expect(records.filter { $0.file == nil }.count == 3)
        #expect(Set(records.map(\.source)) == ["rspec", "cucumber", "jest"])
        let failure = try #require(records.first { $0.outcome == .failed })
        #expect(failure.details.first?.message?.contains("\n") == true)
    }

    @Test("v2 pages join into one input with the same tests as v1.1")
    func v2Pages() throws {
        let page1 = try decode("v2-tests-page1.json")
        let page2 = try decode("v2-tests-page2.json")
        guard case .v2TestsPage(let first, let token) = page1, case .v2TestsPage(let second, nil) = page2 else {
            Issue.record("not v2 pages")
            return
        }
        #expect(token != nil)
        let (records, _) = CircleCIDecoder.records(pages: [first, second], inputIndex: 0)
        let v1 = CircleCIDecoder.records(pages: [items(try decode("v1_1-tests.json"))], inputIndex: 0).records
        #expect(records.count == 25)
        #expect(totals(records).failed == totals(v1).failed)
        #expect(Set(records.map(\.identity)) == Set(v1.map(\.identity)))
    }

    @Test("file missing, null or empty; run_time as number, string or null")
    func fieldForms() throws {
        let json = """
            {"items":[
              {"name":"a","classname":"c","result":"success","run_time":0.5,"file":"./x/a.rb","source":"rspec"},
              {"name":"b","classname":"c","result":"success","run_time":"1.25","file":null},
              {"name":"c","classname":"c","result":"success","run_time":null},
              {"name":"d","classname":"c","result":"success","run_time":"soon","file":""}
            ],"next_page_token":null}
            """
        guard case .v2TestsPage(let items, _) = try CircleCIDecoder.decode(Data(json.utf8)) else {
            Issue.record("not a page")
            return
        }
        let (records, warnings) = CircleCIDecoder.records(pages: [items], inputIndex: 0)
        #expect(records.map(\.file) == ["x/a.rb", nil, nil, nil])
        #expect(records.map(\.time) == [0.5, 1.25, 0, 0])
        #expect(records.map(\.source) == ["rspec", "unknown", "unknown", "unknown"])
        #expect(warnings.count == 1 && warnings[0].contains("\"soon\""))
    }

    @Test("an unknown result counts as failed, with a warning naming it")
    func unknownResult() throws {
        let json = #"{"tests":[{"name":"a","result":"timedout"},{"name":"b","result":"success"},{"name":"c"}]}"#
        guard case .v1Tests(let items) = try CircleCIDecoder.decode(Data(json.utf8)) else {
            Issue.record("not v1.1")
            return
        }
        let (records, warnings) = CircleCIDecoder.records(pages: [items], inputIndex: 0)
        #expect(records.map(\.outcome) == [.failed, .passed, .failed])
        #expect(warnings.contains { $0.contains("\"timedout\"") })
        #expect(warnings.contains { $0.contains("\"null\"") })
    }

    @Test("empty tests, unicode and very long messages")
    func emptyAndLong() throws {
        guard case .v1Tests(let none) = try CircleCIDecoder.decode(Data(#"{"tests":[],"exceptions":[]}"#.utf8)) else {
            Issue.record("not v1.1")
            return
        }
        #expect(CircleCIDecoder.records(pages: [none], inputIndex: 0).records.isEmpty)
        let long = String(repeating: "ü", count: 200_000)
        let json = #"{"tests":[{"name":"👍🎉","result":"failure","message":"\#(long)"}]}"#
        guard case .v1Tests(let items) = try CircleCIDecoder.decode(Data(json.utf8)) else { return }
        let record = try #require(CircleCIDecoder.records(pages: [items], inputIndex: 0).records.first)
        #expect(record.name == "👍🎉")
        #expect((record.details.first?.message?.utf8.count ?? 0) < TextCap.record + 200)
    }

    @Test("an item repeated on a later page is counted once, with a warning")
    func repeatedItem() throws {
        let item = #"{"name":"a","classname":"c","result":"success","run_time":0.1}"#
        let other = #"{"name":"b","classname":"c","result":"success","run_time":0.1}"#
        guard case .v2TestsPage(let p1, _) = try CircleCIDecoder.decode(Data(#"{"items":[\#(item),\#(other)]}"#.utf8)),
            case .v2TestsPage(let p2, _) = try CircleCIDecoder.decode(Data(#"{"items":[\#(item)]}"#.utf8))
        else { return }
        let (records, warnings) = CircleCIDecoder.records(pages: [p1, p2], inputIndex: 0)
        #expect(records.count == 2)
        #expect(warnings.contains { $0.contains("repeated") })
    }

    @Test("v1.1 job details: build, revision, steps with the slowest container and the failed one")
    func v1Job() throws {
        guard case .v1Job(let job) = try decode("v1_1-single-job-failed.json") else {
            Issue.record("not a v1.1 job")
            return
        }
        #expect(job.number == 48213)
        #expect(job.status == "failed")
        #expect(job.revision?.isEmpty == false)
        #expect(job.url?.hasPrefix("https://") == true)
        #expect(job.steps.count == 4)
        let failed = job.steps.filter(\.failed)
        #expect(failed.count == 1)
        #expect(failed.first?.failedContainers == [0])
        #expect(job.steps.allSatisfy { $0.containers == 2 })
    }

    @Test("v2 job details")
    func v2Job() throws {
        guard case .v2Job(let job) = try decode("v2-job-details.json") else {
            Issue.record("not a v2 job")
            return
        }
        #expect(job.number == 48213)
        #expect(job.name == "test")
        #expect(job.duration == 407.284)
        #expect(job.project == "gh/acme-corp/storefront")
    }

    @Test("JSON that is not CircleCI's, and invalid JSON, are errors naming what was found")
    func notCircleCI() {
        #expect(throws: IngestError.unrecognizedJSON(keys: ["name", "version"])) {
            try CircleCIDecoder.decode(Data(#"{"name":"pkg","version":"1"}"#.utf8))
        }
        #expect(throws: IngestError.self) { try CircleCIDecoder.decode(Data(#"{"tests": [ "#.utf8)) }
        #expect(throws: IngestError.self) { try CircleCIDecoder.decode(Data("[1,2]".utf8)) }
    }
}
