import DeviceIO
import Fleet
import Foundation
import Hummingbird
import Store
import Testing
import VPPCore

@testable import Daemon

@Suite("the dashboard's static files and live stream")
struct DashboardTests {
    /// A temporary `Dashboard/` beside a `DeviceProfiles/`, with one page and one script.
    func withFolder(_ body: (URL) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vppd-dash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("Dashboard")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("DeviceProfiles"), withIntermediateDirectories: true)
        try Data("<!doctype html>".utf8).write(to: dir.appendingPathComponent("index.html"))
        try Data("export {};".utf8).write(to: dir.appendingPathComponent("app.js"))
        try Data("secret".utf8).write(to: root.appendingPathComponent("outside.js"))
        try body(root)
    }

    func status(_ files: DashboardFiles, _ name: String) -> Int {
        do {
            return Int(try files.response(name).status.code)
        } catch let e as APIError {
            return Int(e.status.code)
        } catch {
            return -1
        }
    }

    @Test("the page is found beside the device profiles and only flat names of known kinds are served")
    func servesOnlyFlatKnownNames() throws {
        try withFolder { root in
            let files = DashboardFiles.beside(profilesDirectory: root.appendingPathComponent("DeviceProfiles").path)
            #expect(files.directory.lastPathComponent == "Dashboard")
            let page = try files.response("index.html")
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'") == true)
            #expect(status(files, "app.js") == 200)
            for name in ["../outside.js", "..", ".app.js", "app.exe", "missing.js", "", "a/b.js", "app.js\u{0}"] {
                #expect(status(files, name) == 404, "\(name)")
            }
            let gone = DashboardFiles(directory: root.appendingPathComponent("NoSuchFolder"))
            #expect(status(gone, "index.html") == 503)
        }
    }

    @Test("the live stream sends every device first, then only the rows that changed, and the fleet when it changed")
    func streamSendsChangesOnly() async throws {
        let devices: [DeviceDescriptor] = (1...3).map { i in
            DeviceDescriptor(
                id: DeviceID("bat-\(i)"), profile: "sunspec-storage", kind: .storage, site: SiteID("site-a"),
                owner: "owner-1", ratedPowerKW: 50, ratedEnergyKWh: 100,
                address: .modbusTCP(host: "127.0.0.1", port: 1502, unit: i))
        }
        let state = FleetState(devices: devices)
        for d in devices {
            state.ingest(d.id, values: [CanonicalPoint.activePowerKW: 1, CanonicalPoint.socPercent: 50])
        }
        let fleet = FleetHandle(state: state)
        var env = APIEnvironment(
            tokens: TokenStore(), fleet: fleet,
            status: DaemonStatus(
                config: .init(
                    path: "-", apiListen: "-", stateDirectory: "-", controlPeriodMs: 1000, sites: 1, devices: 3,
                    tokens: 0)))
        env.liveRows = LiveRows(maxAge: .zero)  // every call reads the fleet afresh
        var stream = LiveStream.StreamState()
        let first = await stream.next(env)
        #expect(first.contains("event: fleet\n"))
        #expect(first.contains("event: alerts\ndata: {\"devices\":0,\"rejectedFiles\":0}"), "\(first)")
        #expect(first.contains("\"full\":true"))
        #expect(first.components(separatedBy: "\"id\":\"bat-").count == 4, "\(first)")
        // Nothing changed: nothing is sent (the caller sends a comment line to keep the connection alive).
        let quiet = await stream.next(env)
        #expect(quiet.isEmpty, "\(quiet)")
        state.ingest(DeviceID("bat-2"), values: [CanonicalPoint.activePowerKW: 7])
        fleet.invalidateAggregate()
        let change = await stream.next(env)
        #expect(change.contains("\"full\":false"))
        #expect(change.contains("\"id\":\"bat-2\""))
        #expect(!change.contains("\"id\":\"bat-1\""))
        #expect(change.contains("event: fleet\n"))
        // A new read with the same values moves only `lastSeen`: not sent until it has moved 10 s.
        state.ingest(DeviceID("bat-2"), values: [CanonicalPoint.activePowerKW: 7], at: Date().addingTimeInterval(2))
        fleet.invalidateAggregate()
        let seen = await stream.next(env)
        #expect(!seen.contains("event: devices"), "\(seen)")
        state.ingest(DeviceID("bat-2"), values: [CanonicalPoint.activePowerKW: 7], at: Date().addingTimeInterval(12))
        fleet.invalidateAggregate()
        let later = await stream.next(env)
        #expect(later.contains("\"id\":\"bat-2\""), "\(later)")
        let ids = (first + change).split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap {
            Int($0.dropFirst(4))
        }
        #expect(!ids.isEmpty && ids == ids.sorted() && Set(ids).count == ids.count, "\(ids)")
    }
}
