import GafferCore

extension AwsTask {
    /// The body of an issue that updates this task with `change`, in the request language: what a
    /// security fix or an approved savings proposal offers. Nil for a task without a resource.
    func updateRequest(changing change: [String: ParameterValue]) -> String? {
        guard let resource else { return nil }
        var lines = ["kind: update", "resource: \(resource.name)"]
        if let region { lines.append("region: \(region)") }
        if let account { lines.append("account: \(account)") }
        let merged = parameters.merging(change) { _, new in new }
        lines += merged.keys.sorted().map { "\($0): \(merged[$0]?.description ?? "")" }
        return lines.joined(separator: "\n")
    }
}
