import FloeAPI
import FloeSpec
import Foundation
import Testing

@testable import FloeDaemon

@Suite("Secrets: storage and delivery")
struct SecretStoreTests {
    final class Directory {
        let path: String
        init() {
            path = FileManager.default.temporaryDirectory.path + "/floe-secrets-\(UUID().uuidString.prefix(8))"
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        stat(path, &info)
        return info.st_mode & 0o7777
    }

    @Test func secretsAreFiles0600InADirectory0700AndListsNeverShowValues() throws {
        let directory = Directory()
        let store = SecretStore(directory: directory.path + "/secrets")
        let name = try #require(ObjectName("db_login"))
        let first = try store.set(name, SecretUpdate(type: "password", username: "app", password: "pa55-Zebra"))
        #expect(Self.mode(store.directory) == 0o700)
        #expect(Self.mode("\(store.directory)/DB_LOGIN.json") == 0o600)
        #expect(store.load(name)?.password == "pa55-Zebra")
        let again = try store.set(name, SecretUpdate(type: "password", username: "app", password: "other"))
        #expect(again.version != first.version, "a new value must get a new version (it restarts services)")
        let summary = try #require(store.all()[name]).summary
        let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        #expect(!json.contains("other") && !json.contains("app\""))
        #expect(summary.keys == ["username", "password"])
        #expect(try store.delete(name))
        #expect(try !store.delete(name))
        #expect(store.load(name) == nil)
    }

    @Test func invalidSecretsAreRefusedWithWhatToGive() {
        let store = SecretStore(directory: Directory().path)
        let name = ObjectName("x")!
        #expect(throws: SecretError.self) { try store.set(name, SecretUpdate(type: "password", username: "u")) }
        #expect(throws: SecretError.self) { try store.set(name, SecretUpdate(type: "generic_string")) }
        #expect(throws: SecretError.self) { try store.set(name, SecretUpdate(type: "oauth2", secretString: "x")) }
    }

    @Test func referencesNameTheLastPartOfAQualifiedName() {
        #expect(SecretStore.name(forReference: "db.schema.my_secret")?.value == "MY_SECRET")
        #expect(SecretStore.name(forReference: "\"My_Secret\"")?.value == "MY_SECRET")
        #expect(SecretStore.name(forReference: "../../etc/passwd") == nil)
        #expect(SecretStore.name(forReference: "") == nil)
    }

    static let secrets: [ObjectName: StoredSecret] = [
        ObjectName("login")!: StoredSecret(
            name: ObjectName("login")!, kind: .password, username: "app", password: "pw", version: "1", updatedOn: ""),
        ObjectName("token")!: StoredSecret(
            name: ObjectName("token")!, kind: .genericString, secretString: "tok", version: "1", updatedOn: ""),
    ]

    @Test func envVarsAndDirectoriesGetTheValuesAsSPCSDoes() throws {
        let references = [
            SecretRef(objectName: "db.sch.login", envVarName: "DB_USER", secretKeyRef: "username"),
            SecretRef(objectName: "login", envVarName: "DB_PASSWORD", secretKeyRef: "password"),
            SecretRef(objectName: "token", envVarName: "API_TOKEN", secretKeyRef: "secret_string"),
            SecretRef(objectName: "login", directoryPath: "/secrets/db"),
            SecretRef(objectName: "token", directoryPath: "/"),
        ]
        let delivery = try SecretDelivery.plan(references, secrets: Self.secrets).get()
        #expect(delivery.environment == ["DB_USER": "app", "DB_PASSWORD": "pw", "API_TOKEN": "tok"])
        #expect(delivery.files == ["secrets/db/username": "app", "secrets/db/password": "pw", "secret_string": "tok"])
    }

    @Test func aMissingSecretOrKeyOrAnEscapingDirectoryIsAnErrorThatSaysWhatToDo() {
        let missing = SecretDelivery.plan([SecretRef(objectName: "nope", envVarName: "X")], secrets: Self.secrets)
        #expect(throws: SecretDeliveryError.notFound(ObjectName("nope")!)) { try missing.get() }
        #expect(
            SecretDeliveryError.notFound(ObjectName("nope")!).description.contains(
                "secret NOPE not found: floectl secret set NOPE"))
        let key = SecretDelivery.plan(
            [SecretRef(objectName: "token", envVarName: "X", secretKeyRef: "password")], secrets: Self.secrets)
        #expect(throws: SecretDeliveryError.self) { try key.get() }
        let escape = SecretDelivery.plan(
            [SecretRef(objectName: "token", directoryPath: "/a/../../etc")], secrets: Self.secrets)
        #expect(throws: SecretDeliveryError.badDirectory("/a/../../etc")) { try escape.get() }
    }
}

@Suite("Secret placeholders")
struct SecretPlaceholderTests {
    @Test func placeholdersAreFilledAndOtherBracesKept() throws {
        let secrets = SecretStoreTests.secrets
        #expect(try SecretPlaceholders.fill("u={{secret.login.username}}", secrets: secrets).get() == "u=app")
        #expect(
            try SecretPlaceholders.fill("{{ secret.LOGIN.password }}:{{secret.token.secret_string}}", secrets: secrets)
                .get() == "pw:tok")
        #expect(try SecretPlaceholders.fill("{{ other }} and {{", secrets: secrets).get() == "{{ other }} and {{")
    }

    @Test func aMissingSecretOrKeyIsAnError() {
        #expect(throws: SecretDeliveryError.notFound(ObjectName("ghost")!)) {
            try SecretPlaceholders.fill("{{secret.ghost.password}}", secrets: SecretStoreTests.secrets).get()
        }
        #expect(throws: SecretDeliveryError.self) {
            try SecretPlaceholders.fill("{{secret.token.password}}", secrets: SecretStoreTests.secrets).get()
        }
    }
}
