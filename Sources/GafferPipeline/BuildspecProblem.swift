/// What is wrong with a buildspec, and where: `file:line:column: message`.
public struct BuildspecProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Every problem found in one file.
public struct BuildspecProblems: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [BuildspecProblem]

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
