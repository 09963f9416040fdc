import GafferCore
import Testing

struct CommandParserTests {
    let parser = CommandParser(botLogin: "gaffer[bot]")

    func commands(_ body: String, author: String? = "alice") -> [Command] {
        parser.parse(body, author: author).compactMap { if case .command(let command) = $0 { command } else { nil } }
    }

    @Test func commandsArgumentsAndFlags() {
        #expect(commands("/apply --stack logs") == [Command(name: .apply, flags: ["stack": "logs"])])
        #expect(commands("/apply --stack=logs") == [Command(name: .apply, flags: ["stack": "logs"])])
        #expect(commands("/approve") == [Command(name: .approve)])
        #expect(commands("/deny \"too expensive\"") == [Command(name: .deny, arguments: ["too expensive"])])
        #expect(commands("/deny 'it''s' fine") == [Command(name: .deny, arguments: ["its", "fine"])])
        #expect(commands("/deny “smart quotes work”") == [Command(name: .deny, arguments: ["smart quotes work"])])
        #expect(commands("/destroy --force --stack web") == [Command(name: .destroy, flags: ["force": "true", "stack": "web"])])
        #expect(commands("/Apply") == [Command(name: .apply)])
        #expect(commands("/retry --step \"--weird\"") == [Command(name: .retry, flags: ["step": "--weird"])])
    }

    @Test func severalPerCommentWithLineNumbers() {
        let body = "Looks good.\r\n/plan\r\nthen\r\n  /apply --stack logs\r\n@gaffer status\r\n@Gaffer /help apply"
        #expect(
            commands(body) == [
                Command(name: .plan, line: 2), Command(name: .apply, flags: ["stack": "logs"], line: 4),
                Command(name: .status, line: 5), Command(name: .help, arguments: ["apply"], line: 6),
            ]
        )
    }

    @Test func fencesQuotesCommentsAndIndentedCodeAreNotRead() {
        let body = """
            ```
            /apply
            ```
            ~~~~
            /destroy
            ~~~~
            > /approve
            >> /approve
             > /apply
            <!-- /apply -->
            <!--
            /destroy
            -->
                /apply
            Text with /apply inside a sentence.
            @gaffertest apply
            /cancel
            """
        #expect(commands(body) == [Command(name: .cancel, line: 17)])
    }

    @Test func theBotsOwnCommentsAreIgnored() {
        #expect(commands("/apply", author: "gaffer[bot]").isEmpty)
        #expect(commands("/apply", author: "GAFFER[bot]").isEmpty)
        #expect(commands("/apply", author: "gaffer") == [Command(name: .apply)])
    }

    @Test func nearMissesGetADidYouMean() {
        #expect(parser.parse("/aply") == [.suggestion(given: "/aply", suggested: .apply, line: 1)])
        #expect(parser.parse("/stauts") == [.suggestion(given: "/stauts", suggested: .status, line: 1)])
        #expect(parser.parse("/aprove") == [.suggestion(given: "/aprove", suggested: .approve, line: 1)])
        #expect(parser.parse("/aprve") == [.suggestion(given: "/aprve", suggested: .approve, line: 1)])
        #expect(parser.parse("/pln") == [.suggestion(given: "/pln", suggested: .plan, line: 1)])
        #expect(parser.parse("@gaffer retyr") == [.suggestion(given: "/retyr", suggested: .retry, line: 1)])
    }

    @Test func otherBotsCommandsAreLeftAlone() {
        // Prow and friends: far from every Gaffer command, or too short to judge.
        for body in ["/lgtm", "/hold", "/retest", "/assign @bob", "/lock", "/cc @bob", "/kind bug", "/usr/bin/env", "/ok", "/test all", "/close"] {
            #expect(parser.parse(body).isEmpty, "\(body)")
        }
    }

    @Test func knownCommandsWrittenWronglyAreExplained() {
        guard case .problem(.apply, let unknown, 1)? = parser.parse("/apply --stak logs").first else {
            Issue.record("an unknown flag is a problem")
            return
        }
        #expect(unknown.contains("--stak") && unknown.contains("--stack"))
        guard case .problem(.apply, let missing, 1)? = parser.parse("/apply --stack").first else {
            Issue.record("a flag without its value is a problem")
            return
        }
        #expect(missing.contains("needs a value"))
        guard case .problem(.deny, let unclosed, 1)? = parser.parse("/deny \"too expensive").first else {
            Issue.record("an unclosed quote is a problem")
            return
        }
        #expect(unclosed.contains("not closed"))
        guard case .problem(.status, let none, 1)? = parser.parse("/status --verbose").first else {
            Issue.record("a flag on a command without flags is a problem")
            return
        }
        #expect(none.contains("takes no flags"))
    }
}

struct AuthorizationPolicyTests {
    let policy = AuthorizationPolicy()

    func actor(_ login: String, _ permission: Permission, teams: Set<String> = []) -> AuthorizationPolicy.Actor {
        AuthorizationPolicy.Actor(login: login, permission: permission, teams: teams)
    }

    @Test func eachCommandNeedsItsLeastPermission() {
        for command in CommandName.allCases {
            let needed = AuthorizationPolicy.defaultRequired[command] ?? .admin
            #expect(policy.decide(command, actor: actor("bob", needed), requester: "alice") == .allowed, "\(command)")
            if let below = Permission.allCases.last(where: { $0 < needed }) {
                guard case .denied(let reason) = policy.decide(command, actor: actor("bob", below), requester: "alice") else {
                    Issue.record("/\(command) allowed with \(below)")
                    continue
                }
                #expect(reason.contains(needed.rawValue) && reason.contains(below.rawValue))
            }
        }
        #expect(Permission.read < .triage && Permission.triage < .write && Permission.write < .maintain && Permission.maintain < .admin)
    }

    @Test func theRequesterCannotApproveUnlessConfigured() {
        guard case .denied(let reason) = policy.decide(.approve, actor: actor("Alice", .admin), requester: "alice") else {
            Issue.record("self-approval allowed")
            return
        }
        #expect(reason.contains("cannot approve"))
        #expect(policy.decide(.approve, actor: actor("bob", .write), requester: "alice") == .allowed)
        let lenient = AuthorizationPolicy(requesterMayApprove: true)
        #expect(lenient.decide(.approve, actor: actor("alice", .write), requester: "alice") == .allowed)
    }

    @Test func allowlistsByUserOrTeam() {
        let strict = AuthorizationPolicy(allowedUsers: [.apply: ["Ops-Lead"]], allowedTeams: [.apply: ["acme/platform"]])
        #expect(strict.decide(.apply, actor: actor("ops-lead", .write), requester: nil) == .allowed)
        #expect(strict.decide(.apply, actor: actor("carol", .write, teams: ["ACME/platform"]), requester: nil) == .allowed)
        guard case .denied(let reason) = strict.decide(.apply, actor: actor("dave", .admin, teams: ["acme/web"]), requester: nil) else {
            Issue.record("someone off the allowlist was allowed")
            return
        }
        #expect(reason.contains("@ops-lead") && reason.contains("@acme/platform"))
        // The allowlist adds to the permission check; it does not replace it.
        #expect(strict.decide(.apply, actor: actor("ops-lead", .read), requester: nil) != .allowed)
        #expect(strict.decide(.plan, actor: actor("dave", .triage), requester: nil) == .allowed)
    }
}

struct CommandHelpTests {
    /// `/help` lists these; each names its command and every flag it takes.
    @Test func everyCommandsUsageNamesItAndItsFlags() {
        for command in CommandName.allCases {
            #expect(command.usage.hasPrefix("/\(command.rawValue)"))
            for flag in command.valueFlags + command.switchFlags {
                #expect(command.usage.contains("--\(flag)"), "/\(command.rawValue) usage lacks --\(flag)")
            }
        }
    }
}
