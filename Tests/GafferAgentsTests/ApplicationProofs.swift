import Foundation
import GafferAWS
import GafferAgents
import GafferCore
import GafferProcess
import GafferTestSupport
import Testing

/// Values of an entity's fields as a client sends them: one item, and another to replace it with.
enum EntitySamples {
    static func item(_ entity: EntitySpec.Entity, second: Bool = false) -> [String: Any] {
        var item: [String: Any] = [:]
        for field in entity.fields {
            switch field.type {
            case .string: item[field.name] = "\(field.name) \(second ? "two" : "one")"
            case .number: item[field.name] = second ? 40.25 : 12.5
            case .integer: item[field.name] = second ? 7 : 3
            case .boolean: item[field.name] = !second
            }
        }
        return item
    }

    /// Whether a decoded JSON object holds exactly these values, compared as canonical JSON text.
    static func same(_ a: Any?, _ b: [String: Any]) -> Bool {
        guard let a = a as? [String: Any] else { return false }
        return canonical(a) == canonical(b)
    }

    static func canonical(_ value: [String: Any]) -> String? {
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// An application's main resources read back from moto through their own services' APIs.
enum AppReadBack {
    static func expect(_ task: AwsTask, spec: EntitySpec, client: AWSClient) async throws {
        let name = try #require(task.resourceName)
        let kind = try #require(task.resource?.applicationKind)
        if kind.runsInContainers {
            try await containers(task, name: name, client: client)
        } else {
            try await functions(task, name: name, spec: spec, client: client)
        }
        if kind.hasFrontend {
            let resources = try await CloudFormation(client).describeStackResources(StackNaming(task: task).name)
            let bucket = try #require(resources.first { $0.logicalResourceID == "FrontendBucket" }?.physicalResourceID)
            #expect(try await S3(client).getBucketEncryption(bucket) != nil, "\(name): the front end's bucket is encrypted")
        }
    }

    static func containers(_ task: AwsTask, name: String, client: AWSClient) async throws {
        struct Services: Decodable {
            struct Service: Decodable {
                let desiredCount: Int
            }
            let services: [Service]
        }
        let services: Services = try await client.json(.ecs, "DescribeServices", ["cluster": name, "services": [name]])
        // moto's CloudFormation drops the service's LaunchType and the task definition's Cpu, so neither is read back here.
        #expect(services.services.map(\.desiredCount) == [0], "\(name): no task runs before the first release")
        struct Definition: Decodable {
            struct Body: Decodable {
                let memory: String?
                let containerDefinitions: [Container]
            }
            struct Container: Decodable {
                let portMappings: [Port]?
                let environment: [Variable]?
            }
            struct Port: Decodable { let containerPort: Int }
            struct Variable: Decodable { let name: String }
            let taskDefinition: Body
        }
        let definition: Definition = try await client.json(.ecs, "DescribeTaskDefinition", ["taskDefinition": name])
        // 512 and 1024 MB are both Fargate sizes for 0.25 vCPU, so the issue's memory is used as given.
        #expect(definition.taskDefinition.memory == String(task.parameters["memorySize"]?.integerValue ?? 512), "\(name) memory")
        let container = try #require(definition.taskDefinition.containerDefinitions.first)
        #expect(container.portMappings?.map(\.containerPort) == [8000])
        let variables = Set(container.environment?.map(\.name) ?? [])
        #expect(variables.isSuperset(of: ["DATABASE_SECRET_ARN", "DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME"]), "\(variables)")

        let groups = try await client.query(.elasticLoadBalancing, "DescribeTargetGroups").list("TargetGroups")
        #expect(
            groups.contains { $0.string("HealthCheckPath") == "/health" && $0.string("Port") == "8000" && $0.string("TargetType") == "ip" },
            "\(name): a target group checking /health on port 8000"
        )
        let balancers = try await client.query(.elasticLoadBalancing, "DescribeLoadBalancers").list("LoadBalancers")
        var listeners: [String] = []
        for arn in balancers.compactMap({ $0.string("LoadBalancerArn") }) {
            listeners += try await client.query(.elasticLoadBalancing, "DescribeListeners", [("LoadBalancerArn", arn)]).list("Listeners")
                .map { "\($0.string("Protocol") ?? "?") \($0.string("Port") ?? "?")" }
        }
        #expect(listeners.contains("HTTP 80"), "\(name): listeners \(listeners)")

        let database = try #require(try await RDS(client).describeDBInstances(identifier: name).first, "\(name): the database")
        #expect(
            database.engine == "postgres" && database.storageEncrypted && !database.publiclyAccessible,
            "\(name): a private, encrypted PostgreSQL"
        )
    }

    static func functions(_ task: AwsTask, name: String, spec: EntitySpec, client: AWSClient) async throws {
        let functions = try await Lambda(client).listFunctions().functions
        for entity in spec.entities {
            let functionName = "\(name)-\(entity.name)"
            let function = try #require(functions.first { $0.functionName == functionName }, "\(functionName) in \(functions.map(\.functionName))")
            #expect(function.runtime == "python3.12" && function.memorySize == (task.parameters["memorySize"]?.integerValue ?? 256))
            #expect(function.handler == "index.handler", "until the first release, the inline placeholder answers")
            let table = try await DynamoDB(client).describeTable(functionName)
            #expect(table.keySchema.map { "\($0.attributeName) \($0.keyType)" } == ["id HASH"], "\(functionName) keys")
        }
        struct APIs: Decodable {
            struct API: Decodable {
                let id: String
                let name: String
            }
            let item: [API]
        }
        struct Resources: Decodable {
            struct Resource: Decodable {
                let path: String
                let resourceMethods: [String: AnyDecodable]?
            }
            let item: [Resource]
        }
        let apis = try JSONDecoder().decode(
            APIs.self,
            from: try await client.send(AWSRequest(operation: "GetRestApis", method: "GET", path: "/restapis"), to: .apiGateway).body
        )
        let api = try #require(apis.item.first { $0.name == name }, "the REST API \(name)")
        let resources = try JSONDecoder().decode(
            Resources.self,
            from: try await client.send(AWSRequest(operation: "GetResources", method: "GET", path: "/restapis/\(api.id)/resources"), to: .apiGateway)
                .body
        )
        let methods = Dictionary(resources.item.map { ($0.path, Set($0.resourceMethods?.keys.map { $0 } ?? [])) }, uniquingKeysWith: { $0.union($1) })
        for entity in spec.entities {
            #expect(methods["/\(entity.name)"]?.contains("ANY") == true, "/\(entity.name) in \(methods)")
            #expect(methods["/\(entity.name)/{id}"]?.contains("ANY") == true, "/\(entity.name)/{id} in \(methods)")
        }
    }

    /// Anything, read and dropped: only a method's presence matters here.
    struct AnyDecodable: Decodable {
        init(from decoder: any Decoder) throws {}
    }
}

/// The generated application running for real, as a person would use it.
enum AppRun {
    /// The FastAPI service under uvicorn against a real PostgreSQL: health, the migration, and
    /// a create-read-update-delete round trip over HTTP for every entity, checked in the database
    /// too; then the generated smoke test; with a front end, the page in Chromium.
    static func serviceOnPostgreSQL(app: URL, spec: EntitySpec, frontend: Bool) async throws {
        let postgres = try await PostgresServer.start()
        defer { postgres.stop() }
        _ = try await postgres.psql("CREATE DATABASE app")
        let port = try unusedPort()
        let pagePort = try unusedPort()
        var environment = ["DATABASE_URL": postgres.url(database: "app", scheme: "postgresql+psycopg")]
        if frontend { environment["CORS_ORIGINS"] = "http://127.0.0.1:\(pagePort)" }
        let python = app.appendingPathComponent(".venv/bin/python").path
        let service = try ServerProcess(
            python,
            ["-m", "uvicorn", "--factory", "app.main:create_app", "--app-dir", app.path, "--host", "127.0.0.1", "--port", String(port)],
            environment: environment
        )
        defer { service.stop() }
        try await service.waitForPort(port, what: "uvicorn")
        let base = "http://127.0.0.1:\(port)"
        let health = try await JSONRequest.send("GET", base + "/health")
        #expect(health.status == 200 && EntitySamples.same(health.body, ["status": "ok"]), "\(health)")
        #expect(try await postgres.psql("SELECT version FROM schema_migrations", database: "app") == "0001_create_tables\n")

        let api = base + (frontend ? "/api" : "")
        for entity in spec.entities {
            let columns = try await postgres.psql(
                "SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_name = '\(entity.name)' ORDER BY ordinal_position",
                database: "app"
            )
            let sqlTypes: [EntitySpec.FieldType: String] = [.string: "text", .number: "double precision", .integer: "bigint", .boolean: "boolean"]
            let expected = ["id character varying"] + entity.fields.map { "\($0.name) \(sqlTypes[$0.type] ?? "?")" }
            #expect(columns.split(separator: "\n").map(String.init) == expected, "\(entity.name) columns")

            let item = EntitySamples.item(entity)
            let other = EntitySamples.item(entity, second: true)
            let created = try await JSONRequest.send("POST", "\(api)/\(entity.name)", item)
            #expect(created.status == 201, "POST /\(entity.name): \(created)")
            let id = try #require((created.body as? [String: Any])?["id"] as? String)
            let read = try await JSONRequest.send("GET", "\(api)/\(entity.name)/\(id)")
            #expect(read.status == 200 && EntitySamples.same(read.body, item.merging(["id": id]) { $1 }), "GET: \(read)")
            #expect(try await postgres.psql("SELECT count(*) FROM \"\(entity.name)\" WHERE id = '\(id)'", database: "app") == "1\n")
            let replaced = try await JSONRequest.send("PUT", "\(api)/\(entity.name)/\(id)", other)
            #expect(replaced.status == 200)
            #expect(EntitySamples.same(try await JSONRequest.send("GET", "\(api)/\(entity.name)/\(id)").body, other.merging(["id": id]) { $1 }))
            #expect(try await JSONRequest.send("POST", "\(api)/\(entity.name)", [String: Any]()).status == 422)
            #expect(try await JSONRequest.send("DELETE", "\(api)/\(entity.name)/\(id)").status == 204)
            #expect(try await JSONRequest.send("GET", "\(api)/\(entity.name)/\(id)").status == 404)
        }

        let smoke = try await Program.runDetached([python, app.appendingPathComponent("smoke_test.py").path, base])
        #expect(smoke.status == 0, "the smoke test: \(smoke.outputText)\(smoke.errorText)")
        #expect(smoke.outputText.split(separator: "\n").map(String.init) == spec.entities.map { "\($0.name): created, read, updated, deleted" })

        if frontend { try await pageInChromium(app: app, api: api, pagePort: pagePort, spec: spec) }
    }

    /// The front end served as CloudFront would serve the bucket, pointed at the running service,
    /// used in headless Chromium: it lists the entities, and an item added through its form
    /// shows in its table and is in the service.
    static func pageInChromium(app: URL, api: String, pagePort: Int, spec: EntitySpec) async throws {
        let page = app.appendingPathComponent("frontend")
        try "window.API_BASE = \"\(api)\";\n".write(to: page.appendingPathComponent("config.js"), atomically: true, encoding: .utf8)
        let files = try ServerProcess(
            "/usr/bin/env",
            ["python3", "-m", "http.server", String(pagePort), "--bind", "127.0.0.1", "--directory", page.path]
        )
        defer { files.stop() }
        try await files.waitForPort(pagePort, what: "the front end's files")
        try await HeadlessBrowser.using { browser in try await addAnItemInThePage(browser, url: "http://127.0.0.1:\(pagePort)/", api: api, spec: spec)
        }
    }

    static func addAnItemInThePage(_ browser: HeadlessBrowser, url: String, api: String, spec: EntitySpec) async throws {
        try await browser.open(url)
        try await waitUntil(timeout: .seconds(30), "the page to load the entities") { try await browser.pageText().contains("Ready.") }
        for entity in spec.entities {
            #expect(try await browser.find("#entity-\(entity.name) form") != nil, "a form for \(entity.name)")
        }
        let entity = try #require(spec.entities.first)
        let item = EntitySamples.item(entity)
        for field in entity.fields {
            let input = try #require(try await browser.find("#entity-\(entity.name) input[name=\"\(field.name)\"]"))
            switch field.type {
            case .boolean: if item[field.name] as? Bool == true { try await browser.click(input) }
            default: try await browser.type("\(item[field.name] ?? "")", into: input)
            }
        }
        try await browser.click(try #require(try await browser.find("#entity-\(entity.name) button[type=\"submit\"]")))
        let firstText = try #require(entity.fields.first { $0.type == .string }.flatMap { item[$0.name] as? String })
        try await waitUntil(timeout: .seconds(20), "the added \(entity.name) item in the page's table") {
            guard let table = try await browser.find("#entity-\(entity.name) tbody") else { return false }
            return try await browser.text(of: table).contains(firstText)
        }
        let listed = try await JSONRequest.send("GET", "\(api)/\(entity.name)")
        let items = (listed.body as? [[String: Any]]) ?? []
        #expect(items.count == 1, "the page added one \(entity.name) item: \(items)")
        #expect(
            items.contains { listedItem in EntitySamples.same(listedItem.filter { $0.key != "id" }, item) },
            "the form's values in the service: \(items)"
        )
    }

    /// The serverless handlers, called with API Gateway's event shape, against the tables their
    /// stack made on moto_server: the generated smoke test, and an item checked in DynamoDB itself.
    static func handlersOnMoto(app: URL, task: AwsTask, spec: EntitySpec) async throws {
        let moto = try await MotoServer.start(authenticated: false)
        defer { moto.stop() }
        let client = try moto.client()
        let naming = StackNaming(task: task)
        try await MotoDeploymentTests.create(
            CloudFormation(client),
            name: naming.name,
            body: try String(contentsOf: app.appendingPathComponent("template.yaml"), encoding: .utf8),
            label: "serverless-api"
        )
        let name = try #require(task.resourceName)
        var environment = ProcessInfo.processInfo.environment
        environment.merge([
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1", "TABLE_PREFIX": "\(name)-",
        ]) { $1 }
        let python = app.appendingPathComponent(".venv/bin/python").path
        let smoke = try await Program.runDetached([python, "smoke_test.py"], environment: environment, directory: app.path)
        #expect(smoke.status == 0, "the smoke test: \(smoke.outputText)\(smoke.errorText)")
        #expect(smoke.outputText.split(separator: "\n").map(String.init) == spec.entities.map { "\($0.name): created, read, updated, deleted" })

        let post = """
            import json, os, sys
            from api import handler
            os.environ["ENTITY"] = sys.argv[1]
            os.environ["TABLE_NAME"] = os.environ["TABLE_PREFIX"] + sys.argv[1]
            event = {"httpMethod": "POST", "resource": "/" + sys.argv[1], "path": "/" + sys.argv[1], "pathParameters": None, "body": sys.argv[2]}
            print(json.dumps(handler.handle(event, None)))
            """
        for entity in spec.entities {
            let item = EntitySamples.item(entity)
            let body = String(decoding: try JSONSerialization.data(withJSONObject: item), as: UTF8.self)
            let run = try await Program.runDetached([python, "-c", post, entity.name, body], environment: environment, directory: app.path)
            let response = try #require(try? JSONSerialization.jsonObject(with: Data(run.outputText.utf8)) as? [String: Any], "\(run.errorText)")
            #expect(response["statusCode"] as? Int == 201)
            let created = try #require(
                (response["body"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            )
            let id = try #require(created["id"] as? String)
            let stored = try await rawJSON(client, .dynamoDB, "GetItem", ["TableName": "\(name)-\(entity.name)", "Key": ["id": ["S": id]]])
            let attributes = try #require((stored as? [String: Any])?["Item"] as? [String: [String: Any]], "the item in DynamoDB")
            for field in entity.fields {
                let value = try #require(attributes[field.name], "\(entity.name).\(field.name) stored")
                switch field.type {
                case .string: #expect(value["S"] as? String == item[field.name] as? String)
                case .number, .integer: #expect((value["N"] as? String).flatMap(Double.init) == (item[field.name] as? NSNumber)?.doubleValue)
                case .boolean: #expect(value["BOOL"] as? Bool == item[field.name] as? Bool)
                }
            }
        }
    }

    /// A JSON-protocol call whose answer is read as it is (attribute names untouched).
    static func rawJSON(_ client: AWSClient, _ service: AWSService, _ operation: String, _ input: [String: Any]) async throws -> Any {
        guard case .json(let version, let prefix) = service.wireProtocol else { throw AgentError("\(service.id) is not a JSON-protocol service") }
        let request = AWSRequest(
            operation: operation,
            method: "POST",
            headers: [("Content-Type", "application/x-amz-json-\(version)"), ("X-Amz-Target", "\(prefix).\(operation)")],
            body: try JSONSerialization.data(withJSONObject: input)
        )
        return try JSONSerialization.jsonObject(with: try await client.send(request, to: service).body)
    }
}
