/// What a branch changes against its base: per file and in total, as in `git diff --stat`.
public struct DiffStat: Sendable, Equatable, CustomStringConvertible {
    public enum Change: String, Sendable {
        case added, modified, deleted, renamed, typeChanged = "type changed"
    }

    public struct File: Sendable, Equatable {
        public let path: String
        public let change: Change
        public let insertions: Int
        public let deletions: Int
        public let binary: Bool
    }

    public let files: [File]

    public var insertions: Int { files.reduce(0) { $0 + $1.insertions } }
    public var deletions: Int { files.reduce(0) { $0 + $1.deletions } }

    /// "3 files changed, 10 insertions(+), 2 deletions(-)", as git words it.
    public var description: String {
        func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        var parts = ["\(plural(files.count, "file")) changed"]
        if insertions > 0 || files.isEmpty { parts.append("\(plural(insertions, "insertion"))(+)") }
        if deletions > 0 { parts.append("\(plural(deletions, "deletion"))(-)") }
        return parts.joined(separator: ", ")
    }
}
