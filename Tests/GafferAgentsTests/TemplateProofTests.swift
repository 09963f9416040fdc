import Foundation
import GafferAgents
import GafferCore
import GafferTestSupport
import Testing

/// Every template Gaffer writes, for every resource, with the schema's examples and with every
/// field set, is proven by the real tools.
@Suite struct TemplateLintTests {
    @Test func everyTemplateLintsCleanWithCfnLint() async throws {
        let folder = try TemporaryDirectory("gaffer-cfn-lint")
        defer { folder.remove() }
        let written = try RenderedStack.writeAll(try await RenderedStack.all(), to: folder.url)
        #expect(written.count >= 2 * ResourceKind.singleResources.count, "a template for every resource, twice")
        let problems = try await TemplateLinters.cfnLint(written.keys.sorted())
        for (file, lines) in problems.sorted(by: { $0.key < $1.key }) {
            Issue.record("cfn-lint on \(written[file] ?? file):\n\(lines.joined(separator: "\n"))")
        }
    }

    @Test func everyTemplatePassesCheckovButTheListedSkips() async throws {
        let folder = try TemporaryDirectory("gaffer-checkov")
        defer { folder.remove() }
        let written = try RenderedStack.writeAll(try await RenderedStack.all(), to: folder.url)
        let failed = try await TemplateLinters.checkov(folder: folder.url, skips: try TemplateLinters.checkovSkips())
        for (file, checks) in failed.sorted(by: { $0.key < $1.key }) {
            let name = written.first { file.hasSuffix(($0.key as NSString).lastPathComponent) }?.value ?? file
            Issue.record("checkov on \(name):\n\(checks.joined(separator: "\n"))")
        }
    }
}
