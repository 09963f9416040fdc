import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A report group's results: totals, and each failure with the file and line to annotate.
public struct TestReport: Sendable, Equatable {
    public struct Failure: Sendable, Equatable {
        public let suite: String
        public let name: String
        public let className: String
        public let message: String
        public let file: String?
        public let line: Int?

        func masked(by log: BuildLog) -> Failure {
            Failure(suite: suite, name: name, className: className, message: log.masked(message), file: file, line: line)
        }
    }

    public let group: String
    public let format: ReportGroup.Format
    /// The report files found, relative to the group's base directory.
    public var files: [String] = []
    public var tests = 0
    public var failed = 0
    public var errors = 0
    public var skipped = 0
    public var seconds = 0.0
    public var failures: [Failure] = []
    /// False for the formats Gaffer collects but does not read (all but JUnit XML).
    public var parsed = true
    /// A report file that is not valid XML, and why.
    public var problems: [String] = []
}

enum ReportCollector {
    static func collect(_ group: ReportGroup, name: String, source: String) throws -> TestReport {
        let base = try ContainedPath.resolve(group.baseDirectory ?? "", under: source, what: "base-directory")
        let patterns = group.files.map(PathGlob.init)
        var report = TestReport(group: name, format: group.format)
        report.files = try ArtifactCollector.files(under: base).filter { path in patterns.contains { $0.matches(path) } }
        for file in report.files { _ = try ContainedPath.resolve(file, under: base, what: "the report file") }
        guard group.format == .junitXML else {
            report.parsed = false
            return report
        }
        for file in report.files {
            guard let data = FileManager.default.contents(atPath: base + "/" + file) else { continue }
            let reader = JUnitReader()
            let parser = XMLParser(data: data)
            parser.delegate = reader
            if !parser.parse() {
                report.problems.append(
                    "\(file): not valid XML (\(parser.parserError.map { "\($0.localizedDescription)" } ?? "unknown error") at line \(parser.lineNumber))"
                )
            } else if reader.depth != 0 {
                report.problems.append("\(file): not valid XML (it ends before its elements are closed; was the test run cut short?)")
            }
            report.tests += reader.tests
            report.failed += reader.failed
            report.errors += reader.errors
            report.skipped += reader.skipped
            report.seconds += reader.seconds
            report.failures += reader.failures
        }
        return report
    }
}

/// Reads `<testsuite>`/`<testcase>` with `<failure>`, `<error>` and `<skipped>`, as pytest, JUnit,
/// Jest and most others write them; counts test cases rather than trusting the suites' totals.
private final class JUnitReader: NSObject, XMLParserDelegate {
    var tests = 0, failed = 0, errors = 0, skipped = 0
    var seconds = 0.0
    var failures: [TestReport.Failure] = []

    /// Elements open at the end: more than none means the file was cut short.
    private(set) var depth = 0
    private var suite = ""
    private var testCase: [String: String]?
    private var outcome: (kind: String, message: String)?
    private var text = ""

    func parser(
        _ parser: XMLParser,
        didStartElement element: String,
        namespaceURI: String?,
        qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        depth += 1
        switch element {
        case "testsuite":
            suite = attributes["name"] ?? suite
        case "testcase":
            testCase = attributes
            outcome = nil
            text = ""
        case "failure", "error":
            outcome = (element, attributes["message"] ?? "")
            text = ""
        case "skipped":
            outcome = ("skipped", attributes["message"] ?? "")
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if outcome != nil, text.utf8.count < 8_192 { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        depth -= 1
        guard element == "testcase", let attributes = testCase else { return }
        tests += 1
        seconds += Double(attributes["time"] ?? "") ?? 0
        switch outcome?.kind {
        case "skipped":
            skipped += 1
        case let kind?:
            if kind == "error" { errors += 1 } else { failed += 1 }
            let location = attributes["file"].map { ($0, Int(attributes["line"] ?? "")) } ?? Self.location(in: text)
            let message = outcome?.message.isEmpty == false ? outcome?.message ?? "" : String(text.prefix(500))
            failures.append(
                TestReport.Failure(
                    suite: suite,
                    name: attributes["name"] ?? "?",
                    className: attributes["classname"] ?? "",
                    message: message.trimmingCharacters(in: .whitespacesAndNewlines),
                    file: location?.0,
                    line: location?.1 ?? nil
                )
            )
        case nil:
            break
        }
        testCase = nil
        outcome = nil
    }

    /// The first `path/to/file.ext:LINE` in a failure's text (a stack trace), when the test case does not say.
    static func location(in text: String) -> (String, Int?)? {
        guard let range = text.range(of: #"[A-Za-z0-9_./-]+\.[A-Za-z0-9]+:[0-9]+"#, options: .regularExpression) else { return nil }
        let parts = text[range].split(separator: ":")
        return (String(parts[0]), parts.count > 1 ? Int(parts[1]) : nil)
    }
}
