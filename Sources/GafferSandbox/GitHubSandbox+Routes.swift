import Foundation
import Hummingbird

/// Reads each route's parameters and body and hands them to the state.
extension GitHubSandbox {
    private func login(_ caller: Caller) throws -> String {
        guard case .user(let login) = caller else { throw SandboxError(401, "A JSON web token cannot be used to authenticate to this endpoint") }
        return login
    }

    private func repo(_ context: BasicRequestContext) throws -> (String, String) {
        (try context.parameters.require("owner"), try context.parameters.require("repo"))
    }

    private func number(_ context: BasicRequestContext, _ name: String = "number") throws -> Int {
        guard let value = context.parameters.get(name), let number = Int(value) else { throw SandboxError(404, "Not Found") }
        return number
    }

    private func object(_ body: Data) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw SandboxError(400, "Problems parsing JSON")
        }
        return object
    }

    private func answer(_ reply: SandboxState.Reply) -> Answer { Answer(status: reply.status, body: reply.body) }

    func getIssue(_ context: BasicRequestContext, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        return answer(try await state.getIssue(owner, name, number: try number(context), login: try login(caller), base: base))
    }

    func updateIssue(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        let fields = try object(body)
        return answer(
            try await state.updateIssue(
                owner,
                name,
                number: try number(context),
                title: fields["title"] as? String,
                body: fields["body"] as? String,
                state: fields["state"] as? String,
                labels: fields["labels"] as? [String],
                login: try login(caller),
                base: base
            )
        )
    }

    func createIssue(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        let fields = try object(body)
        guard let title = fields["title"] as? String, !title.isEmpty else { throw SandboxError(422, "Validation Failed: title is missing") }
        return answer(
            try await state.createIssue(
                owner,
                name,
                title: title,
                body: fields["body"] as? String,
                labels: fields["labels"] as? [String] ?? [],
                login: try login(caller),
                base: base
            )
        )
    }

    func listComments(_ request: Request, _ context: BasicRequestContext, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        let page = request.uri.queryParameters.get("page").flatMap(Int.init) ?? 1
        let perPage = min(100, request.uri.queryParameters.get("per_page").flatMap(Int.init) ?? 30)
        return answer(
            try await state.listComments(
                owner,
                name,
                number: try number(context),
                page: page,
                perPage: perPage,
                login: try login(caller),
                base: base
            )
        )
    }

    func createComment(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        guard let text = try object(body)["body"] as? String else { throw SandboxError(422, "Validation Failed: body is missing") }
        return answer(try await state.createComment(owner, name, number: try number(context), body: text, login: try login(caller), base: base))
    }

    func updateComment(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        guard let text = try object(body)["body"] as? String else { throw SandboxError(422, "Validation Failed: body is missing") }
        return answer(
            try await state.updateComment(owner, name, id: Int64(try number(context, "id")), body: text, login: try login(caller), base: base)
        )
    }

    func deleteComment(_ context: BasicRequestContext, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        return answer(try await state.deleteComment(owner, name, id: Int64(try number(context, "id")), login: try login(caller)))
    }

    func addLabels(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        guard let labels = try object(body)["labels"] as? [String] else {
            throw SandboxError(422, "Validation Failed: labels must be a list of names")
        }
        return answer(try await state.addLabels(owner, name, number: try number(context), labels: labels, login: try login(caller), base: base))
    }

    func removeLabel(_ context: BasicRequestContext, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        let label = try context.parameters.require("name").removingPercentEncoding ?? ""
        return answer(try await state.removeLabel(owner, name, number: try number(context), label: label, login: try login(caller), base: base))
    }

    func react(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        guard let content = try object(body)["content"] as? String else { throw SandboxError(422, "Validation Failed: content is missing") }
        return answer(
            try await state.react(owner, name, id: Int64(try number(context, "id")), content: content, login: try login(caller), base: base)
        )
    }

    func reactToIssue(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        guard let content = try object(body)["content"] as? String else { throw SandboxError(422, "Validation Failed: content is missing") }
        return answer(
            try await state.reactToIssue(owner, name, number: try number(context), content: content, login: try login(caller), base: base)
        )
    }

    func deleteRef(_ context: BasicRequestContext, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        return answer(
            try await state.deleteRef(owner, name, ref: context.parameters.getCatchAll().joined(separator: "/"), login: try login(caller), base: base)
        )
    }

    func permission(_ context: BasicRequestContext, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        return answer(try await state.permission(owner, name, of: try context.parameters.require("username"), login: try login(caller), base: base))
    }

    func installationToken(_ context: BasicRequestContext) async throws -> Answer {
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw SandboxError(404, "Not Found") }
        return answer(try await state.installationToken(id))
    }

    func getRef(_ context: BasicRequestContext, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        let ref = context.parameters.getCatchAll().joined(separator: "/")
        return answer(try await state.getRef(owner, name, ref: ref, login: try login(caller), base: base))
    }

    func contents(_ context: BasicRequestContext, ref: String?, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        let path = context.parameters.getCatchAll().joined(separator: "/")
        return answer(try await state.contents(owner, name, path: path, ref: ref, login: try login(caller), base: base))
    }

    func createRef(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        let fields = try object(body)
        guard let ref = fields["ref"] as? String, let sha = fields["sha"] as? String else {
            throw SandboxError(422, "Validation Failed: ref and sha are required")
        }
        return answer(try await state.createRef(owner, name, ref: ref, sha: sha, login: try login(caller), base: base))
    }

    func updateRef(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        let fields = try object(body)
        guard let sha = fields["sha"] as? String else { throw SandboxError(422, "Validation Failed: sha is required") }
        return answer(
            try await state.updateRef(
                owner,
                name,
                ref: context.parameters.getCatchAll().joined(separator: "/"),
                sha: sha,
                force: fields["force"] as? Bool ?? false,
                login: try login(caller),
                base: base
            )
        )
    }

    func listPulls(_ request: Request, _ context: BasicRequestContext, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        return answer(
            try await state.listPulls(
                owner,
                name,
                head: request.uri.queryParameters.get("head"),
                state: request.uri.queryParameters.get("state") ?? "open",
                login: try login(caller),
                base: base
            )
        )
    }

    func createPull(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        let fields = try object(body)
        guard let title = fields["title"] as? String, let head = fields["head"] as? String, let baseBranch = fields["base"] as? String else {
            throw SandboxError(422, "Validation Failed: title, head and base are required")
        }
        return answer(
            try await state.createPull(
                owner,
                name,
                title: title,
                head: head,
                base: baseBranch,
                body: fields["body"] as? String,
                login: try login(caller),
                base: base
            )
        )
    }

    func getPull(_ context: BasicRequestContext, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        return answer(try await state.getPull(owner, name, number: try number(context), login: try login(caller), base: base))
    }

    func updatePull(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        let fields = try object(body)
        return answer(
            try await state.updatePull(
                owner,
                name,
                number: try number(context),
                title: fields["title"] as? String,
                body: fields["body"] as? String,
                state: fields["state"] as? String,
                login: try login(caller),
                base: base
            )
        )
    }

    func mergePull(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        let fields = body.isEmpty ? [:] : try object(body)
        return answer(
            try await state.mergePull(
                owner,
                name,
                number: try number(context),
                login: try login(caller),
                base: base,
                method: fields["merge_method"] as? String ?? "merge",
                sha: fields["sha"] as? String,
                title: fields["commit_title"] as? String
            )
        )
    }

    func reviews(_ context: BasicRequestContext, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        return answer(try await state.reviews(owner, name, number: try number(context), login: try login(caller), base: base))
    }

    func reviewComments(_ context: BasicRequestContext, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        return answer(try await state.reviewComments(owner, name, number: try number(context), login: try login(caller), base: base))
    }

    func createReviewComment(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        return answer(
            try await state.createReviewComment(
                owner,
                name,
                number: try number(context),
                fields: try object(body),
                login: try login(caller),
                base: base
            )
        )
    }

    func createCheckRun(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        return answer(try await state.createCheckRun(owner, name, fields: try object(body), login: try login(caller), base: base))
    }

    func updateCheckRun(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        return answer(
            try await state.updateCheckRun(
                owner,
                name,
                id: Int64(try number(context, "id")),
                fields: try object(body),
                login: try login(caller),
                base: base
            )
        )
    }

    func addCollaborator(_ context: BasicRequestContext, body: Data, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        let permission = (try? object(body))?["permission"] as? String ?? "write"
        return answer(
            try await state.addCollaborator(
                owner,
                name,
                user: try context.parameters.require("username"),
                permission: permission,
                login: try login(caller)
            )
        )
    }

    func review(_ context: BasicRequestContext, body: Data, base: String, caller: Caller) async throws -> Answer {
        let (owner, name) = try repo(context)
        let fields = try object(body)
        return answer(
            try await state.review(
                owner,
                name,
                number: try number(context),
                event: fields["event"] as? String ?? "COMMENT",
                body: fields["body"] as? String,
                login: try login(caller),
                base: base
            )
        )
    }

    func rateLimit() -> Answer {
        let reset = Int(Date().timeIntervalSince1970) + 3600
        let core: [String: Any] = ["limit": 5000, "remaining": 4999, "reset": reset, "used": 1]
        return Answer(200, ["resources": ["core": core, "search": core, "graphql": core], "rate": core])
    }
}
