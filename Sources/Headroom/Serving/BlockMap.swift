/// The cached blocks by key: an open-addressing hash table (linear probing, backward-shift
/// deletion, at most half full) with a multiplicative hash of the key's two words.
///
/// A prefix cache looks up every block of every request, and evicts and registers blocks as
/// fast: with a `Dictionary`, seeding Swift's SipHash for each key was a fifth of a busy
/// prefix-caching run and the lookups another third. Keys are already hashes (the trace's, or a
/// session's block ids), so a multiply-shift mix spreads them well. Nothing iterates the table,
/// so its order cannot reach a result.
struct BlockMap {
    /// One slot: a key and its block, or empty (`block < 0`).
    private struct Entry {
        var hash: UInt64
        var offset: UInt32
        var block: Int32
        static let empty = Entry(hash: 0, offset: 0, block: -1)
    }

    private var entries = [Entry](repeating: .empty, count: 16)
    /// Slots minus one (the slot count is a power of two).
    private var mask = 15
    /// Keys held.
    private(set) var count = 0

    /// The home slot of `key`: bits 32 and up of a multiplicative mix of its words (for 2^m
    /// slots they mix the key's lowest 32 + m bits: trace hashes are random there, and a
    /// session's block ids carry the session from bit 12).
    @inline(__always)
    private func home(_ hash: UInt64, _ offset: UInt32) -> Int {
        let mixed = (hash ^ UInt64(offset) &* 0xC2B2_AE3D_27D4_EB4F) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed >> 32) & mask
    }

    /// The slot holding `key`, or the empty slot where its probe ends.
    @inline(__always)
    private func slot(of key: BlockKey) -> Int {
        var index = home(key.hash, key.offset)
        while true {
            let entry = entries[index]
            if entry.block < 0 || (entry.hash == key.hash && entry.offset == key.offset) { return index }
            index = (index &+ 1) & mask
        }
    }

    /// The block cached under `key`; setting `nil` removes the key.
    subscript(key: BlockKey) -> Int32? {
        @inline(__always) get {
            let block = entries[slot(of: key)].block
            return block < 0 ? nil : block
        }
        set {
            if let block = newValue { insert(key, block) } else { remove(key) }
        }
    }

    private mutating func insert(_ key: BlockKey, _ block: Int32) {
        precondition(block >= 0, "a block index is not negative")
        if 2 * (count + 1) > entries.count { grow() }
        let index = slot(of: key)
        if entries[index].block < 0 { count += 1 }
        entries[index] = Entry(hash: key.hash, offset: key.offset, block: block)
    }

    /// Removes `key`, shifting back the entries of its probe run that may fill the hole.
    private mutating func remove(_ key: BlockKey) {
        var hole = slot(of: key)
        guard entries[hole].block >= 0 else { return }
        var next = hole
        while true {
            next = (next &+ 1) & mask
            let entry = entries[next]
            if entry.block < 0 { break }
            let home = home(entry.hash, entry.offset)
            // The entry may move into the hole unless its home lies cyclically in (hole, next].
            let staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if !staysPut {
                entries[hole] = entry
                hole = next
            }
        }
        entries[hole] = .empty
        count -= 1
    }

    /// Doubles the slots and re-inserts every key.
    private mutating func grow() {
        let old = entries
        entries = [Entry](repeating: .empty, count: old.count * 2)
        mask = entries.count - 1
        for entry in old where entry.block >= 0 {
            entries[slot(of: BlockKey(hash: entry.hash, offset: entry.offset))] = entry
        }
    }
}
