import CLibGit2

/// A git object name (SHA-1), as the 40 hexadecimal digits git prints.
public struct GitObjectID: Hashable, Sendable, CustomStringConvertible {
    public let hex: String

    init(_ oid: git_oid) {
        var copy = oid
        // 40 digits and the terminating NUL that git_oid_tostr writes.
        var buffer = [CChar](repeating: 0, count: 41)
        _ = buffer.withUnsafeMutableBufferPointer { git_oid_tostr($0.baseAddress, 41, &copy) }
        hex = String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    init(_ pointer: UnsafePointer<git_oid>) {
        self.init(pointer.pointee)
    }

    public init?(hex: String) {
        guard hex.utf8.count == 40, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            return nil
        }
        self.hex = hex
    }

    /// The all-zero name git uses for "no object", such as a branch that does not exist yet.
    var isZero: Bool { hex.utf8.allSatisfy { $0 == 48 } }

    var oid: git_oid {
        var oid = git_oid()
        _ = git_oid_fromstr(&oid, hex)
        return oid
    }

    public var short: String { String(hex.prefix(12)) }
    public var description: String { hex }
}
