import Foundation
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
}
