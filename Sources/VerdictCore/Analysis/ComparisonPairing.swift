/// The second and third pairing rules of `compare`: leftovers paired by a key (file and name, then
/// name alone) that is unique on both sides.
extension ComparisonBuilder {
    /// Two strings that together say which tests belong together (`("", name)` for the name rule).
    typealias PairKey = (String, String)

    /// Pairs leftovers whose key is unique on both sides; removes them from the leftovers.
    ///
    /// ASCII keys are found by a 64-bit digest of their bytes, other keys as strings. That gives
    /// exactly the answer of a dictionary of strings as long as equal digests mean equal keys and no
    /// non-ASCII key equals an ASCII one, so every shared digest is checked against the keys, and two
    /// different keys with one digest (about 1 in 10^7 at a million tests) or a key holding one of the
    /// three characters that `String` takes as equal to an ASCII character (U+037E, U+1FEF, U+212A:
    /// canonically equivalent to `;`, `` ` `` and `K`) send the whole rule to the dictionary of strings.
    static func pairLeftovers(
        _ unpairedBase: inout [Int], _ unpairedHead: inout [Int], _ base: Side, _ head: Side, rule: String,
        key: @escaping @Sendable (Side, Int) -> PairKey?
    ) -> [Pair] {
        if let pairs = pairByDigest(&unpairedBase, &unpairedHead, base, head, rule: rule, key: key) { return pairs }
        return pairByString(&unpairedBase, &unpairedHead, base, head, rule: rule, key: key)
    }

    /// How a leftover's key is looked up: an ASCII key by its digest, any other by its strings.
    private enum Lookup {
        case none
        case ascii(UInt64)
        case text
    }

    /// A table of each side's keys (ASCII ones by digest, others by their strings), and each
    /// leftover's lookup; nil when the digests cannot stand for the keys.
    private static func lookups(
        _ indexes: [Int], _ side: Side, _ key: @escaping @Sendable (Side, Int) -> PairKey?
    ) -> (digests: DigestMap, texts: [StringKey: Slot], lookups: [Lookup])? {
        var digests = DigestMap(capacity: indexes.count)
        var texts: [StringKey: Slot] = [:]
        var lookups: [Lookup] = []
        lookups.reserveCapacity(indexes.count)
        for at in indexes {
            guard let mine = key(side, at) else {
                lookups.append(.none)
                continue
            }
            let (digest, ascii) = IdentityHash.digest(mine.0, mine.1)
            if ascii {
                lookups.append(.ascii(digest))
                if let first = digests.insert(digest, first: Int32(truncatingIfNeeded: at)) {
                    guard let theirs = key(side, Int(first)), theirs == mine else { return nil }
                }
            } else {
                guard !equalsASCIIAlone(mine.0), !equalsASCIIAlone(mine.1) else { return nil }
                lookups.append(.text)
                let text = StringKey(first: mine.0, second: mine.1)
                if let slot = texts[text] {
                    texts[text] = Slot(first: slot.first, shared: true)
                } else {
                    texts[text] = Slot(first: Int32(truncatingIfNeeded: at), shared: false)
                }
            }
        }
        return (digests, texts, lookups)
    }

    /// Holds a character whose canonical decomposition is ASCII (so `String` equals it to ASCII text).
    private static func equalsASCIIAlone(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value == 0x037E || $0.value == 0x1FEF || $0.value == 0x212A }
    }

    private static func pairByDigest(
        _ unpairedBase: inout [Int], _ unpairedHead: inout [Int], _ base: Side, _ head: Side, rule: String,
        key: @escaping @Sendable (Side, Int) -> PairKey?
    ) -> [Pair]? {
        guard base.entries.count < Int(Int32.max), head.entries.count < Int(Int32.max) else { return nil }
        // Each side's table on its own thread.
        let (found, bases) = Concurrently.both(
            { [unpairedHead] in lookups(unpairedHead, head, key) }, { lookups(unpairedBase, base, key) })
        guard let heads = found else { return nil }
        guard !heads.digests.isEmpty || !heads.texts.isEmpty else { return [] }
        guard let bases else { return nil }
        var pairs: [Pair] = []
        var pairedHead = Set<Int>()
        var keptBase: [Int] = []
        for (position, at) in unpairedBase.enumerated() {
            var other: Int?
            switch bases.lookups[position] {
            case .none: break
            case .ascii(let digest):
                if bases.digests.find(digest)?.shared == false, let theirs = heads.digests.find(digest), !theirs.shared
                {
                    other = Int(theirs.first)
                }
            case .text:
                if let mine = key(base, at) {
                    let text = StringKey(first: mine.0, second: mine.1)
                    if bases.texts[text]?.shared == false, let theirs = heads.texts[text], !theirs.shared {
                        other = Int(theirs.first)
                    }
                }
            }
            guard let other else {
                keptBase.append(at)
                continue
            }
            // One digest, two different keys across the sides: only strings can tell.
            guard let mine = key(base, at), let their = key(head, other), mine == their else { return nil }
            pairs.append(Pair(base: at, head: other, rule: rule))
            pairedHead.insert(other)
        }
        unpairedBase = keptBase
        if !pairedHead.isEmpty { unpairedHead.removeAll { pairedHead.contains($0) } }
        return pairs
    }

    /// The first entry with a key, and whether more entries share it.
    struct Slot: Sendable {
        var first: Int32
        var shared: Bool
    }

    /// Digests to slots by open addressing, at most half full (it doubles when it gets there); the
    /// digest, already well mixed, is its own hash. Bit 0 of a stored digest is set so that 0 marks an
    /// empty place; two digests that differ only there are taken as one, which every caller's check
    /// of the keys themselves catches.
    struct DigestMap: Sendable {
        /// A stored digest (0: an empty place) and its first entry shifted left by one, bit 0 the
        /// shared flag; side by side, so a probe touches one cache line.
        private struct Place: Sendable {
            var key: UInt64 = 0
            var value: UInt32 = 0
        }

        private var places: [Place]
        private var mask: Int
        private var count = 0
        var isEmpty: Bool { count == 0 }

        init(capacity: Int = 0) {
            var size = 16
            while size < capacity * 2 { size *= 2 }
            places = [Place](repeating: Place(), count: size)
            mask = size - 1
        }

        /// Records `first` under `digest`; when the digest was there already, marks it shared and
        /// returns the entry recorded first.
        mutating func insert(_ digest: UInt64, first: Int32) -> Int32? {
            if (count + 1) * 2 > places.count { grow() }
            let stored = digest | 1
            var index = Int(truncatingIfNeeded: stored >> 1) & mask
            while true {
                let place = places[index]
                if place.key == 0 {
                    places[index] = Place(key: stored, value: UInt32(truncatingIfNeeded: first) << 1)
                    count += 1
                    return nil
                }
                if place.key == stored {
                    places[index].value |= 1
                    return Int32(truncatingIfNeeded: place.value >> 1)
                }
                index = (index + 1) & mask
            }
        }

        func find(_ digest: UInt64) -> Slot? {
            let stored = digest | 1
            var index = Int(truncatingIfNeeded: stored >> 1) & mask
            while true {
                let place = places[index]
                if place.key == 0 { return nil }
                if place.key == stored {
                    return Slot(first: Int32(truncatingIfNeeded: place.value >> 1), shared: place.value & 1 == 1)
                }
                index = (index + 1) & mask
            }
        }

        private mutating func grow() {
            let old = places
            places = [Place](repeating: Place(), count: old.count * 2)
            mask = places.count - 1
            for place in old where place.key != 0 {
                var index = Int(truncatingIfNeeded: place.key >> 1) & mask
                while places[index].key != 0 { index = (index + 1) & mask }
                places[index] = place
            }
        }
    }

    struct StringKey: Hashable, Sendable {
        var first: String
        var second: String
    }

    /// The same pairing through dictionaries of strings (the reference).
    static func pairByString(
        _ unpairedBase: inout [Int], _ unpairedHead: inout [Int], _ base: Side, _ head: Side, rule: String,
        key pairKey: @escaping @Sendable (Side, Int) -> PairKey?
    ) -> [Pair] {
        func key(_ side: Side, _ at: Int) -> StringKey? {
            pairKey(side, at).map { StringKey(first: $0.0, second: $0.1) }
        }
        /// The entry with each key, or nil when several share it.
        func unique(_ indexes: [Int], _ side: Side) -> [StringKey: Int?] {
            var found: [StringKey: Int?] = [:]
            found.reserveCapacity(indexes.count)
            for at in indexes {
                guard let key = key(side, at) else { continue }
                found[key] = found[key] == nil ? .some(at) : .some(nil)
            }
            return found
        }
        let headByKey = unique(unpairedHead, head)
        guard !headByKey.isEmpty else { return [] }
        var pairs: [Pair] = []
        var pairedHead = Set<Int>()
        var keptBase: [Int] = []
        let baseByKey = unique(unpairedBase, base)
        for at in unpairedBase {
            if let key = key(base, at), let mine = baseByKey[key], mine != nil, let theirs = headByKey[key],
                let other = theirs
            {
                pairs.append(Pair(base: at, head: other, rule: rule))
                pairedHead.insert(other)
            } else {
                keptBase.append(at)
            }
        }
        unpairedBase = keptBase
        if !pairedHead.isEmpty { unpairedHead.removeAll { pairedHead.contains($0) } }
        return pairs
    }
}
