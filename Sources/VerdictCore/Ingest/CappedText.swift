/// Collects text up to a byte limit; counts what it drops so the cut can be said.
struct CappedText {
    private(set) var bytes: [UInt8] = []
    private(set) var dropped = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        let room = limit - bytes.count
        if room >= chunk.count {
            bytes.append(contentsOf: chunk)
        } else {
            if room > 0 { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<room])) }
            dropped += chunk.count - max(room, 0)
        }
    }

    /// The text, trimmed of surrounding whitespace, with a note when it was cut; nil when empty.
    func string(trim: Bool = true) -> String? {
        var end = bytes.count
        if dropped > 0 {
            // Do not cut a UTF-8 sequence in half.
            while end > 0, bytes[end - 1] & 0xC0 == 0x80 { end -= 1 }
            if end > 0, bytes[end - 1] >= 0xC0 { end -= 1 }
        }
        var text = String(decoding: bytes[0..<end], as: UTF8.self)
        if trim { text = text.trimmingWhitespace() }
        if dropped > 0 {
            text += "\n[… \(dropped + bytes.count - end) more bytes not kept by Verdict]"
        }
        return text.isEmpty ? nil : text
    }
}

extension String {
    /// The string cut to at most `limit` UTF-8 bytes (on a character boundary), with a note.
    public func capped(_ limit: Int) -> String {
        guard utf8.count > limit else { return self }
        var end = utf8.index(utf8.startIndex, offsetBy: limit)
        while end > utf8.startIndex, !unicodeScalars.indices.contains(end) { end = utf8.index(before: end) }
        let kept = self[..<end]
        return String(kept) + "\n[… \(utf8.count - kept.utf8.count) more bytes in the full report]"
    }
}
