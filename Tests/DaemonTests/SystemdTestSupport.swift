import Foundation
import Synchronization

/// Runs a tool to completion with a time limit, capturing stdout and stderr (tests only).
struct SystemdToolRun {
    var status: Int32
    var stdout: String
    var stderr: String

    static func run(_ tool: String, _ arguments: [String], timeoutSeconds: Double = 30) throws
        -> SystemdToolRun
    {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Drain both pipes while the tool runs so a chatty tool never blocks on a full pipe.
        let outData = Mutex(Data())
        let errData = Mutex(Data())
        let group = DispatchGroup()
        let outHandle = out.fileHandleForReading
        let errHandle = err.fileHandleForReading
        group.enter()
        DispatchQueue.global().async {
            let d = outHandle.readDataToEndOfFile()
            outData.withLock { $0 = d }
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            let d = errHandle.readDataToEndOfFile()
            errData.withLock { $0 = d }
            group.leave()
        }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
        }
        p.waitUntilExit()
        _ = group.wait(timeout: .now() + 5)
        return SystemdToolRun(
            status: p.terminationStatus, stdout: String(decoding: outData.withLock { $0 }, as: UTF8.self),
            stderr: String(decoding: errData.withLock { $0 }, as: UTF8.self))
    }
}

/// The package root, found from this file's path (Tests/DaemonTests/…).
let systemdPackageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()
