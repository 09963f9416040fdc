import Foundation
import Synchronization

/// The answers to GETs, kept with their ETags for conditional requests (a 304 costs no rate limit).
///
/// Bounded in entries and in bytes: a long-running service reads many URLs once. Past either bound
/// the least recently used answers go first; an answer larger than a quarter of the byte bound is
/// not kept at all.
final class ETagCache: Sendable {
    struct Entry {
        let etag: String
        let body: Data
        var lastUsed: UInt64
    }

    let maximumEntries: Int
    let maximumBytes: Int
    private let state = Mutex<(entries: [String: Entry], bytes: Int, tick: UInt64)>(([:], 0, 0))

    init(maximumEntries: Int = 2_000, maximumBytes: Int = 32 << 20) {
        self.maximumEntries = maximumEntries
        self.maximumBytes = maximumBytes
    }

    func get(_ key: String) -> (etag: String, body: Data)? {
        state.withLock { state in
            guard var entry = state.entries[key] else { return nil }
            state.tick += 1
            entry.lastUsed = state.tick
            state.entries[key] = entry
            return (entry.etag, entry.body)
        }
    }

    func put(_ key: String, etag: String, body: Data) {
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) { state.bytes -= old.body.count }
            guard body.count <= maximumBytes / 4 else { return }
            state.tick += 1
            state.entries[key] = Entry(etag: etag, body: body, lastUsed: state.tick)
            state.bytes += body.count
            guard state.entries.count > maximumEntries || state.bytes > maximumBytes else { return }
            // Evicting in one sorted pass down to 90% keeps the cost of a full cache rare.
            let byAge = state.entries.sorted { $0.value.lastUsed < $1.value.lastUsed }
            for (oldKey, entry) in byAge {
                guard state.entries.count > maximumEntries * 9 / 10 || state.bytes > maximumBytes * 9 / 10 else { break }
                state.entries.removeValue(forKey: oldKey)
                state.bytes -= entry.body.count
            }
        }
    }

    var count: Int { state.withLock { $0.entries.count } }
    var bytes: Int { state.withLock { $0.bytes } }
}
