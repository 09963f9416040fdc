/// The data an application keeps, as an issue describes it: one line per entity,
/// `orders: id, customer, total:number, paid:boolean`. Each blueprint turns it into the model,
/// the storage and the CRUD endpoints with their tests.
///
/// Every entity has the key `id`, a string the application generates; it may be listed (first or
/// anywhere) but not typed otherwise. Fields are strings unless typed `:number`, `:integer` or
/// `:boolean`. Entities are separated by new lines or `;`.
public struct EntitySpec: Sendable, Hashable {
    public enum FieldType: String, Sendable, Hashable, CaseIterable {
        case string, number, integer, boolean

        /// Other spellings people use for the same type.
        static let aliases: [String: FieldType] = [
            "str": .string, "text": .string, "float": .number, "decimal": .number, "double": .number, "int": .integer,
            "bool": .boolean,
        ]
    }

    public struct Field: Sendable, Hashable {
        public let name: String
        public let type: FieldType
    }

    public struct Entity: Sendable, Hashable {
        public let name: String
        /// The fields after `id`, in the order written.
        public let fields: [Field]

        /// This entity as one line of a spec.
        public var text: String {
            "\(name): " + (["id"] + fields.map { $0.type == .string ? $0.name : "\($0.name):\($0.type.rawValue)" }).joined(separator: ", ")
        }
    }

    public let entities: [Entity]

    /// One `items` entity, for an application whose issue describes no data.
    public static let standard = EntitySpec(entities: [
        Entity(name: "items", fields: [Field(name: "name", type: .string), Field(name: "description", type: .string)])
    ])

    public static let example = "orders: id, customer, total:number, paid:boolean"
    static let maxEntities = 10
    static let maxFields = 30

    /// Names an entity or field may not take: they collide with the application's own routes,
    /// or are words of Python, JavaScript or SQL that the generated code cannot use as names.
    static let reserved: Set<String> = [
        "health", "docs", "redoc", "openapi", "api", "static", "schema_migrations",
        "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
        "false", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "none", "nonlocal", "not", "or",
        "pass", "raise", "return", "true", "try", "while", "with", "yield", "self", "null", "undefined", "function", "var",
        "let", "const", "new", "this", "typeof", "select", "table", "where", "order", "group", "user",
    ]

    /// The spec written back in its one canonical spelling, which `parse` reads to the same value.
    public var text: String { entities.map(\.text).joined(separator: "\n") }

    /// Reads a spec, or says the first thing wrong with it and how to write it.
    public static func parse(_ text: String) -> Result<EntitySpec, RuleViolation> {
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == ";" }).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return .failure(RuleViolation("names no entity: write one per line, as \(example)")) }
        guard lines.count <= maxEntities else { return .failure(RuleViolation("names \(lines.count) entities; at most \(maxEntities)")) }
        var entities: [Entity] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                return .failure(RuleViolation("has \"\(line)\", which is not \"entity: field, field:type\" (as \(example))"))
            }
            let name = line[..<colon].trimmingWhitespace().lowercased()
            if let broken = nameRule(name, what: "the entity name \"\(name)\"") { return .failure(RuleViolation(broken)) }
            if entities.contains(where: { $0.name == name }) { return .failure(RuleViolation("names the entity \(name) twice")) }
            var fields: [Field] = []
            for item in line[line.index(after: colon)...].split(separator: ",").map({ $0.trimmingWhitespace() }) where !item.isEmpty {
                // Empty parts kept: ":int" has an empty name, which the name rule refuses, where dropping it would leave no name at all.
                let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingWhitespace().lowercased() }
                let fieldName = parts[0]
                let typeName = parts.count > 1 ? parts[1] : "string"
                if fieldName != "id", let broken = nameRule(fieldName, what: "the field name \"\(name).\(fieldName)\"") {
                    return .failure(RuleViolation(broken))
                }
                guard let type = FieldType(rawValue: typeName) ?? FieldType.aliases[typeName] else {
                    return .failure(
                        RuleViolation(
                            "gives \(name).\(fieldName) the type \"\(typeName)\"; use one of \(FieldType.allCases.map(\.rawValue).joined(separator: ", ")) (string when no type is written)"
                        )
                    )
                }
                if fieldName == "id" {
                    guard type == .string else {
                        return .failure(RuleViolation("types \(name).id as \(type.rawValue); id is the key, a string the application generates"))
                    }
                    continue
                }
                if fields.contains(where: { $0.name == fieldName }) {
                    return .failure(RuleViolation("gives \(name) the field \(fieldName) twice"))
                }
                fields.append(Field(name: fieldName, type: type))
            }
            guard !fields.isEmpty else { return .failure(RuleViolation("gives \(name) no field besides id; name what it holds, as \(example)")) }
            guard fields.count <= maxFields else { return .failure(RuleViolation("gives \(name) \(fields.count) fields; at most \(maxFields)")) }
            entities.append(Entity(name: name, fields: fields))
        }
        return .success(EntitySpec(entities: entities))
    }

    /// Lowercase letters, digits and `_`, starting with a letter, at most 40 characters, not a reserved word.
    static func nameRule(_ name: String, what: String) -> String? {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return "\(what) must start with a lowercase letter" }
        guard name.count <= 40 else { return "\(what) is longer than 40 characters" }
        guard name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
            return "\(what) may hold only lowercase letters, digits and _"
        }
        if reserved.contains(name) { return "\(what) is a reserved word of the generated code or its routes; choose another" }
        return nil
    }
}
