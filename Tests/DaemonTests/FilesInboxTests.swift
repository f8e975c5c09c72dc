import Foundation
import Store
import Testing
import VPPCore

@testable import Daemon

@Suite("File inbox")
struct FilesInboxTests {
    @Test("a complete file goes to its kind's handler once, is archived, recorded and audited")
    func processed() async throws {
        let f = try FilesFixture()
        defer { f.remove() }
        let log = FilesCallLog()
        await f.inbox.register(kind: "clearing") { file in
            await log.add(file.name)
            return "\(file.data.count) bytes"
        }
        try f.deliver("clearing-2026-11-24.json", #"{"day":"2026-11-24"}"#)
        let outcomes = await f.inbox.scanOnce()
        #expect(outcomes.count == 1)
        guard case .processed(let name, let kind, let archived, let detail) = outcomes.first else {
            Issue.record("not processed: \(outcomes)")
            return
        }
        #expect(name == "clearing-2026-11-24.json" && kind == "clearing" && detail == "20 bytes")
        #expect(archived.hasSuffix("-clearing-2026-11-24.json"))
        #expect(await log.names == ["clearing-2026-11-24.json"])
        #expect(f.list("inbox").isEmpty)
        #expect(f.list("archive") == [archived])
        #expect(try f.read("archive", archived) == #"{"day":"2026-11-24"}"#)
        let audit = try await f.store.audit.list(AuditQuery(action: "inbox.accept"))
        #expect(audit.first?.target == "clearing-2026-11-24.json")
        // Nothing left: the next scan does nothing.
        #expect(await f.inbox.scanOnce().isEmpty)
    }

    @Test("files still being written (dot-names, .tmp, .partial, .part, ~) are left alone")
    func ignoresIncomplete() async throws {
        let f = try FilesFixture()
        defer { f.remove() }
        let log = FilesCallLog()
        await f.inbox.register(kind: "clearing") { file in
            await log.add(file.name)
            return "ok"
        }
        let pending = [
            ".clearing-a.json", "clearing-b.json.tmp", "clearing-c.json.partial", "clearing-d.part",
            "clearing-e.json~",
        ]
        for n in pending { try Data("{}".utf8).write(to: f.dir.appendingPathComponent("inbox/\(n)")) }
        #expect(await f.inbox.scanOnce().isEmpty)
        #expect(f.list("inbox") == pending.sorted())
        // The sender finishes one by renaming it into place: it is taken on the next scan.
        try FileManager.default.moveItem(
            at: f.dir.appendingPathComponent("inbox/clearing-b.json.tmp"),
            to: f.dir.appendingPathComponent("inbox/clearing-b.json"))
        let outcomes = await f.inbox.scanOnce()
        #expect(outcomes.count == 1)
        #expect(await log.names == ["clearing-b.json"])
    }

    @Test(
        "re-delivering identical bytes, under any name, is archived as a duplicate and not processed again"
    )
    func duplicate() async throws {
        let f = try FilesFixture()
        defer { f.remove() }
        let log = FilesCallLog()
        await f.inbox.register(kind: "clearing") { file in
            await log.add(file.name)
            return "ok"
        }
        try f.deliver("clearing-1.json", #"{"v":1}"#)
        _ = await f.inbox.scanOnce()
        try f.deliver("clearing-1.json", #"{"v":1}"#)
        try f.deliver("clearing-1-again.json", #"{"v":1}"#)
        let outcomes = await f.inbox.scanOnce()
        #expect(outcomes.count == 2)
        for o in outcomes {
            guard case .duplicate(_, let archived) = o else {
                Issue.record("expected duplicate, got \(o)")
                continue
            }
            #expect(archived.contains("-duplicate-"))
        }
        #expect(await log.names == ["clearing-1.json"])
        #expect(f.list("archive").count == 3)
        // Different bytes under the old name are new content and are processed.
        try f.deliver("clearing-1.json", #"{"v":2}"#)
        _ = await f.inbox.scanOnce()
        #expect(await log.names == ["clearing-1.json", "clearing-1.json"])
    }

    @Test("a file of no registered kind is rejected with a .error.txt saying why")
    func unknownKind() async throws {
        let f = try FilesFixture()
        defer { f.remove() }
        await f.inbox.register(kind: "clearing") { _ in "ok" }
        try f.deliver("weather-today.csv", "a,b\n1,2\n")
        let outcomes = await f.inbox.scanOnce()
        guard case .rejected(_, let movedTo, let reason) = outcomes.first else {
            Issue.record("not rejected: \(outcomes)")
            return
        }
        #expect(reason.contains("unknown file kind") && reason.contains("clearing"))
        #expect(f.list("rejected") == [movedTo, movedTo + ".error.txt"])
        #expect(try f.read("rejected", movedTo) == "a,b\n1,2\n")
        let why = try f.read("rejected", movedTo + ".error.txt")
        #expect(why.contains("weather-today.csv") && why.contains("unknown file kind"))
    }

    @Test("an oversize file is rejected unread")
    func oversize() async throws {
        let f = try FilesFixture(maxFileBytes: 100)
        defer { f.remove() }
        let log = FilesCallLog()
        await f.inbox.register(kind: "clearing") { file in
            await log.add(file.name)
            return "ok"
        }
        try f.deliver("clearing-big.json", String(repeating: " ", count: 101))
        let outcomes = await f.inbox.scanOnce()
        guard case .rejected(_, _, let reason) = outcomes.first else {
            Issue.record("not rejected: \(outcomes)")
            return
        }
        #expect(reason.contains("101 bytes") && reason.contains("100 bytes"))
        #expect(await log.names.isEmpty)
    }

    @Test(
        "a handler error rejects the file but keeps what the handler already committed, and the file itself"
    )
    func handlerErrorKeepsData() async throws {
        struct Bad: Error, CustomStringConvertible {
            var description: String { "interval 97 does not exist" }
        }
        let f = try FilesFixture()
        defer { f.remove() }
        let store = f.store
        let day = try #require(MarketDay("2026-11-24"))
        await f.inbox.register(kind: "clearing") { file in
            try await store.clearingResults.save(
                day: day, payload: file.data, source: "inbox:\(file.name)", at: file.receivedAt)
            throw Bad()
        }
        try f.deliver("clearing-x.json", #"{"intervals":97}"#)
        let outcomes = await f.inbox.scanOnce()
        guard case .rejected(_, let movedTo, let reason) = outcomes.first else {
            Issue.record("not rejected: \(outcomes)")
            return
        }
        #expect(reason.contains("interval 97 does not exist"))
        #expect(
            try await store.clearingResults.get(day: day)?.payload == Data(#"{"intervals":97}"#.utf8))
        #expect(try f.read("rejected", movedTo) == #"{"intervals":97}"#)
        // Rejected bytes are not remembered: a re-delivery after the handler is fixed is processed.
        await f.inbox.register(kind: "clearing") { _ in "fixed" }
        try f.deliver("clearing-x.json", #"{"intervals":97}"#)
        let again = await f.inbox.scanOnce()
        guard case .processed = again.first else {
            Issue.record("not processed after fix: \(again)")
            return
        }
    }

    @Test("symlinks and directories are refused without being followed")
    func symlinksRefused() async throws {
        let f = try FilesFixture()
        defer { f.remove() }
        let log = FilesCallLog()
        await f.inbox.register(kind: "clearing") { file in
            await log.add(file.name)
            return "ok"
        }
        let secret = f.dir.appendingPathComponent("secret.json")
        try Data(#"{"secret":true}"#.utf8).write(to: secret)
        try FileManager.default.createSymbolicLink(
            atPath: f.dir.appendingPathComponent("inbox/clearing-link.json").path,
            withDestinationPath: secret.path)
        try FileManager.default.createDirectory(
            at: f.dir.appendingPathComponent("inbox/clearing-dir.json"),
            withIntermediateDirectories: false)
        let outcomes = await f.inbox.scanOnce()
        #expect(outcomes.count == 2)
        for o in outcomes {
            guard case .rejected(_, _, let reason) = o else {
                Issue.record("expected rejection, got \(o)")
                continue
            }
            #expect(reason.contains("not a regular file"))
        }
        #expect(await log.names.isEmpty)
        #expect(try String(contentsOf: secret, encoding: .utf8) == #"{"secret":true}"#)
    }

    @Test("archive names cannot leave the archive, whatever the incoming name")
    func hostileNames() async throws {
        let f = try FilesFixture()
        defer { f.remove() }
        await f.inbox.register(kind: "clearing") { _ in "ok" }
        let name = "clearing-..-..-etc-passwd \u{1}.json"
        try f.deliver(name, "{}")
        let outcomes = await f.inbox.scanOnce()
        guard case .processed(_, _, let archived, _) = outcomes.first else {
            Issue.record("not processed: \(outcomes)")
            return
        }
        #expect(!archived.contains("/") && !archived.contains("..") && !archived.contains(" "))
        #expect(f.list("archive") == [archived])
    }

    @Test("kind: longest registered prefix wins, and a JSON \"kind\" field is the fallback")
    func kinds() async throws {
        let f = try FilesFixture()
        defer { f.remove() }
        let log = FilesCallLog()
        for k in ["dr", "dr-invitation", "clearing"] {
            await f.inbox.register(kind: k) { file in
                await log.add("\(k):\(file.name)")
                return "ok"
            }
        }
        try f.deliver("dr-invitation-7.json", #"{"a":1}"#)
        try f.deliver("dr-12.json", #"{"a":2}"#)
        try f.deliver("from-exchange-001.json", #"{"kind":"clearing","a":3}"#)
        try f.deliver("drinvitation.json", #"{"a":4}"#)  // no separator after the prefix: not a kind
        let outcomes = await f.inbox.scanOnce()
        #expect(outcomes.count == 4)
        #expect(
            Set(await log.names) == [
                "dr-invitation:dr-invitation-7.json", "dr:dr-12.json", "clearing:from-exchange-001.json",
            ])
        #expect(f.list("rejected").count == 2)  // drinvitation.json and its .error.txt
    }

    @Test(
        "the running inbox picks up a delivered file within its poll interval and stops on cancellation"
    )
    func runLoop() async throws {
        let f = try FilesFixture(pollInterval: .milliseconds(50))
        defer { f.remove() }
        let log = FilesCallLog()
        await f.inbox.register(kind: "clearing") { file in
            await log.add(file.name)
            return "ok"
        }
        let inbox = f.inbox
        let task = Task { try await inbox.run() }
        try f.deliver("clearing-live.json", "{}")
        let deadline = ContinuousClock.now + .seconds(5)
        while await log.names.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        _ = try? await task.value
        #expect(await log.names == ["clearing-live.json"])
        #expect(f.list("archive").count == 1)
    }
}
