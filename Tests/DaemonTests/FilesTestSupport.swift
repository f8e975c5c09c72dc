import Foundation
import Store

@testable import Daemon

/// A state directory with a store and an inbox, removed afterwards.
struct FilesFixture {
    let dir: URL
    let store: Store
    let inbox: Inbox

    init(maxFileBytes: Int = 10 << 20, pollInterval: Duration = .milliseconds(500)) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vppd-files-\(UUID().uuidString)")
        store = try Store(directory: dir)
        inbox = try Inbox(
            stateDirectory: dir, store: store, pollInterval: pollInterval, maxFileBytes: maxFileBytes)
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    /// Delivers a file the right way: write under a dot-name, then rename into place.
    func deliver(_ name: String, _ text: String) throws {
        let tmp = dir.appendingPathComponent("inbox/.\(name).tmp")
        try Data(text.utf8).write(to: tmp)
        try FileManager.default.moveItem(at: tmp, to: dir.appendingPathComponent("inbox/\(name)"))
    }

    func list(_ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(sub).path))
            ?? []).sorted()
    }

    func read(_ sub: String, _ name: String) throws -> String {
        try String(contentsOf: dir.appendingPathComponent("\(sub)/\(name)"), encoding: .utf8)
    }
}

/// Counts handler calls across tasks.
actor FilesCallLog {
    private(set) var names: [String] = []
    func add(_ n: String) { names.append(n) }
}
