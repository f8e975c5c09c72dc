import Foundation
import Store
import Testing

/// `vppctl` (the built binary) against a running vppd: tables, `--json`, tokens from flag/env/file, and a
/// one-line reason with a distinct exit code on every failure.
@Suite("vppctl against a running daemon")
struct DaemonVppctlTests {
    static var binary: URL {
        DaemonFixture.repositoryRoot.appendingPathComponent(".build/debug/vppctl")
    }

    struct Run {
        var status: Int32
        var out: String
        var err: String
    }

    /// Runs vppctl with `arguments` and extra environment; bounded to 20 s.
    func vppctl(_ arguments: [String], env: [String: String] = [:], in fixture: DaemonFixture) throws
        -> Run
    {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = arguments
        var e = ProcessInfo.processInfo.environment
        for k in ["VPPD_URL", "VPPD_TOKEN", "VPPD_TOKEN_FILE"] { e.removeValue(forKey: k) }
        for (k, v) in env { e[k] = v }
        p.environment = e
        let outURL = fixture.directory.appendingPathComponent("out-\(UUID().uuidString)")
        let errURL = fixture.directory.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        let deadline = Date().addingTimeInterval(20)
        while p.isRunning && Date() < deadline { usleep(5_000) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
        }
        return Run(
            status: p.terminationStatus, out: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            err: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    @Test(
        "status, devices, command create/cancel, commands and audit work; failures exit non-zero with one line"
    )
    func operatorWorkflow() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            Issue.record("vppctl not built at \(Self.binary.path)")
            return
        }
        let fixture = try DaemonFixture(devices: 4)
        defer { fixture.cleanup() }
        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let url = "http://127.0.0.1:\(fixture.port)"
        let viewer = ["VPPD_URL": url, "VPPD_TOKEN": fixture.tokens["viewer"] ?? ""]
        let tokenFile = fixture.directory.appendingPathComponent("operator.token").path
        try ((fixture.tokens["operator"] ?? "") + "\n").write(
            toFile: tokenFile, atomically: true, encoding: .utf8)

        let status = try vppctl(["status"], env: viewer, in: fixture)
        #expect(status.status == 0, "\(status.err)")
        #expect(status.out.contains("vppd ") && status.out.contains("devices 4"), "\(status.out)")

        let devices = try vppctl(["devices"], env: viewer, in: fixture)
        #expect(devices.status == 0)
        #expect(devices.out.split(separator: "\n").count == 5, "\(devices.out)")  // header + 4 devices
        #expect(devices.out.contains("bat-1"))

        let json = try vppctl(["device", "bat-1", "--json"], env: viewer, in: fixture)
        #expect(json.status == 0)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        #expect(parsed?["id"] as? String == "bat-1")

        let created = try vppctl(
            [
                "command", "create", "--kind", "discharge", "--target", "device:bat-1", "--value", "10",
                "--duration", "600",
                "--reason", "from vppctl", "--url", url, "--token-file", tokenFile, "--json",
            ], in: fixture)
        #expect(created.status == 0, "\(created.err)")
        let command = try JSONSerialization.jsonObject(with: Data(created.out.utf8)) as? [String: Any]
        let id = try #require(command?["id"] as? String)

        let list = try vppctl(["commands"], env: viewer, in: fixture)
        #expect(list.out.contains(id) && list.out.contains("from vppctl"), "\(list.out)")

        let cancelled = try vppctl(
            [
                "command", "cancel", id, "--reason", "done", "--url", url, "--token",
                fixture.tokens["operator"] ?? "",
            ], in: fixture)
        #expect(cancelled.status == 0, "\(cancelled.err)")
        #expect(cancelled.out.contains("cancelled"))

        let audit = try vppctl(
            ["audit", "--url", url, "--token", fixture.tokens["admin"] ?? ""], in: fixture)
        #expect(audit.status == 0)
        #expect(
            audit.out.contains("command.create") && audit.out.contains("command.cancel"), "\(audit.out)")

        // Failures: one line on stderr and a distinct exit code.
        func expectFailure(_ r: Run, _ code: Int32, _ text: String) {
            #expect(r.status == code, "\(r.status) \(r.err)")
            #expect(r.err.hasPrefix("vppctl: ") && r.err.contains(text), "\(r.err)")
            #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        }
        expectFailure(try vppctl(["status", "--url", url], in: fixture), 4, "401")
        expectFailure(try vppctl(["audit"], env: viewer, in: fixture), 4, "403")
        expectFailure(
            try vppctl(
                [
                    "command", "create", "--kind", "charge", "--target", "device:pv-0", "--value", "5",
                    "--duration", "60", "--reason", "x",
                ],
                env: ["VPPD_URL": url, "VPPD_TOKEN": fixture.tokens["operator"] ?? ""], in: fixture), 1,
            "422")
        expectFailure(try vppctl(["device", "nope"], env: viewer, in: fixture), 1, "404")
        let closed = try DaemonFixture.freePort()
        expectFailure(
            try vppctl(["status", "--url", "http://127.0.0.1:\(closed)", "--token", "x"], in: fixture), 3,
            "cannot reach")
    }

    @Test("dispatch subcommands state feasibility and clamping; schedule and deviation print the tracking records")
    func dispatchAndTracking() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            Issue.record("vppctl not built at \(Self.binary.path)")
            return
        }
        let fixture = try DaemonFixture(devices: 4)  // never-seen devices: nothing is usable now
        defer { fixture.cleanup() }
        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let op = [
            "VPPD_URL": "http://127.0.0.1:\(fixture.port)", "VPPD_TOKEN": fixture.tokens["operator"] ?? "",
        ]

        let discharge = try vppctl(
            ["dispatch", "discharge", "--device", "bat-1", "--kw", "20", "--for", "15m", "--reason", "peak"], env: op,
            in: fixture)
        #expect(discharge.status == 0, "\(discharge.err)")
        #expect(discharge.out.hasPrefix("accepted ") && discharge.out.contains("discharge device:bat-1 20 kW"))
        #expect(discharge.out.contains("CLAMPED: requested 20 kW → feasible 0 kW"), "\(discharge.out)")

        // --for 15m is 900 s; estop defaults to 24 h; grid goes to /v1/grid-instructions with its reference.
        let json = try vppctl(
            [
                "dispatch", "curtail", "--site", "site-0", "--percent", "30", "--for", "1h30m", "--reason", "neg",
                "--json",
            ],
            env: op, in: fixture)
        #expect(json.status == 0, "\(json.err)")
        let curtail = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        #expect(curtail?["kind"] as? String == "curtailPV")
        let window = { (o: [String: Any]?) -> Double? in
            guard let s = o?["start"] as? String, let e = o?["end"] as? String,
                let a = try? Date(s, strategy: .iso8601), let b = try? Date(e, strategy: .iso8601)
            else { return nil }
            return b.timeIntervalSince(a)
        }
        #expect(window(curtail) == 5400)
        let stop = try vppctl(["dispatch", "estop", "--reason", "fire alarm", "--json"], env: op, in: fixture)
        let stopped = try JSONSerialization.jsonObject(with: Data(stop.out.utf8)) as? [String: Any]
        #expect(stopped?["kind"] as? String == "emergencyStop" && window(stopped) == 86_400, "\(stop.err)")
        let grid = try vppctl(
            ["dispatch", "grid", "--mw=-0.5", "--for", "15m", "--reason", "AGC", "--reference", "DC-7"], env: op,
            in: fixture)
        #expect(grid.status == 0 && grid.out.contains("gridInstruction fleet -0.5 MW"), "\(grid.out)\(grid.err)")
        let id = try #require(stopped?["id"] as? String)
        let cancel = try vppctl(["dispatch", "cancel", id, "--reason", "all clear"], env: op, in: fixture)
        #expect(cancel.status == 0 && cancel.out.contains("cancelled \(id)"), "\(cancel.err)")
        // The generic form still works and prints the same reply.
        let generic = try vppctl(
            ["command", "create", "--kind", "hold", "--target", "fleet", "--duration", "60", "--reason", "look"],
            env: op, in: fixture)
        #expect(generic.status == 0 && generic.out.hasPrefix("accepted "), "\(generic.err)")

        // Refusals and usage errors: one line, exit 1 (API) or 2 (usage).
        let refused = try vppctl(
            ["dispatch", "charge", "--device", "pv-0", "--kw", "5", "--for", "1m", "--reason", "x"], env: op,
            in: fixture)
        #expect(refused.status == 1 && refused.err.contains("422") && refused.err.contains("kind:"), "\(refused.err)")
        for args in [
            ["dispatch", "charge", "--kw", "1", "--mw", "1", "--for", "1m", "--reason", "x"],
            ["dispatch", "charge", "--kw", "1", "--for", "15x", "--reason", "x"],
            ["dispatch", "charge", "--kw", "1", "--reason", "x"],
            ["dispatch", "discharge", "--percent", "10", "--for", "1m", "--reason", "x"],
            ["dispatch", "hold", "--device", "bat-1", "--site", "site-1", "--for", "1m", "--reason", "x"],
        ] {
            let r = try vppctl(args, env: op, in: fixture)
            #expect(r.status == 2 && r.err.split(separator: "\n").count == 1, "\(args): \(r.status) \(r.err)")
        }

        // Tracking records as the dispatch loop writes them, read back as tables.
        let store = try fixture.openStore()
        try await TrackingAPITests.seed(store)
        let viewer = [
            "VPPD_URL": "http://127.0.0.1:\(fixture.port)", "VPPD_TOKEN": fixture.tokens["viewer"] ?? "",
        ]
        let schedule = try vppctl(["schedule", "2026-11-23"], env: viewer, in: fixture)
        #expect(schedule.status == 0, "\(schedule.err)")
        let lines = schedule.out.split(separator: "\n")
        #expect(lines.count == 98)  // title, header, 96 intervals
        #expect(lines[2].contains("1000") && lines[2].contains("980") && lines[2].contains("-0.005"))
        #expect(lines[3].contains("800") && lines[3].hasSuffix("NO"))
        let deviation = try vppctl(["deviation", "2026-11-23"], env: viewer, in: fixture)
        #expect(deviation.status == 0, "\(deviation.err)")
        #expect(deviation.out.contains("2 interval(s), 1 in tolerance"), "\(deviation.out)")
        #expect(deviation.out.contains("-20"))  // interval 2: −20 %
        let one = try vppctl(["deviation", "2026-11-23", "--interval", "1"], env: viewer, in: fixture)
        #expect(one.out.contains("interval 1: contributions") && one.out.contains("81.6"), "\(one.out)")  // 200/245
        let raw = try vppctl(["deviation", "2026-11-23", "--json"], env: viewer, in: fixture)
        let parsed = try JSONSerialization.jsonObject(with: Data(raw.out.utf8)) as? [String: Any]
        #expect((parsed?["intervals"] as? [Any])?.count == 2)
        let badDay = try vppctl(["deviation", "23.11.2026"], env: viewer, in: fixture)
        #expect(badDay.status == 2 && badDay.err.contains("not a market day"))
    }
}
