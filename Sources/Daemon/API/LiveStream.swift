import Foundation
import Hummingbird
import ServiceLifecycle
import Store
import VPPCore

/// `GET /v1/stream`: the page's live state as Server-Sent Events (README "Dashboard"), read from the daemon's
/// own state (the fleet snapshot and the command store) every `period`, so that a change reaches an open page
/// within one period of the daemon seeing it, and no page polls the read routes.
///
/// Events, each `event: <name>` with one line of JSON `data:` and an increasing `id:`:
/// - `fleet`: `FleetView` (totals, sites, kinds), when it changed;
/// - `devices`: `LiveDevicesEvent`, every device first, then only changed rows;
/// - `commands`: `CommandListView` of the newest 50 commands, when it changed;
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
            let rows = env.fleet.deviceViews(now: now).map(LiveDeviceView.init)
            let current = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            let changed = devices.map { old in rows.filter { old[$0.id] != $0 } } ?? rows
            let removed = devices.map { old in old.keys.filter { current[$0] == nil }.sorted() } ?? []
            if devices == nil || !changed.isEmpty || !removed.isEmpty,
                let data = try? encoder.encode(
                    LiveDevicesEvent(full: devices == nil, devices: changed, removed: removed))
            {
                out += event("devices", data)
            }
            devices = current
            if let service = env.commands, let list = try? await service.list(CommandQuery(limit: commandWindow)),
                let data = try? encoder.encode(CommandListView(count: list.count, commands: list)), data != commands
            {
                commands = data
                out += event("commands", data)
            }
            return out
        }

        /// One event: JSON has no raw line breaks, so the data is a single `data:` line.
        mutating func event(_ name: String, _ data: Data) -> String {
            sequence += 1
            return "id: \(sequence)\nevent: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
        }
    }
}
