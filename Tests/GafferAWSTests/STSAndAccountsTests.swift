import Foundation
import GafferAWS
import GafferCore
import GafferTestSupport
import Testing

/// STS and cross-account roles against moto with signatures checked.
@Suite struct STSAndAccountsTests {
    @Test func callerIdentityIsTheSigningUserAndAWrongSecretIsRefused() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let identity = try await STS(try moto.client()).getCallerIdentity()
        #expect(identity.account == "123456789012")
        #expect(identity.arn == "arn:aws:iam::123456789012:user/gaffer")

        let wrong = AWSCredentials(accessKeyID: moto.credentials.accessKeyID, secretAccessKey: Secret("not-the-secret"))
        let error = try await #require(throws: AWSServiceError.self) { try await STS(try moto.client(credentials: wrong)).getCallerIdentity() }
        #expect(error.code == "SignatureDoesNotMatch")
        #expect(error.status == 403)
        #expect(error.description.contains("STS GetCallerIdentity failed: SignatureDoesNotMatch"))
    }

    @Test func assumesARoleInASecondAccountWithAnExternalID() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let base = try moto.client()
        let assumed = try await STS(base).assumeRole(
            roleARN: "arn:aws:iam::222222222222:role/gaffer-deploy",
            sessionName: "gaffer",
            externalID: "ext-1234"
        )
        #expect(assumed.credentials.sessionToken != nil)
        #expect(assumed.assumedRoleARN == "arn:aws:sts::222222222222:assumed-role/gaffer-deploy/gaffer")
        #expect(try #require(assumed.expiration) > Date())

        // Through the configuration's account map: the second account's client signs with the role's session.
        var settings = AWSSettings()
        settings.endpointURL = moto.endpoint
        settings.credentials = moto.credentials
        settings.accountRoles = ["222222222222": AccountRole(roleARN: "arn:aws:iam::222222222222:role/gaffer-deploy", externalID: "ext-1234")]
        let accounts = AccountClients(base: try AWSClient.standard(settings, environment: AWSEnvironment(variables: [:], home: "/nonexistent")))
        let second = try await accounts.client(for: "222222222222")
        let identity = try await STS(second).getCallerIdentity()
        #expect(identity.account == "222222222222")
        #expect(identity.arn.hasPrefix("arn:aws:sts::222222222222:assumed-role/gaffer-deploy/"))
        #expect(try await second.credentials.resolve().source.contains("assumed for account 222222222222"))
        // The same client again: the role is not assumed twice.
        #expect(try await accounts.client(for: "222222222222") === second)
        // Gaffer's own account needs no role; any other account says how to configure one.
        #expect(try await accounts.client(for: "123456789012") === accounts.base)
        let error = try await #require(throws: AWSClientError.self) { try await accounts.client(for: "333333333333") }
        #expect(error.description.contains("add 333333333333=arn:aws:iam::333333333333:role/NAME to aws_account_roles"))

        // Reports: the read-only role comes first, is assumed all the same, and the client it gives may only read.
        settings.readOnlyAccountRoles = ["222222222222": AccountRole(roleARN: "arn:aws:iam::222222222222:role/gaffer-reader")]
        let reading = AccountClients(
            base: try AWSClient.standard(settings, environment: AWSEnvironment(variables: [:], home: "/nonexistent")),
            access: .readOnly
        )
        let reader = try await reading.client(for: "222222222222")
        #expect(reader.access == .readOnly && reading.base.access == .readOnly)
        #expect(try await STS(reader).getCallerIdentity().arn.hasPrefix("arn:aws:sts::222222222222:assumed-role/gaffer-reader/"))
        await #expect(throws: AWSClientError.self) { try await S3(reader).createBucket("not-from-a-report") }
    }
}
