import Foundation

/// Replaces every secret value in build output with `***`.
///
/// Works on bytes, one `memmem` scan per secret per chunk, so masking costs
/// little more than copying. `BuildLog` only hands it whole lines (or a long
/// line's head, cut where no secret straddles it: `safeCut`), so a secret split
/// across two reads of the pipe is still found.
struct SecretMasker: Sendable {
    /// Longest first, so a secret that contains another is masked whole.
    let secrets: [[UInt8]]

    /// The values it was made from.
    let values: [String]

    init(_ values: [String]) {
        self.values = values
        // A multi-line secret is masked line by line, since output is cut into lines;
        // very short values would mask ordinary words, so they are left out.
        let pieces = values.flatMap { $0.split(separator: "\n").map(String.init) }.filter { $0.utf8.count >= 3 }
        secrets = Array(Set(pieces)).map { Array($0.utf8) }.sorted { $0.count > $1.count }
    }

    var longest: Int { secrets.first?.count ?? 0 }

    func mask(_ bytes: [UInt8]) -> [UInt8] {
        var current = bytes
        for secret in secrets {
            current = Self.replace(secret, in: current)
        }
        return current
    }

    /// The latest offset at or before `proposed` where `bytes` can be cut with no secret in it
    /// cut in two: each cut across a secret moves to where that secret starts, until none is.
    /// (A secret whose end has not arrived lies wholly after `proposed` when that keeps back
    /// `longest - 1` bytes.)
    func safeCut(_ bytes: [UInt8], before proposed: Int) -> Int {
        var cut = proposed
        var moved = true
        while moved && cut > 0 {
            moved = false
            for secret in secrets {
                for start in max(0, cut - secret.count + 1)..<cut where start + secret.count <= bytes.count {
                    if bytes[start..<(start + secret.count)].elementsEqual(secret) {
                        cut = start
                        moved = true
                        break
                    }
                }
            }
        }
        return cut
    }

    private static let stars = Array("***".utf8)

    /// The first occurrence of `needle` in `haystack`: `memchr` for its first byte, then `memcmp`.
    /// (glibc's `memmem` is not visible to Swift without _GNU_SOURCE.)
    private static func find(_ haystack: UnsafeRawPointer, _ count: Int, _ needle: UnsafeRawPointer, _ needleCount: Int) -> UnsafeMutableRawPointer? {
        guard needleCount > 0, count >= needleCount else { return nil }
        let first = Int32(needle.load(as: UInt8.self))
        var position = haystack
        var remaining = count
        while remaining >= needleCount, let candidate = memchr(position, first, remaining - needleCount + 1) {
            if memcmp(candidate, needle, needleCount) == 0 { return candidate }
            let skipped = position.distance(to: UnsafeRawPointer(candidate)) + 1
            position += skipped
            remaining -= skipped
        }
        return nil
    }

    private static func replace(_ secret: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { haystack -> [UInt8] in
            secret.withUnsafeBytes { needle -> [UInt8] in
                guard let base = haystack.baseAddress, let needleBase = needle.baseAddress,
                    var found = Self.find(base, haystack.count, needleBase, needle.count)
                else { return bytes }
                var result: [UInt8] = []
                result.reserveCapacity(bytes.count)
                var start = 0
                while true {
                    let offset = base.distance(to: UnsafeRawPointer(found))
                    result.append(contentsOf: haystack[start..<offset])
                    result.append(contentsOf: stars)
                    start = offset + needle.count
                    guard let next = Self.find(base + start, haystack.count - start, needleBase, needle.count) else { break }
                    found = next
                }
                result.append(contentsOf: haystack[start...])
                return result
            }
        }
    }
}
