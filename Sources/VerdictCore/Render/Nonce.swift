/// The Content-Security-Policy nonce of a page's own script. The page is a static file whose every
/// value is escaped, so the nonce need not be secret: it only has to be what no injected text can
/// carry. Derived from the page's content, so the same report gives the same bytes.
enum Nonce {
    static func make(_ parts: String...) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            for byte in part.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            hash = (hash ^ 0xFF) &* 0x0000_0100_0000_01B3
        }
        return "v" + String(hash, radix: 36)
    }
}
