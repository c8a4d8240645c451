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
        key: (Side, Int) -> PairKey?
    ) -> [Pair] {
        if let pairs = pairByDigest(&unpairedBase, &unpairedHead, base, head, rule: rule, key: key) { return pairs }
        return pairByString(&unpairedBase, &unpairedHead, base, head, rule: rule, key: key)
    }

    /// How a key is looked up: an ASCII key by its digest, any other by its strings.
    private enum LookupKey: Hashable {
        case ascii(UInt64)
        case text(StringKey)
    }

    /// The first entry with a key, and whether more entries share it.
    private struct Slot {
        var first: Int32
        var shared: Bool
    }

    /// A table of each side's keys, and each leftover's lookup key (nil when it has no key); nil when
    /// the digests cannot stand for the keys.
    private static func lookupKeys(
        _ indexes: [Int], _ side: Side, _ key: (Side, Int) -> PairKey?
    ) -> (table: [LookupKey: Slot], keys: [LookupKey?])? {
        var table: [LookupKey: Slot] = [:]
        table.reserveCapacity(indexes.count)
        var keys: [LookupKey?] = []
        keys.reserveCapacity(indexes.count)
        for at in indexes {
            guard let mine = key(side, at) else {
                keys.append(nil)
                continue
            }
            let (digest, ascii) = IdentityHash.digest(mine.0, mine.1)
            let lookup: LookupKey
            if ascii {
                lookup = .ascii(digest)
            } else {
                guard !equalsASCIIAlone(mine.0), !equalsASCIIAlone(mine.1) else { return nil }
                lookup = .text(StringKey(first: mine.0, second: mine.1))
            }
            keys.append(lookup)
            if let slot = table[lookup] {
                if case .ascii = lookup {
                    guard let theirs = key(side, Int(slot.first)), theirs == mine else { return nil }
                }
                table[lookup] = Slot(first: slot.first, shared: true)
            } else {
                table[lookup] = Slot(first: Int32(truncatingIfNeeded: at), shared: false)
            }
        }
        return (table, keys)
    }

    /// Holds a character whose canonical decomposition is ASCII (so `String` equals it to ASCII text).
    private static func equalsASCIIAlone(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value == 0x037E || $0.value == 0x1FEF || $0.value == 0x212A }
    }

    private static func pairByDigest(
        _ unpairedBase: inout [Int], _ unpairedHead: inout [Int], _ base: Side, _ head: Side, rule: String,
        key: (Side, Int) -> PairKey?
    ) -> [Pair]? {
        guard base.entries.count < Int(Int32.max), head.entries.count < Int(Int32.max) else { return nil }
        guard let heads = lookupKeys(unpairedHead, head, key) else { return nil }
        guard !heads.table.isEmpty else { return [] }
        guard let bases = lookupKeys(unpairedBase, base, key) else { return nil }
        var pairs: [Pair] = []
        var pairedHead = Set<Int>()
        var keptBase: [Int] = []
        for (position, at) in unpairedBase.enumerated() {
            if let lookup = bases.keys[position], bases.table[lookup]?.shared == false,
                let theirs = heads.table[lookup], !theirs.shared
            {
                let other = Int(theirs.first)
                // One digest, two different keys across the sides: only strings can tell.
                guard let mine = key(base, at), let their = key(head, other), mine == their else { return nil }
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

    private struct StringKey: Hashable {
        var first: String
        var second: String
    }

    /// The same pairing through dictionaries of strings (the reference).
    static func pairByString(
        _ unpairedBase: inout [Int], _ unpairedHead: inout [Int], _ base: Side, _ head: Side, rule: String,
        key pairKey: (Side, Int) -> PairKey?
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
