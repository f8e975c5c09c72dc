import Daemon
import Foundation
import Testing

@Suite("API tokens and roles")
struct AuthTokenTests {
    @Test(
        "admin permits everything, viewer is permitted by every role, trader and operator are siblings")
    func rolePermissions() {
        for role in Role.allCases {
            #expect(Role.admin.permits(role))
            #expect(role.permits(.viewer))
        }
        #expect(!Role.viewer.permits(.operator))
        #expect(!Role.trader.permits(.operator))
        #expect(!Role.operator.permits(.trader))
        #expect(!Role.operator.permits(.admin))
        #expect(Role.operator.permits(.operator))
    }

    @Test("a created token authenticates with its name and role; the file holds only its SHA-256")
    func createAndAuthenticate() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tokens-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let op = try TokenFile.createToken(name: "alice", role: .operator, path: path)
        let viewer = try TokenFile.createToken(name: "bob", role: .viewer, path: path)
        #expect(op != viewer)
        #expect(op.count >= 64)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains(op) && !text.contains(viewer))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let store = try TokenStore(path: path)
        #expect(store.count == 2)
        #expect(store.authenticate(token: op) == Principal(name: "alice", role: .operator))
        #expect(store.authenticate(token: viewer) == Principal(name: "bob", role: .viewer))
        #expect(store.authenticate(token: op + "x") == nil)
        #expect(store.authenticate(token: "") == nil)
        #expect(throws: AuthError.self) {
            try TokenFile.createToken(name: "alice", role: .admin, path: path)
        }
    }

    @Test("token file errors name the file and the line")
    func tokenFileErrors() {
        let hash = String(repeating: "ab", count: 32)
        let cases: [(String, Int)] = [
            ("alice operator\n", 1),
            ("# c\n\nalice wizard \(hash)\n", 3),
            ("alice admin 12zz\n", 1),
            ("a/b admin \(hash)\n", 1),
            ("alice admin \(hash)\nalice viewer \(hash)\n", 2),
        ]
        for (text, line) in cases {
            do {
                _ = try TokenFile.parse(text, path: "/etc/vppd/tokens")
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.description.contains("/etc/vppd/tokens line \(line)"), "\(error)")
            }
        }
        #expect((try? TokenFile.parse("# only comments\n\nbob viewer \(hash)\n", path: "t").count) == 1)
    }
}
