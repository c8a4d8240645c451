/// Per-identity state for flakiness, compact for passing tests.
///
/// Every identity with a passed, failed, errored or flaky-marked record has one 8-byte slot in an
/// open-addressing set of 63-bit digests (at most 3/4 full: 10.7 to 21.3 bytes per identity).
/// A slot without its flag stands for "exactly one passed record, nothing else"; anything more (a
/// failure, a mark, a second pass) sets the flag and keeps full counts in a dictionary, which holds
/// only such identities. Skipped records change nothing and are not stored.
struct IdentityTable: Sendable {
    struct State: Sendable, Equatable {
        var passed: Int32 = 0
        var failed: Int32 = 0
        var marked = false
        var isFlaky: Bool { marked || (passed > 0 && failed > 0) }
    }

    private var slots = DigestSet()
    private(set) var states: [UInt64: State] = [:]

    /// Identities with at least one stored record.
    var count: Int { slots.count }

    mutating func add(_ digest: UInt64, outcome: Outcome, marked: Bool) {
        var change = State(marked: marked)
        switch outcome {
        case .passed: change.passed = 1
        case .failed, .errored: change.failed = 1
        case .skipped: if !marked { return }
        }
        apply(DigestSet.key(digest), change)
    }

    private mutating func apply(_ key: UInt64, _ change: State) {
        let (slot, found) = slots.findOrInsert(key)
        let flagged = found && slots.isFlagged(slot)
        if !flagged, !found, change == State(passed: 1) { return }  // a first and only pass: the slot says it
        var state = flagged ? (states[key] ?? State()) : (found ? State(passed: 1) : State())
        state.passed += change.passed
        state.failed += change.failed
        state.marked = state.marked || change.marked
        if !flagged { slots.flag(slot) }
        states[key] = state
    }

    /// The state of an identity, or nil when none of its records was stored.
    func state(_ digest: UInt64) -> State? {
        let key = DigestSet.key(digest)
        guard let slot = slots.find(key) else { return nil }
        return slots.isFlagged(slot) ? states[key] : State(passed: 1)
    }

    /// Adds another table's identities, as if their records had been added here.
    mutating func merge(_ other: IdentityTable) {
        other.slots.forEach { key, flagged in
            apply(key, flagged ? (other.states[key] ?? State()) : State(passed: 1))
        }
    }
}

/// A set of 63-bit keys with one flag bit each, open addressing with linear probing.
struct DigestSet: Sendable {
    /// 0 marks an empty slot; bit 0 is the flag; bit 1 is always set so no key is 0.
    private var slots: [UInt64] = []
    private(set) var count = 0
    private var shift = 64

    /// A digest as stored: bit 0 cleared (the flag), bit 1 set.
    static func key(_ digest: UInt64) -> UInt64 { (digest & ~1) | 2 }

    private func home(_ key: UInt64) -> Int {
        // The high bits of a multiplicative hash (keys are digests already; this spreads them again).
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    func find(_ key: UInt64) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var index = home(key)
        while true {
            let slot = slots[index]
            if slot == 0 { return nil }
            if slot & ~1 == key { return index }
            index = (index + 1) & mask
        }
    }

    /// The slot of `key`, inserting it (unflagged) when absent.
    mutating func findOrInsert(_ key: UInt64) -> (slot: Int, found: Bool) {
        if (count + 1) * 4 > slots.count * 3 { grow() }
        let mask = slots.count - 1
        var index = home(key)
        while true {
            let slot = slots[index]
            if slot == 0 {
                slots[index] = key
                count += 1
                return (index, false)
            }
            if slot & ~1 == key { return (index, true) }
            index = (index + 1) & mask
        }
    }

    func isFlagged(_ slot: Int) -> Bool { slots[slot] & 1 == 1 }

    mutating func flag(_ slot: Int) { slots[slot] |= 1 }

    func forEach(_ body: (_ key: UInt64, _ flagged: Bool) -> Void) {
        for slot in slots where slot != 0 { body(slot & ~1, slot & 1 == 1) }
    }

    private mutating func grow() {
        let old = slots
        let capacity = max(old.count * 2, 1024)
        slots = [UInt64](repeating: 0, count: capacity)
        shift = 64 - capacity.trailingZeroBitCount
        let mask = capacity - 1
        for slot in old where slot != 0 {
            var index = home(slot & ~1)
            while slots[index] != 0 { index = (index + 1) & mask }
            slots[index] = slot
        }
    }
}

/// A 64-bit digest of an identity `(classname, name)` (trimmed; an empty classname replaced by the
/// file), computed from the record's bytes without building the identity's strings. Word-at-a-time
/// rounds in the style of xxHash64 with a final avalanche; two different identities share a digest
/// with a chance of about 2^-63 per pair (about 5e-8 for any pair among a million identities).
enum IdentityHash {
    static func digest(classname: String, name: String, file: String?) -> UInt64 {
        var hasher = WordHasher()
        if !hasher.feed(classname, trim: true, skipEmpty: true) { hasher.feed(file ?? "", trim: false) }
        hasher.separate()
        hasher.feed(name, trim: true)
        return hasher.finish()
    }

    static func digest(_ identity: TestIdentity) -> UInt64 {
        var hasher = WordHasher()
        hasher.feed(identity.classname, trim: false)
        hasher.separate()
        hasher.feed(identity.name, trim: false)
        return hasher.finish()
    }

    /// A digest of the pair `(first, second)` byte for byte, and whether both were ASCII: only then
    /// is equal bytes the same as equal `String`s (which compare by canonical equivalence).
    static func digest(_ first: String, _ second: String) -> (digest: UInt64, ascii: Bool) {
        var hasher = WordHasher()
        hasher.feed(first, trim: false)
        hasher.separate()
        hasher.feed(second, trim: false)
        return (hasher.finish(), hasher.isASCII)
    }
}

private struct WordHasher {
    private var accumulator: UInt64 = 0x27D4_EB2F_1656_67C5
    private var length: UInt64 = 0
    /// Every byte fed, OR-ed together (its high bit says whether a non-ASCII byte was seen).
    private var seen: UInt64 = 0

    var isASCII: Bool { seen & 0x8080_8080_8080_8080 == 0 }
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F

    private mutating func round(_ word: UInt64) {
        accumulator ^= (word &* Self.prime2).rotated(31) &* Self.prime1
        accumulator = accumulator.rotated(27) &* Self.prime1 &+ 0x85EB_CA77_C2B2_AE63
    }

    /// Feeds the string's bytes (trimmed of XML whitespace when `trim`); returns false when nothing
    /// was left, and then feeds nothing at all when `skipEmpty`.
    @discardableResult
    mutating func feed(_ text: String, trim: Bool, skipEmpty: Bool = false) -> Bool {
        let fed = text.utf8.withContiguousStorageIfAvailable {
            feed(UnsafeRawBufferPointer($0), trim: trim, skipEmpty: skipEmpty)
        }
        if let fed { return fed }
        return Array(text.utf8).withUnsafeBytes { feed($0, trim: trim, skipEmpty: skipEmpty) }
    }

    private mutating func feed(_ bytes: UnsafeRawBufferPointer, trim: Bool, skipEmpty: Bool) -> Bool {
        var start = 0
        var end = bytes.count
        if trim {
            while start < end, bytes[start].isXMLWhitespace { start += 1 }
            while end > start, bytes[end - 1].isXMLWhitespace { end -= 1 }
        }
        if skipEmpty, end == start { return false }
        var index = start
        while index + 8 <= end {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            seen |= word
            round(word)
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < end {
            tail |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        seen |= tail
        round(tail ^ (UInt64(end - start) << 56))
        length &+= UInt64(end - start)
        return end > start
    }

    mutating func separate() { round(0xFF00_FF00_FF00_FF00 ^ length) }

    func finish() -> UInt64 {
        var h = accumulator ^ length
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }
}

extension UInt64 {
    fileprivate func rotated(_ amount: UInt64) -> UInt64 { (self << amount) | (self >> (64 - amount)) }
}
