import Foundation
import Testing

@testable import VerdictCore

#if canImport(Glibc)
    import Glibc
#endif

/// XXE, external DTDs and entity expansion: refused, with nothing read and no request made.
@Suite("Hostile XML")
struct HostileXMLTests {
    /// A TCP listener on loopback that only counts who knocked.
    final class Listener {
        let socketDescriptor: Int32
        let port: UInt16

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
            }
            try #require(bound == 0 && listen(descriptor, 8) == 0)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            socketDescriptor = descriptor
            port = UInt16(bigEndian: address.sin_port)
        }

        /// Whether a connection is waiting to be accepted.
        var knocked: Bool {
            var descriptor = pollfd(fd: socketDescriptor, events: Int16(POLLIN), revents: 0)
            return poll(&descriptor, 1, 200) > 0
        }

        deinit { close(socketDescriptor) }
    }

    @Test("external DTD, external parameter and general entities: refused, no request made")
    func noNetwork() throws {
        let listener = try Listener()
        let url = "http://127.0.0.1:\(listener.port)/evil"
        let documents = [
            "<!DOCTYPE testsuite SYSTEM \"\(url).dtd\"><testsuite><testcase name=\"a\"/></testsuite>",
            "<!DOCTYPE testsuite [<!ENTITY % remote SYSTEM \"\(url).ent\"> %remote;]><testsuite/>",
            "<!DOCTYPE testsuite [<!ENTITY x SYSTEM \"\(url).txt\">]><testsuite><testcase name=\"&x;\"/></testsuite>",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE r PUBLIC \"-//X//Y\" \"\(url).dtd\"><testsuites/>",
        ]
        for document in documents {
            #expect(throws: IngestError.self) { try readJUnit(document) }
            #expect(throws: IngestError.self) { try readJUnit(document, chunkSize: 3) }
        }
        #expect(!listener.knocked, "the parser connected to \(url)")
    }

    @Test("the corpus XXE file is refused without reading a file")
    func corpusXXE() throws {
        let data = try bytes(Paths.corpus.appendingPathComponent("edge-security__xxe-attack.xml"))
        #expect(throws: IngestError.self) { try JUnitReader.read(data) }
    }

    @Test("quadratic blowup and billion laughs are refused at the DOCTYPE, before any expansion")
    func amplification() throws {
        let big = String(repeating: "a", count: 100_000)
        let quadratic =
            "<!DOCTYPE t [<!ENTITY a \"\(big)\">]><testsuite><testcase name=\""
            + String(repeating: "&a;", count: 10_000) + "\"/></testsuite>"
        #expect(throws: IngestError.doctypeRefused(line: 1)) { try readJUnit(quadratic) }
        var laughs = "<!DOCTYPE t [<!ENTITY l0 \"lol\">"
        for level in 1...10 {
            laughs += "<!ENTITY l\(level) \"" + String(repeating: "&l\(level - 1);", count: 10) + "\">"
        }
        laughs += "]><testsuite><testcase name=\"&l10;\"/></testsuite>"
        #expect(throws: IngestError.doctypeRefused(line: 1)) { try readJUnit(laughs) }
    }

    @Test("an undeclared entity stops the document where it stands")
    func undeclaredEntity() throws {
        let (records, report) = try readJUnit(
            "<testsuite><testcase name=\"a\"/><testcase name=\"&nope;\"/></testsuite>")
        #expect(records.map(\.name) == ["a"])
        #expect(report.incomplete)
    }
}
