/// How much one file set may hold.
public struct FileSetLimits: Sendable, Equatable {
    /// The largest file, in bytes.
    public var maxFileBytes: Int
    /// The most changes (writes and deletes) in one set.
    public var maxFiles: Int

    public init(maxFileBytes: Int = 1 << 20, maxFiles: Int = 2_000) {
        self.maxFileBytes = maxFileBytes
        self.maxFiles = maxFiles
    }
}
