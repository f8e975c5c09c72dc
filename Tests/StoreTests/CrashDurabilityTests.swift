import Foundation
import Testing
import VPPCore

@testable import Store

/// `kill -9` right after acknowledgement: a child process (this test binary, re-run with a filter and an
/// environment variable) creates commands and prints `ACK <id>` after each `create` returns; the parent kills
/// it with SIGKILL mid-stream and reopens the store. Every acknowledged command must be there.
@Suite("Crash durability")
struct CrashDurabilityTests {
    static let childVariable = "VPPD_STORE_CRASH_CHILD_DIR"

    @Test(
        "the child writer: creates commands until killed, acknowledging each after commit",
        .enabled(if: ProcessInfo.processInfo.environment[childVariable] != nil))
    func crashChild() async throws {
        let dir = try #require(ProcessInfo.processInfo.environment[Self.childVariable])
        let store = try Store(directory: URL(fileURLWithPath: dir))
        let out = FileHandle.standardOutput
        for _ in 0..<100_000 {
            let c = makeCommand(start: Date(), seconds: 3600, created: Date())
            try await store.commands.create(c)
            out.write(Data("ACK \(c.id.rawValue)\n".utf8))  // unbuffered write(2): the parent sees it now
        }
    }

    @Test("every command acknowledged before a kill -9 is in the store after reopening (10 rounds)")
    func killNineLoop() async throws {
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vppd-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var total = 0
        for round in 0..<10 {
            let wanted = Int.random(in: 3...30)
            let (acked, diedBySignal) = try await Self.runChildUntil(acks: wanted, exe: exe, dir: dir)
            #expect(diedBySignal, "round \(round): the child must die by SIGKILL")
            try #require(acked.count >= wanted, "round \(round): child acknowledged only \(acked.count)")
            let store = try Store(directory: dir)
            var missing: [String] = []
            for id in acked where try await store.commands.get(CommandID(id)) == nil {
                missing.append(id)
            }
            #expect(missing.isEmpty, "round \(round): acknowledged but lost: \(missing)")
            total += acked.count
        }
        print("crash durability: \(total) acknowledged commands across 10 SIGKILLs, none lost")
    }

    /// Starts the child, reads `ACK` lines until `acks` arrived (or 20 s passed), SIGKILLs it and reaps it.
    /// The blocking pipe reads run on a Dispatch thread, never on the cooperative pool.
    static func runChildUntil(acks wanted: Int, exe: String, dir: URL) async throws -> (
        [String], Bool
    ) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = ["--testing-library", "swift-testing", "--filter", "crashChild"]
        var env = ProcessInfo.processInfo.environment
        env[childVariable] = dir.path
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let reader = pipe.fileHandleForReading
        let pid = p.processIdentifier
        let acked: [String] = await withCheckedContinuation { cont in
            DispatchQueue.global().async {
                var acked: [String] = []
                var buffer = Data()
                let deadline = Date().addingTimeInterval(20)
                while acked.count < wanted && Date() < deadline {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }  // the child exited
                    buffer.append(chunk)
                    while let nl = buffer.firstIndex(of: 0x0A) {
                        let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                        buffer.removeSubrange(buffer.startIndex...nl)
                        if line.hasPrefix("ACK ") { acked.append(String(line.dropFirst(4))) }
                    }
                }
                // Kill right after the last acknowledgement we count.
                kill(pid, SIGKILL)
                cont.resume(returning: acked)
            }
        }
        await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                p.waitUntilExit()
                cont.resume()
            }
        }
        return (acked, p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL)
    }
}
