import DeviceIO
import Foundation
import Simulator
import Testing

@Suite("MosquittoProcess: a private broker for tests, vppsim and vppbench", .timeLimit(.minutes(1)))
struct MQTTMosquittoProcessTests {
    @Test("start listens on a free loopback port; restart keeps the port; stop ends the process and removes its files")
    func lifecycle() throws {
        let broker = try MosquittoProcess()
        let dir = broker.directory
        let firstPid = try #require(broker.pid)
        #expect(MosquittoProcess.acceptsConnections(port: broker.port))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("mosquitto.conf").path))
        try broker.restart()
        let secondPid = try #require(broker.pid)
        #expect(secondPid != firstPid)
        #expect(MosquittoProcess.acceptsConnections(port: broker.port))
        broker.stop()
        #expect(broker.pid == nil && !broker.isRunning)
        #expect(kill(secondPid, 0) != 0)
        #expect(!MosquittoProcess.acceptsConnections(port: broker.port))
        #expect(!FileManager.default.fileExists(atPath: dir.path))
    }

    @Test("a broker left behind by a crashed owner is stopped by the next MosquittoProcess")
    func reapsOrphans() async throws {
        // A pid that is certainly dead: a child that has exited and been reaped.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vpp-mosquitto-\(gone.processIdentifier)-orphan\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = try #require(MosquittoProcess.freeLoopbackPort())
        let conf =
            [
                "listener \(port) 127.0.0.1", "allow_anonymous true",
                "pid_file \(dir.appendingPathComponent("mosquitto.pid").path)",
            ] + (getuid() == 0 ? ["user root"] : [])
        try (conf.joined(separator: "\n") + "\n").write(
            to: dir.appendingPathComponent("mosquitto.conf"), atomically: true, encoding: .utf8)
        let orphan = Process()
        orphan.executableURL = URL(fileURLWithPath: "/usr/sbin/mosquitto")
        orphan.arguments = ["-c", dir.appendingPathComponent("mosquitto.conf").path]
        orphan.standardError = FileHandle.nullDevice
        try orphan.run()
        defer { if orphan.isRunning { kill(orphan.processIdentifier, SIGKILL) } }
        // Up and listening, unless a MosquittoProcess started by a test running in parallel reaped it already.
        #expect(
            await eventually {
                MosquittoProcess.acceptsConnections(port: port) || !FileManager.default.fileExists(atPath: dir.path)
            })

        let broker = try MosquittoProcess()
        defer { broker.stop() }
        #expect(await eventually { !orphan.isRunning })
        #expect(!FileManager.default.fileExists(atPath: dir.path))
    }
}
