import Foundation
import GafferCore
import Testing

/// Planted canaries: each kind of secret is removed wherever it sits in text or in JSON, and what
/// only looks like one is left alone.
@Suite struct RedactorTests {
    static let pem =
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n-----END RSA PRIVATE KEY-----"

    @Test(arguments: [
        ("key AKIAIOSFODNN7EXAMPLE in a sentence", "key [REDACTED AWS access key] in a sentence"),
        ("ASIAY34FZKBOKMUTVV7A.", "[REDACTED AWS access key]."),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_secret_access_key = [REDACTED AWS secret key]"
        ),
        (#"{"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}"#, #"{"SecretAccessKey": "[REDACTED AWS secret key]"}"#),
        ("token ghp_0123456789abcdefghijABCDEFGHIJ012345 here", "token [REDACTED GitHub token] here"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "[REDACTED GitHub token]"),
        ("before \(RedactorTests.pem) after", "before [REDACTED private key] after"),
    ])
    func eachKindOfSecretIsRemoved(text: String, redacted: String) {
        #expect(Redactor.standard.redact(text) == redacted)
    }

    @Test func aKeyInJSONIsRemovedWhereverAnEscapeSits() throws {
        // In JSON text a line break is `\n`: the key after it would not start a word.
        let body = try JSONValue.object(["body": .string("see:\n\(Self.pem)\nAKIAIOSFODNN7EXAMPLE"), "id": .number(12)]).encoded()
        let redacted = Redactor.standard.redactJSON(body)
        #expect(
            try JSONValue.decode(redacted)
                == .object(["body": .string("see:\n[REDACTED private key]\n[REDACTED AWS access key]"), "id": .number(12)])
        )
        let clean = try JSONValue.object(["body": .string("nothing here")]).encoded()
        #expect(Redactor.standard.redactJSON(clean) == clean, "a document with nothing to take out is sent as it was")
    }

    @Test func whatOnlyLooksLikeASecretIsLeftAlone() {
        for text in [
            "commit 0123456789abcdef0123456789abcdef01234567",  // 40 characters, but not named as a secret key
            "AKIA123",  // too short
            "ghp_alice_0123456789",  // a sandbox token, not GitHub's shape
            "-----BEGIN PUBLIC KEY-----abc-----END PUBLIC KEY-----",
        ] {
            #expect(Redactor.standard.redact(text) == text)
        }
    }

    @Test func theOperatorsPatternsAreRemovedToo() throws {
        let redactor = try Redactor(extra: [#"acme-internal-[0-9]{6}"#])
        #expect(redactor.redact("ticket acme-internal-123456") == "ticket [REDACTED by redact_patterns]")
        #expect(throws: (any Error).self) { try Redactor(extra: ["(unclosed"]) }
    }
}
