import Foundation
import GafferCore

/// `gaffer-parse-bench`: how long the issue and comment parsers take per input,
/// for realistic and hostile inputs of 8 KB, 64 KB (GitHub's limit for a body)
/// and 512 KB. Linear time shows as ratios near 8 from one size to the next.
/// Prints one JSON line per measurement.
@main
enum ParseBenchmark {
    static let form = """
        ### Task

        Create

        ### Resource type

        Lambda function

        ### Name

        resize-images

        ### Region

        eu-west-1

        ### Settings

        ```yaml
        runtime: python3.13
        memorySize: 1024
        timeout: 60
        ```

        ### Tags

        team: media

        ### Description


        """

    /// Inputs by name: a function from a size in bytes to a body of about that size.
    static let inputs: [(name: String, parser: String, make: @Sendable (Int) -> String)] = [
        ("form + description", "issue", { form + String(repeating: "Resize the images people upload, please. 🦆\n", count: $0 / 46) }),
        ("# runs", "issue", { String(repeating: "#", count: $0) }),
        ("### headings", "issue", { String(repeating: "### a\n", count: $0 / 6) }),
        ("unclosed fences", "issue", { String(repeating: "```\n", count: $0 / 4) + "```yaml\n" }),
        ("nested quotes", "issue", { String(repeating: ">", count: $0) + " /apply" }),
        ("unclosed HTML comments", "issue", { String(repeating: "<!--", count: $0 / 4) }),
        ("checkbox lists", "issue", { "### Confirmation\n\n" + String(repeating: "- [x] yes\n", count: $0 / 10) }),
        ("yaml lines", "issue", { "```yaml\n" + String(repeating: "tags: a\n", count: $0 / 8) }),
        ("comment + /apply", "comment", { String(repeating: "Looks fine to me, thanks.\n", count: $0 / 26) + "/apply --stack logs\n" }),
        ("quoted earlier comments", "comment", { String(repeating: "> /apply --stack logs\n", count: $0 / 22) }),
        ("near misses", "comment", { String(repeating: "/aply\n", count: $0 / 6) }),
        ("long quoted argument", "comment", { "/deny \"" + String(repeating: "too expensive ", count: $0 / 14) + "\"" }),
    ]

    static func main() {
        let issueParser = IssueParser()
        let commandParser = CommandParser()
        for input in inputs {
            for size in [8_192, 65_536, 524_288] {
                let body = input.make(size)
                let work: () -> Int =
                    input.parser == "issue"
                    ? { issueParser.parse(IssueInput(title: "Create lambda", body: body, labels: ["gaffer"])).problems.count }
                    : { commandParser.parse(body).count }
                var sink = work()
                // Repeat until at least 0.3 s has passed, then report the mean.
                let clock = ContinuousClock()
                var iterations = 0
                let start = clock.now
                var elapsed = Duration.zero
                while elapsed < .milliseconds(300) {
                    sink &+= work()
                    iterations += 1
                    elapsed = clock.now - start
                }
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let micros = seconds / Double(iterations) * 1e6
                let bytes = body.utf8.count
                let line: [String: Any] = [
                    "benchmark": "parse", "parser": input.parser, "input": input.name, "bytes": bytes,
                    "iterations": iterations, "us_per_parse": (micros * 10).rounded() / 10,
                    "mb_per_s": (Double(bytes) / (micros / 1e6) / 1e6 * 10).rounded() / 10, "sink": sink % 2,
                ]
                if let data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) {
                    print(String(decoding: data, as: UTF8.self))
                }
            }
        }
    }
}
