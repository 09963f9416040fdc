import GafferCore
import Testing

@Suite struct SecretTests {
    let secret = Secret("hunter2-very-secret")

    @Test func everyTextualFormHidesTheValue() {
        #expect("\(secret)" == "***")
        #expect(String(describing: secret) == "***")
        #expect(String(reflecting: secret) == "***")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(Mirror(reflecting: secret).children.isEmpty)
    }

    @Test func aSecretInsideAnotherValueStaysHidden() {
        struct Settings {
            var token: Secret
            var name: String
        }
        let text = "\(Settings(token: secret, name: "x"))"
        #expect(!text.contains("hunter2"))
        #expect(text.contains("***"))
    }

    @Test func theValueIsThereForTheCodeThatUsesIt() {
        #expect(secret.revealed == "hunter2-very-secret")
    }
}
