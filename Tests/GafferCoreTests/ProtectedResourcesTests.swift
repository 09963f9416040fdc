import GafferCore
import Testing

/// `protected_resources`: each way to write a rule, and what each protects and does not.
@Suite struct ProtectedResourcesTests {
    @Test func rulesAreReadAsWrittenAndABadOneSaysWhy() throws {
        #expect(try ProtectedResources.rule("prod-*").get() == .stack("prod-*"))
        #expect(try ProtectedResources.rule(" arn:aws:s3:::payroll-* ").get() == .arn("arn:aws:s3:::payroll-*"))
        #expect(try ProtectedResources.rule("tag:environment=prod*").get() == .tag(key: "environment", value: "prod*"))
        #expect(try ProtectedResources.rule("tag:keep").get() == .tag(key: "keep", value: nil))
        #expect(throws: ProtectedRuleError.self) { try ProtectedResources.rule("tag:=x").get() }
        #expect(throws: ProtectedRuleError.self) { try ProtectedResources.rule("  ").get() }
    }

    @Test(
        arguments: [
            // rule, stack, tags, ARNs changed, protected
            ("gaffer-*-prod", "gaffer-s3-bucket-logs-prod", [:], [], true),
            ("gaffer-*-prod", "gaffer-s3-bucket-logs-dev", [:], [], false),
            ("arn:aws:s3:::payroll-*", "any", [:], ["arn:aws:s3:::payroll-2026"], true),
            ("arn:aws:s3:::payroll-*", "any", [:], ["arn:aws:s3:::logs"], false),
            ("arn:aws:dynamodb:*:*:table/orders", "any", [:], ["arn:aws:dynamodb:us-east-1:1:table/orders"], true),
            ("tag:environment=prod*", "any", ["environment": "production"], [], true),
            ("tag:environment=prod*", "any", ["environment": "staging"], [], false),
            ("tag:keep", "any", ["keep": ""], [], true),
            ("tag:keep", "any", ["team": "web"], [], false),
        ] as [(String, String, [String: String], [String], Bool)]
    )
    func eachRuleProtectsWhatItNames(rule: String, stack: String, tags: [String: String], arns: [String], protected: Bool) throws {
        let rules = ProtectedResources(rules: [try ProtectedResources.rule(rule).get()])
        #expect((rules.rule(protecting: stack, tags: tags, arns: arns) != nil) == protected)
    }
}
