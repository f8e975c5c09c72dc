import Foundation
import Testing

@Suite("systemd unit files")
struct SystemdUnitTests {
    static let analyze = "/usr/bin/systemd-analyze"
    let unit = systemdPackageRoot.appendingPathComponent("systemd/vppd.service")

    /// A temp copy of the unit whose ExecStart names an executable that exists here: the built vppd when it is
    /// there, else /bin/true. Nothing else is changed (the other test proves it).
    func unitWithExistingBinary() throws -> (URL, URL) {
        let text = try String(contentsOf: unit, encoding: .utf8)
        let built = systemdPackageRoot.appendingPathComponent(".build/debug/vppd").path
        let binary = FileManager.default.isExecutableFile(atPath: built) ? built : "/bin/true"
        let patched = text.replacingOccurrences(
            of: "ExecStart=/usr/local/bin/vppd", with: "ExecStart=\(binary)")
        #expect(patched != text)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vppd-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let copy = dir.appendingPathComponent("vppd.service")
        try patched.write(to: copy, atomically: true, encoding: .utf8)
        return (copy, dir)
    }

    @Test(
        "systemd-analyze verify prints nothing on stderr for the unit",
        .enabled(if: FileManager.default.isExecutableFile(atPath: analyze)))
    func verifyIsSilent() throws {
        let (copy, dir) = try unitWithExistingBinary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try SystemdToolRun.run(Self.analyze, ["verify", copy.path])
        #expect(r.stderr.isEmpty, "systemd-analyze verify complained:\n\(r.stderr)")
        #expect(r.status == 0)
    }

    @Test(
        "on the shipped unit, verify's only complaint is the ExecStart binary not installed on this machine",
        .enabled(if: FileManager.default.isExecutableFile(atPath: analyze)))
    func onlyTheBinaryIsMissing() throws {
        guard !FileManager.default.fileExists(atPath: "/usr/local/bin/vppd") else { return }
        let r = try SystemdToolRun.run(Self.analyze, ["verify", unit.path])
        let lines = r.stderr.split(separator: "\n").filter { !$0.isEmpty }
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(
                line.contains("/usr/local/bin/vppd") && line.contains("not executable"),
                "unexpected: \(line)")
        }
    }

    @Test(
        "systemd-analyze security rates the unit's exposure at 2.0 or better",
        .enabled(if: FileManager.default.isExecutableFile(atPath: analyze)))
    func securityExposure() throws {
        let r = try SystemdToolRun.run(
            Self.analyze, ["security", "--offline=true", "--no-pager", unit.path])
        let all = r.stdout + r.stderr
        // "→ Overall exposure level for vppd.service: 1.2 OK 🙂"
        let line = try #require(
            all.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let afterColon = try #require(line.split(separator: ":").last)
        let number = try #require(afterColon.split(separator: " ").first.flatMap { Double($0) })
        print("systemd-analyze security exposure: \(number)")
        #expect(number <= 2.0, "\(line)")
    }

    @Test(
        "the sysusers.d and tmpfiles.d snippets create the user and the state layout in a scratch root",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-sysusers")))
    func sysusersAndTmpfiles() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vppd-root-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let etc = root.appendingPathComponent("etc")
        try FileManager.default.createDirectory(at: etc, withIntermediateDirectories: true)
        for f in ["passwd", "group"] {
            try FileManager.default.copyItem(
                atPath: "/etc/\(f)", toPath: etc.appendingPathComponent(f).path)
        }
        let users = try SystemdToolRun.run(
            "/usr/bin/systemd-sysusers",
            [
                "--root=\(root.path)",
                systemdPackageRoot.appendingPathComponent("systemd/vppd.sysusers").path,
            ])
        #expect(users.status == 0, "\(users.stderr)")
        let passwd = try String(contentsOf: etc.appendingPathComponent("passwd"), encoding: .utf8)
        #expect(passwd.split(separator: "\n").contains { $0.hasPrefix("vppd:") })
        let tmp = try SystemdToolRun.run(
            "/usr/bin/systemd-tmpfiles",
            [
                "--root=\(root.path)", "--create",
                systemdPackageRoot.appendingPathComponent("systemd/vppd.tmpfiles").path,
            ])
        #expect(tmp.status == 0, "\(tmp.stderr)")
        for sub in ["inbox", "archive", "rejected", "outbox"] {
            var isDir: ObjCBool = false
            let path = root.appendingPathComponent("var/lib/vppd/\(sub)").path
            #expect(
                FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue,
                "\(sub)")
        }
    }
}
