import Foundation
import Logging
import Testing

@testable import FloeDaemon

@Suite("Ingress state: access tokens and the port book")
struct IngressStoreTests {
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("floe-ingress-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a token is stored hashed in a 0600 file, names its user, and stops working when revoked")
    func tokens() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try AccessTokenStore(stateDirectory: dir)
        let (token, secret) = try store.create(name: "ci", user: "alice")
        #expect(token.user == "alice")
        #expect(secret.hasPrefix("floe_") && secret.count == 5 + 64)
        #expect(store.user(forToken: secret) == "alice")
        #expect(store.user(forToken: secret + "x") == nil)
        let file = "\(dir)/ingress/tokens.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!text.contains(secret))
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // A second store (floed restarted) reads it back.
        let reopened = try AccessTokenStore(stateDirectory: dir)
        #expect(reopened.user(forToken: secret) == "alice")
        #expect(throws: AccessTokenError.self) { try reopened.create(name: "ci", user: nil) }
        #expect(throws: AccessTokenError.self) { try reopened.create(name: "bad name", user: nil) }
        try reopened.revoke(name: "ci")
        #expect(reopened.user(forToken: secret) == nil)
        #expect(throws: AccessTokenError.self) { try reopened.revoke(name: "ci") }
        // Without --user the token's name is the user.
        let (other, _) = try reopened.create(name: "bob", user: nil)
        #expect(other.user == "bob")
    }

    @Test("allocated ports are kept, skip taken ones, and are released for endpoints that are gone")
    func portBook() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let logger = Logger(label: "test")
        var book = try IngressPortBook(stateDirectory: dir, logger: logger)
        #expect(book.free(in: 9000...9002, busy: []) == 9000)
        book.keep(9000, for: "A.ui", logger: logger)
        #expect(book.free(in: 9000...9002, busy: [9001]) == 9002)
        book.keep(9002, for: "B.ui", logger: logger)
        let reopened = try IngressPortBook(stateDirectory: dir, logger: logger)
        #expect(reopened.port(for: "A.ui") == 9000)
        #expect(reopened.port(for: "B.ui") == 9002)
        book.retain(only: ["B.ui"], logger: logger)
        #expect(try IngressPortBook(stateDirectory: dir, logger: logger).port(for: "A.ui") == nil)
        #expect(book.free(in: 9002...9002, busy: []) == nil)
    }
}
