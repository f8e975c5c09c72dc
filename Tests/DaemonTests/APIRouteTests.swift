import Daemon
import DeviceIO
import Fleet
import Foundation
import Store
import Testing
import VPPCore

@Suite("API routes and the OpenAPI document")
struct APIRouteTests {
    @Test(
        "every route of the router is described in the OpenAPI document, and every documented route exists"
    )
    func routesAreDocumented() throws {
        let (store, dir) = try Store.temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fleet = FleetHandle(state: FleetState(devices: []))
        let env = APIEnvironment(
            tokens: TokenStore(), fleet: fleet,
            status: DaemonStatus(
                config: .init(
                    path: "-", apiListen: "-", stateDirectory: "-", controlPeriodMs: 1000, sites: 0,
                    devices: 0, tokens: 0)),
            commands: CommandService(store: store, fleet: fleet))
        let router = APIRouter.make(env)
        let routes = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        #expect(routes.count >= 15)
        let paths = OpenAPIDocument.document["paths"]?.objectValue ?? [:]
        var documented: Set<String> = []
        for (path, item) in paths {
            for method in item.objectValue?.keys ?? [:].keys {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        for route in routes {
            #expect(documented.contains(route), "route \(route) is not in the OpenAPI document")
        }
        for op in documented {
            #expect(routes.contains(op), "documented \(op) has no route")
        }
    }

    @Test("every $ref in the document resolves and every operation documents its errors")
    func documentIsConsistent() throws {
        let doc = OpenAPIDocument.document
        let schemas = doc["components"]?["schemas"]?.objectValue ?? [:]
        var refs: [String] = []
        func walk(_ v: JSONTree) {
            switch v {
            case .object(let o):
                if let r = o["$ref"]?.stringValue { refs.append(r) }
                o.values.forEach(walk)
            case .array(let a): a.forEach(walk)
            default: break
            }
        }
        walk(doc)
        #expect(!refs.isEmpty)
        for r in refs {
            #expect(
                schemas[r.replacingOccurrences(of: "#/components/schemas/", with: "")] != nil,
                "unresolved \(r)")
        }
        for (path, item) in doc["paths"]?.objectValue ?? [:] {
            for (method, op) in item.objectValue ?? [:] {
                let secured = !(op["security"]?.arrayValue?.isEmpty ?? true)
                if secured {
                    #expect(op["responses"]?["401"] != nil, "\(method) \(path) lacks 401")
                    #expect(op["responses"]?["403"] != nil, "\(method) \(path) lacks 403")
                }
            }
        }
        // The served bytes are the same document.
        let served = try JSONDecoder().decode(JSONTree.self, from: Data(OpenAPIDocument.jsonBytes))
        #expect(served == doc)
    }
}

@Suite("the schema validator used by the conformance test")
struct SchemaValidatorTests {
    @Test(
        "it flags a missing required member, a wrong type, a value outside an enum and an unknown member"
    )
    func flagsViolations() {
        let v = SchemaValidator(document: OpenAPIDocument.document)
        let device: JSONTree = [
            "count": 1, "devices": [["id": "x", "kind": "toaster", "extra": true]],
        ]
        let problems = v.validate(device, against: ["$ref": "#/components/schemas/DeviceList"])
        #expect(problems.contains { $0.contains("$.devices[0].site") && $0.contains("required") })
        #expect(problems.contains { $0.contains("toaster") })
        #expect(problems.contains { $0.contains("$.devices[0].extra") })
        let wrongType: JSONTree = ["error": 5, "detail": "d"]
        #expect(!v.validate(wrongType, against: ["$ref": "#/components/schemas/Error"]).isEmpty)
        let ok: JSONTree = ["error": "e", "detail": "d"]
        #expect(v.validate(ok, against: ["$ref": "#/components/schemas/Error"]).isEmpty)
        let date: JSONTree = ["at": "yesterday", "ok": true, "detail": ""]
        #expect(v.validate(date, against: ["$ref": "#/components/schemas/Reload"]).count == 1)
    }
}
