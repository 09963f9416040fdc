import GafferCore
import Testing

struct EntitySpecTests {
    let parser = IssueParser()

    func parse(_ body: String) -> IssueParseResult {
        parser.parse(IssueInput(title: "Deploy a fastapi-ecs application called shop in us-east-1", body: body, labels: ["gaffer"], number: 3))
    }

    @Test func readsTypesAliasesAndTheKeyIntoOneSpelling() throws {
        let spec = try EntitySpec.parse("Orders: customer, id, total:Float, paid:bool; customers: id,name , email:text").get()
        #expect(spec.entities.map(\.name) == ["orders", "customers"])
        #expect(spec.entities[0].fields.map(\.name) == ["customer", "total", "paid"])
        #expect(spec.entities[0].fields.map(\.type) == [.string, .number, .boolean])
        #expect(spec.text == "orders: id, customer, total:number, paid:boolean\ncustomers: id, name, email")
        #expect(try EntitySpec.parse(spec.text).get() == spec, "the canonical spelling reads back to the same spec")
    }

    @Test(arguments: [
        ("orders id, customer", "not \"entity: field, field:type\""),
        ("orders: id", "no field besides id"),
        ("orders: id:integer, total", "id is the key"),
        ("orders: total:money", "the type \"money\""),
        ("orders: total, total:number", "the field total twice"),
        ("orders: total\norders: paid:boolean", "the entity orders twice"),
        ("health: status", "reserved word"),
        ("orders: class", "reserved word"),
        ("9lives: name", "must start with a lowercase letter"),
        ("orders: first-name", "only lowercase letters, digits and _"),
        ("orders: :integer", "must start with a lowercase letter"),
        ("orders: total, :", "must start with a lowercase letter"),
        ("orders: total:", "the type \"\""),
        ("", "names no entity"),
    ])
    func badSpecsSayWhatIsWrong(_ text: String, _ expected: String) {
        guard case .failure(let violation) = EntitySpec.parse(text) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(violation.rule.contains(expected), "\(text): \(violation.rule)")
    }

    @Test func entitiesComeFromTheFormSectionOrASettingsBlock() throws {
        let form = try #require(
            parse(
                """
                ### Entities

                ```yaml
                orders: id, customer, total:number
                customers: id, name
                ```
                """
            ).task
        )
        #expect(form.parameters["entities"] == .string("orders: id, customer, total:number\ncustomers: id, name"))
        let block = try #require(
            parse(
                """
                ```yaml
                entities:
                  orders: id, customer, total:number
                  customers: id, name
                ```
                """
            ).task
        )
        #expect(block.parameters["entities"] == form.parameters["entities"])
        let oneLine = try #require(parse("entities: orders: id, customer, total:number; customers: id, name").task)
        #expect(oneLine.parameters["entities"] == form.parameters["entities"])
    }

    @Test func theNameAfterTheApplicationsKindAndTheWordApplication() throws {
        let input = IssueInput(title: "Delete the fastapi-ecs application shop in us-east-1", body: "", labels: ["gaffer"])
        let task = try #require(parser.parse(input).task)
        #expect(task.kind == .delete && task.resource == .application(.fastapiECS) && task.resourceName == "shop")
        let app = try #require(parser.parse(IssueInput(title: "Deploy a serverless-api app orders in eu-west-1", body: "", labels: ["gaffer"])).task)
        #expect(app.resourceName == "orders")
    }

    @Test func aBadSpecIsAProblemOnTheIssue() throws {
        let problems = parse("### Entities\n\norders: total:money").problems
        let problem = try #require(problems.first { $0.field == "entities" })
        #expect(problem.rule.contains("money") && problem.example == EntitySpec.example)
    }
}
