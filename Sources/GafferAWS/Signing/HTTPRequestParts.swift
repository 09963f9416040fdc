import Foundation

/// The parts of an HTTP request that signing reads; also parses and prints a raw request
/// (`GET /path?query HTTP/1.1`, headers, a blank line, the body), as `gaffer aws sign` and
/// AWS's test suite use them.
public struct HTTPRequestParts: Sendable {
    public var method: String
    /// The path as written, before any `?`.
    public var path: String
    /// The query as written, after the `?`.
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)], body: Data = Data()) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads a raw request; a line starting with spaces continues the header before it.
    public static func parse(_ text: String) throws(ParseError) -> HTTPRequestParts {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        let (head, body): (Substring, Substring)
        if let blank = normalized.range(of: "\n\n") {
            (head, body) = (normalized[..<blank.lowerBound], normalized[blank.upperBound...])
        } else {
            (head, body) = (normalized[...], "")
        }
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { throw ParseError(description: "the request is empty; start with a line such as GET / HTTP/1.1") }
        let requestLine = lines.removeFirst()
        guard let firstSpace = requestLine.firstIndex(of: " "), let lastSpace = requestLine.lastIndex(of: " "), firstSpace < lastSpace else {
            throw ParseError(description: "the first line '\(requestLine)' should be METHOD TARGET HTTP/1.1")
        }
        let target = requestLine[requestLine.index(after: firstSpace)..<lastSpace]
        let question = target.firstIndex(of: "?")
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                guard !headers.isEmpty else { throw ParseError(description: "a continuation line comes before any header") }
                headers[headers.count - 1].value += "\n" + line
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw ParseError(description: "the header line '\(line)' has no ':'")
            }
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        return HTTPRequestParts(
            method: String(requestLine[..<firstSpace]),
            path: String(question.map { target[..<$0] } ?? target),
            query: question.map { String(target[target.index(after: $0)...]) } ?? "",
            headers: headers,
            body: Data(body.utf8)
        )
    }

    /// The request as text, with `added` headers after its own (or `addedQuery` after its query).
    public func text(
        addingHeaders added: [(name: String, value: String)] = [],
        addingQuery addedQuery: [(name: String, value: String)] = []
    ) -> String {
        var query = self.query
        if !addedQuery.isEmpty {
            let extra = addedQuery.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
            query = query.isEmpty ? extra : query + "&" + extra
        }
        let target = path + (query.isEmpty ? "" : "?" + query)
        let headerLines = (headers + added).map { "\($0.name):\($0.value)" }
        return "\(method) \(target) HTTP/1.1\n" + headerLines.joined(separator: "\n") + "\n\n" + String(decoding: body, as: UTF8.self)
    }
}
