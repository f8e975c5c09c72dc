import Foundation
import Hummingbird
import ServiceLifecycle
import Store
import Synchronization
import VPPCore

/// `GET /v1/stream`: the page's live state as Server-Sent Events (README "Dashboard"), read from the daemon's
/// own state (the fleet snapshot and the command store) every `period`, so that a change reaches an open page
/// within one period of the daemon seeing it, and no page polls the read routes.
///
/// Events, each `event: <name>` with one line of JSON `data:` and an increasing `id:`:
/// - `fleet`: `FleetView` (totals, sites, kinds), when it changed;
/// - `devices`: `LiveDevicesEvent`, every device first, then only changed rows;
/// - `commands`: `CommandListView` of the newest 50 commands, when it changed;
/// - `alerts`: `LiveAlertsEvent`, the counts of devices not ok and of refused inbox files, when they changed;
/// - `end`: the stream closes normally after `lasting`; the page reconnects at once.
/// A comment line (`: tick`) is sent on a period with nothing new, so a dead connection is noticed by both
/// sides within a period.
///
/// Streams are bounded in time so that a graceful shutdown never waits on an open page for long (it is also
/// checked every period), and so that a client's read timeout sees bytes at least every period.
enum LiveStream {
    static let period: Duration = .milliseconds(500)
    static let secondsRange = 1...30
    static let defaultSeconds = 25
    static let commandWindow = 50
    /// Seconds a device's `lastSeen` may move before its row is sent for that alone.
    static let lastSeenResolution: TimeInterval = 10

    static func response(_ env: APIEnvironment, lasting: Duration) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
                .xContentTypeOptions: "nosniff",
            ],
            body: ResponseBody { writer in
                var state = StreamState()
                let deadline = ContinuousClock.now.advanced(by: lasting)
                while ContinuousClock.now < deadline, !Task.isCancelled, !Task.isShuttingDownGracefully {
                    let text = await state.next(env)
                    try await writer.write(ByteBuffer(string: text.isEmpty ? ": tick\n\n" : text))
                    do {
                        try await Task.sleep(for: period)
                    } catch {
                        break
                    }
                }
                try await writer.write(ByteBuffer(string: state.event("end", Data("{}".utf8))))
                try await writer.finish(nil)
            })
    }

    /// What one stream has sent so far, so that the next events carry only what changed.
    struct StreamState {
        var sequence = 0
        var fleet: Data?
        var devices: [String: LiveDeviceView]?
        var commands: Data?
        var alerts: Data?
        let encoder: JSONEncoder = {
            let e = JSONEncoder()
            e.dateEncodingStrategy = .iso8601
            e.outputFormatting = [.sortedKeys]
            return e
        }()

        /// The events of this period (empty when nothing changed).
        mutating func next(_ env: APIEnvironment) async -> String {
            var out = ""
            let now = Date()
            if let data = try? encoder.encode(env.fleet.fleetView(now: now)), data != fleet {
                fleet = data
                out += event("fleet", data)
            }
            let rows = env.liveRows.rows(env.fleet, now: now)
            let current = Set(rows.map(\.id))
            let changed =
                devices.map { sent in
                    rows.filter { row in sent[row.id].map { old in Self.differs(old, row) } ?? true }
                } ?? rows
            let removed = devices.map { sent in sent.keys.filter { !current.contains($0) }.sorted() } ?? []
            if devices == nil || !changed.isEmpty || !removed.isEmpty,
                let data = try? encoder.encode(
                    LiveDevicesEvent(full: devices == nil, devices: changed, removed: removed))
            {
                out += event("devices", data)
            }
            // What the page now has: the rows sent, so that `lastSeen` moves on in steps of the resolution.
            var sent = devices ?? [:]
            for id in removed { sent[id] = nil }
            for row in changed { sent[row.id] = row }
            devices = sent
            // The cheap alert counts (devices not ok, files the inbox refused): a change tells the page to read
            // `/v1/alerts`, which also reads the store.
            let summary = LiveAlertsEvent(
                devices: rows.filter { $0.health != "ok" }.count,
                rejectedFiles: APIRouter.rejectedFileCount(stateDirectory: env.status.config.stateDirectory))
            if let data = try? encoder.encode(summary), data != alerts {
                alerts = data
                out += event("alerts", data)
            }
            if let service = env.commands, let list = try? await service.list(CommandQuery(limit: commandWindow)),
                let data = try? encoder.encode(CommandListView(count: list.count, commands: list)), data != commands
            {
                commands = data
                out += event("commands", data)
            }
            return out
        }

        /// Whether the page's row `old` needs `new`: any field but `lastSeen`, or `lastSeen` moved by at least
        /// `lastSeenResolution`. Every answering device is read every poll, so an exact `lastSeen` would resend
        /// the whole fleet every period for a column that shows seconds.
        static func differs(_ old: LiveDeviceView, _ new: LiveDeviceView) -> Bool {
            var a = old
            var b = new
            a.lastSeen = nil
            b.lastSeen = nil
            if a != b { return true }
            switch (old.lastSeen, new.lastSeen) {
            case (let x?, let y?): return abs(y.timeIntervalSince(x)) >= lastSeenResolution
            case (nil, nil): return false
            default: return true
            }
        }

        /// One event: JSON has no raw line breaks, so the data is a single `data:` line.
        mutating func event(_ name: String, _ data: Data) -> String {
            sequence += 1
            return "id: \(sequence)\nevent: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
        }
    }
}

/// The devices' stream rows, built at most once per `maxAge` for every open stream together: building them reads
/// and converts every device's snapshot, the largest part of a stream's cost, and a second page should not double
/// it.
public final class LiveRows: Sendable {
    private let cache = Mutex<(at: ContinuousClock.Instant, rows: [LiveDeviceView])?>(nil)
    let maxAge: Duration

    public init(maxAge: Duration = .milliseconds(200)) { self.maxAge = maxAge }

    func rows(_ fleet: FleetHandle, now: Date) -> [LiveDeviceView] {
        let clock = ContinuousClock.now
        if let hit = cache.withLock({ c in c.flatMap { clock - $0.at < maxAge ? $0.rows : nil } }) { return hit }
        let rows = fleet.deviceViews(now: now).map(LiveDeviceView.init)
        cache.withLock { $0 = (clock, rows) }
        return rows
    }
}
