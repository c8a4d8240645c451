import Foundation
import Testing

@testable import VerdictCore

/// The lean `/tests` reader must give exactly what `JSONDecoder` gives, or step aside.
@Suite("CircleCI fast decoder")
struct CircleCIFastDecoderTests {
    func items(_ document: CircleCIDocument?) -> [CircleCITestItemValue]? {
        switch document {
        case .v1Tests(let items)?: items
        case .v2TestsPage(let items, _)?: items
        default: nil
        }
    }

    func token(_ document: CircleCIDocument?) -> String? {
        if case .v2TestsPage(_, let token)? = document { return token }
        return nil
    }

    static let accepted: [String] = [
        #"{"tests":[],"exceptions":[]}"#,
        #"{"items":[],"next_page_token":null}"#,
        #" { "items" : [ { "name" : "a" } ] , "next_page_token" : "abc\u00e9" } "#,
        #"{"tests":[{"classname":"c","file":"./f.rb","name":"n","result":"success","run_time":0.25,"message":null,"source":"rspec","source_type":"rspec"}]}"#,
        #"{"tests":[{"name":"t1","run_time":"1,5"},{"name":"t2","run_time":"abc"},{"name":"t3","run_time":null},{"name":"t4"}]}"#,
        #"{"tests":[{"name":"t5","run_time":-2},{"name":"t6","run_time":true},{"name":"t7","run_time":{"a":[1,2]}},{"name":"t8","run_time":1e3}]}"#,
        #"{"tests":[{"name":"t9","run_time":"1,234.5"},{"name":"t10","run_time":"  "},{"name":"t11","run_time":-0.0},{"name":"t12","run_time":12345678901234567890}]}"#,
        #"{"tests":[{"classname":5,"file":[],"name":{"x":null},"result":false,"message":1.5,"source":null}]}"#,
        #"{"tests":[{"name":"esc \" \\ \/ \b \f \n \r \t \u0041 \u00e9 \ud83d\ude00 日本","message":"line1\nline2"}]}"#,
        #"{"tests":[{"name":"x","extra":{"deep":[[[{"a":"b"}]]],"n":-0.5e-3,"t":true,"f":false,"z":null}}],"meta":{"k":[]}}"#,
        #"{"tests":[{"name":"first"}],"items":[{"name":"ignored"}]}"#,
        #"{"tests":[{"name":"dup unknown","other":1,"other":2}]}"#,
    ]

    @Test("the same items as JSONDecoder", arguments: accepted)
    func sameAsFoundation(_ json: String) throws {
        let data = Data(json.utf8)
        let fast = CircleCIFastDecoder.decode(data)
        #expect(fast != nil)
        let reference = try CircleCIDecoder.decodeWithFoundation(data)
        #expect(items(fast) == items(reference))
        #expect(token(fast) == token(reference))
        #expect(fast?.kind == reference.kind)
    }

    static let refused: [String] = [
        "\u{FEFF}{\"tests\":[]}",
        #"{"tests":[{"name":"a","name":"b"}]}"#,
        #"{"tests":[],"tests":[]}"#,
        #"{"tests":[{"name":"\ud800"}]}"#,
        #"{"tests":[{"name":"a"}]} x"#,
        #"{"tests":[{"name":"a"},]}"#,
        #"{"tests":[{"name":"a" "b"}]}"#,
        #"{"tests":[{"run_time":01}]}"#,
        #"{"tests":[{"run_time":1e400}]}"#,
        #"{"tests":{}}"#,
        #"{"tests":[1]}"#,
        #"{"items":[],"next_page_token":5}"#,
        #"{"build_num":1}"#,
        #"[1,2]"#,
        "{\"tests\":[{\"name\":\"tab\tinside\"}]}",
        "",
    ]

    @Test("steps aside for what JSONDecoder must decide", arguments: refused)
    func refusesTheRest(_ json: String) {
        #expect(CircleCIFastDecoder.decode(Data(json.utf8)) == nil)
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        var bytes = Array(#"{"tests":[{"name":"ab"}]}"#.utf8)
        bytes[20] = 0xC3
        #expect(CircleCIFastDecoder.decode(Data(bytes)) == nil)
    }
}
