// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Gaffer",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gaffer", targets: ["gaffer"]),
        .executable(name: "gaffer-queue-bench", targets: ["GafferBench"]),
        .executable(name: "gaffer-parse-bench", targets: ["GafferParseBench"]),
        .executable(name: "gaffer-git-bench", targets: ["GafferGitBench"]),
        .executable(name: "gaffer-pipeline-bench", targets: ["GafferPipelineBench"]),
        .executable(name: "gaffer-aws-bench", targets: ["GafferAWSBench"]),
        .executable(name: "gaffer-plan-bench", targets: ["GafferPlanBench"]),
        .executable(name: "gaffer-dashboard-bench", targets: ["GafferDashboardBench"]),
        .executable(name: "gaffer-model-bench", targets: ["GafferModelBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .target(
            name: "GafferCore"
        ),
        .target(
            name: "GafferStore",
            dependencies: [
                "GafferCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .target(
            name: "GafferHTTP",
            dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
        .target(name: "GafferProcess"),
        .target(
            name: "GafferMessages",
            dependencies: ["GafferCore", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .target(
            name: "GafferGitHub",
            dependencies: [
                "GafferCore",
                "GafferHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        // Debian's libgit2-dev (1.5); `scripts/setup` installs it.
        .systemLibrary(name: "CLibGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .target(
            name: "GafferGit",
            dependencies: [
                "CLibGit2",
                "GafferCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "GafferAWS",
            dependencies: [
                "GafferCore",
                "GafferHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "GafferModels",
            dependencies: [
                "GafferAWS",
                "GafferCore",
                "GafferHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "GafferPipeline",
            dependencies: [
                "GafferCore", "GafferProcess", .product(name: "Yams", package: "Yams"), .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .target(
            name: "GafferAgents",
            dependencies: [
                "GafferCore",
                "GafferAWS",
                "GafferModels",
                "GafferPipeline",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "GafferSandbox",
            dependencies: [
                "GafferAWS",
                "GafferCore",
                "GafferGitHub",
                "GafferModels",
                "GafferProcess",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        .target(
            name: "GafferApp",
            dependencies: [
                "GafferAgents",
                "GafferMCP",
                "GafferModels",
                "GafferAWS",
                "GafferCore",
                "GafferStore",
                "GafferGit",
                "GafferGitHub",
                "GafferMessages",
                "GafferPipeline",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "GafferMCP",
            dependencies: [
                "GafferAgents",
                "GafferCore",
                "GafferGitHub",
                "GafferModels",
                "GafferProcess",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MCP", package: "swift-sdk"),
            ]
        ),
        .executableTarget(
            name: "gaffer",
            dependencies: [
                "GafferAgents",
                "GafferApp",
                "GafferMCP",
                "GafferAWS",
                "GafferPipeline",
                "GafferSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "GafferTestSupport",
            dependencies: [
                "GafferApp",
                "GafferAWS",
                "GafferCore",
                "GafferModels",
                "GafferGitHub",
                "GafferProcess",
                "GafferSandbox",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/GafferTestSupport"
        ),
        .executableTarget(
            name: "GafferBench",
            dependencies: [
                "GafferApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(name: "GafferParseBench", dependencies: ["GafferCore"]),
        .executableTarget(
            name: "GafferModelBench",
            dependencies: [
                "GafferAWS",
                "GafferAgents", "GafferCore", "GafferMCP", "GafferModels", "GafferSandbox", "GafferStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MCP", package: "swift-sdk"),
            ]
        ),
        .executableTarget(name: "GafferAWSBench", dependencies: ["GafferAWS", "GafferCore"]),
        .executableTarget(name: "GafferPlanBench", dependencies: ["GafferAgents", "GafferCore"]),
        .executableTarget(
            name: "GafferDashboardBench",
            dependencies: [
                "GafferApp", "GafferCore", "GafferStore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "GafferPipelineBench",
            dependencies: ["GafferPipeline", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "GafferGitBench",
            dependencies: ["GafferGit", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // libFuzzer targets; `scripts/fuzz` builds them with -sanitize=fuzzer,address -DFUZZING.
        .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport"),
        .executableTarget(name: "IssueParserFuzzer", dependencies: ["GafferCore", "FuzzSupport"], path: "Fuzz/IssueParserFuzzer"),
        .executableTarget(name: "CommandParserFuzzer", dependencies: ["GafferCore", "FuzzSupport"], path: "Fuzz/CommandParserFuzzer"),
        .executableTarget(name: "BuildspecLoaderFuzzer", dependencies: ["GafferPipeline", "FuzzSupport"], path: "Fuzz/BuildspecLoaderFuzzer"),
        .executableTarget(name: "WebhookPayloadFuzzer", dependencies: ["GafferGitHub", "FuzzSupport"], path: "Fuzz/WebhookPayloadFuzzer"),
        .testTarget(
            name: "GafferCoreTests",
            dependencies: [
                "GafferCore",
                "GafferTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "GafferAgentsTests",
            dependencies: [
                "GafferAgents", "GafferAWS", "GafferModels", "GafferPipeline", "GafferProcess", "GafferSandbox", "GafferStore", "GafferTestSupport",
            ]
        ),
        .testTarget(
            name: "GafferStoreTests",
            dependencies: ["GafferStore", "GafferTestSupport"]
        ),
        .testTarget(
            name: "GafferGitHubTests",
            dependencies: [
                "GafferGitHub",
                "GafferProcess",
                "GafferSandbox",
                "GafferTestSupport",
            ]
        ),
        .testTarget(
            name: "GafferProcessTests",
            dependencies: ["GafferProcess"]
        ),
        .testTarget(
            name: "GafferMessagesTests",
            dependencies: ["GafferAgents", "GafferMessages", "GafferTestSupport"]
        ),
        .testTarget(
            name: "GafferGitTests",
            dependencies: ["GafferGit", "GafferTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "GafferAWSTests",
            dependencies: ["GafferApp", "GafferAWS", "GafferCore", "GafferPipeline", "GafferTestSupport"]
        ),
        .testTarget(
            name: "GafferModelsTests",
            dependencies: ["GafferAWS", "GafferModels", "GafferSandbox", "GafferTestSupport"]
        ),
        .testTarget(
            name: "GafferPipelineTests",
            dependencies: ["GafferPipeline", "GafferTestSupport"]
        ),
        .testTarget(
            name: "GafferAppTests",
            dependencies: [
                "GafferApp",
                "GafferAWS",
                "GafferGit",
                "GafferModels",
                "GafferGitHub",
                "GafferMCP",
                "GafferSandbox",
                "GafferTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "GafferAgents",
                "GafferApp",
                "GafferAWS",
                "GafferMCP",
                "GafferModels",
                "GafferSandbox",
                "GafferTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)

// Every target: Swift 6 language mode (the tools version's default) with
// `any` spelled out for existentials.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("ExistentialAny")]
}
