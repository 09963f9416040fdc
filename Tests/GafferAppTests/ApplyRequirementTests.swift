import Foundation
import GafferCore
import Testing

@testable import GafferApp

/// Each apply requirement refused alone, with its own text, then satisfied.
struct ApplyRequirementTests {
    static let key = StackKey(account: "123456789012", region: "us-east-1", name: "gaffer-s3-bucket-logs")

    /// Facts under which every requirement holds.
    static func facts() -> ApplyFacts {
        let plan = ChangePlan(
            id: "p",
            repository: "acme/infra",
            issue: 7,
            pullRequest: 8,
            headSHA: "c0ffee0011223344",
            stacks: [
                PlannedStack(
                    key: key,
                    changeSetType: "CREATE",
                    changeSetName: "n",
                    changeSetID: "arn:cs",
                    templatePath: "t",
                    templateHash: "h",
                    changes: [ResourceChange(action: "Add", logicalID: "Bucket", resourceType: "AWS::S3::Bucket")]
                )
            ],
            requestedBy: "alice",
            requester: "alice",
            createdAt: Date()
        )
        return ApplyFacts(
            plan: plan,
            pullRequest: 8,
            repository: "acme/infra",
            head: plan.headSHA,
            open: true,
            pipeline: "success",
            mergeable: true,
            approvers: ["bob"],
            locks: [key: StackLock(key: key, repository: "acme/infra", pullRequest: 8, issue: 7, at: Date())],
            settings: ChangeSettings()
        )
    }

    static func refusals(_ facts: ApplyFacts) -> [String] { ApplyRequirements.all.compactMap { $0.refusal(facts) } }

    @Test func everyRequirementHoldsForAnApprovedCurrentPlan() {
        #expect(Self.refusals(Self.facts()).isEmpty)
    }

    @Test(arguments: [
        "closed", "new commit", "pipeline running", "pipeline failed", "not approved", "conflicts", "locked elsewhere", "unlocked",
        "destructive", "over the threshold", "repository configuration",
    ])
    func oneUnmetRequirementIsTheOneRefusal(_ broken: String) {
        var facts = Self.facts()
        let expected: String
        switch broken {
        case "closed":
            facts.open = false
            expected = "#8 is closed"
        case "new commit":
            facts.head = "deadbeef00112233"
            expected = "a new commit invalidates it"
        case "pipeline running":
            facts.pipeline = nil
            expected = "has not finished on `deadbeef0011`".replacingOccurrences(of: "deadbeef0011", with: "c0ffee001122")
        case "pipeline failed":
            facts.pipeline = "failure"
            expected = "ended `failure`"
        case "not approved":
            facts.approvers = []
            expected = "nobody but @alice (who asked for it) has approved it"
        case "conflicts":
            facts.mergeable = false
            expected = "does not merge into its base"
        case "locked elsewhere":
            facts.locks[Self.key] = StackLock(key: Self.key, repository: "acme/infra", pullRequest: 9, issue: 10, at: Date())
            expected = "is locked by #9"
        case "unlocked":
            facts.locks = [:]
            expected = "is not locked by this pull request any more"
        case "destructive":
            facts.plan.stacks[0].changes[0].action = "Remove"
            facts.settings.applyRequirements = []
            facts.approvers = []
            expected = "it is destructive (it removes Bucket (AWS::S3::Bucket) from gaffer-s3-bucket-logs)"
        case "repository configuration":
            facts.configurationProblems = [".gaffer.yml key destructive_approval: may not be set by a repository here"]
            expected = "the repository's configuration has problems (.gaffer.yml key destructive_approval"
        default:
            facts.plan.approvalReasons = ["the estimate, $150.00 a month, is over the $100.00 threshold"]
            facts.settings.applyRequirements = []
            facts.approvers = []
            expected = "it needs an approval (the estimate, $150.00 a month, is over the $100.00 threshold)"
        }
        let refusals = Self.refusals(facts)
        #expect(refusals.count == 1 && refusals[0].contains(expected), "\(refusals)")
    }

    @Test func theOperatorChoosesTheOptionalRequirementsButNotTheDestructiveOneByAccident() {
        var facts = Self.facts()
        facts.approvers = []
        facts.mergeable = false
        facts.settings.applyRequirements = []
        #expect(Self.refusals(facts).isEmpty, "approved and mergeable turned off")
        facts.plan.stacks[0].changes[0].replacement = "Conditional"
        facts.plan.stacks[0].changes[0].action = "Modify"
        #expect(Self.refusals(facts).count == 1, "a replacement still needs a second person")
        facts.settings.destructiveApproval = false
        #expect(Self.refusals(facts).isEmpty, "unless destructive_approval is off")
    }

    @Test func aKindOfResourceBelowTheRequiredAutonomyNeedsASecondPersonEvenWithoutApprovedRequired() {
        var facts = Self.facts()
        facts.settings.applyRequirements = [.mergeable]
        facts.approvers = []
        #expect(Self.refusals(facts).isEmpty, "a bucket (autonomy 5) may be applied by its requester here")
        facts.plan.stacks[0].changes.append(ResourceChange(action: "Add", logicalID: "Role", resourceType: "AWS::IAM::Role"))
        #expect(
            Self.refusals(facts) == [
                "it changes AWS::IAM::Role (autonomy 2), below the autonomy Gaffer may act on alone (5): a second person must `/approve` it"
            ]
        )
        facts.approvers = ["bob"]
        #expect(Self.refusals(facts).isEmpty)
        facts.approvers = []
        facts.settings.stewardship.levels = ["AWS::IAM::Role": 6]
        #expect(Self.refusals(facts).isEmpty, "the operator's level for the type")
        facts.settings.stewardship.requiredLevel = 7
        #expect(Self.refusals(facts).count == 1)
        // With `approved` required, that requirement says it, once.
        facts.settings.applyRequirements = [.approved]
        #expect(Self.refusals(facts).count == 1 && Self.refusals(facts)[0].contains("has approved it"))
    }

    @Test func theStewardshipTableGivesOwnersAndLowersProductionsAutonomy() {
        let stewardship = Stewardship()
        #expect(stewardship.autonomy(of: "AWS::Lambda::Function") == 8)
        #expect(stewardship.autonomy(of: "AWS::EC2::Instance") == 6)
        #expect(stewardship.autonomy(of: "AWS::RDS::DBInstance") == 4)
        #expect(stewardship.autonomy(of: "AWS::Some::Thing") == 5)
        #expect(stewardship.autonomy(of: "AWS::Lambda::Function", tags: ["environment": "Production"]) == 6)
        #expect(stewardship.autonomy(of: "AWS::IAM::Role", tags: ["env": "prod"]) == 0)
        #expect(stewardship.steward(for: "AWS::CloudWatch::Alarm").owner == .monitoring)
        #expect(stewardship.steward(for: "AWS::S3::Bucket").reviewer == .security)
        #expect(stewardship.steward(for: "AWS::IAM::Role").owner == .security)
    }
}
