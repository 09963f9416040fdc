/// Reads Gaffer's resource registry: what reports compare AWS with.
public protocol RegistryReading: Sendable {
    func registeredResources() async throws -> [RegisteredResource]
}

/// A registry that holds nothing: reports run where no store is open (`gaffer report` with no data directory).
public struct EmptyRegistry: RegistryReading {
    public init() {}
    public func registeredResources() async throws -> [RegisteredResource] { [] }
}
