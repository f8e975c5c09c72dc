import Crypto
import Foundation
import Logging
import Market
import ServiceLifecycle
import Store
import VPPCore

/// One complete file taken from the inbox, handed to the handler registered for its kind.
public struct InboxFile: Sendable {
    /// The name it arrived under (a single path component; never contains `/`).
    public var name: String
    /// The kind it was dispatched as.
    public var kind: String
    public var data: Data
    /// Lower-case hex SHA-256 of `data`.
    public var sha256: String
    /// Lower-case hex SHA-256 of the document's canonical form (`InboxCanonicalForm`), or of `data` when its
    /// kind has none or it does not parse: the key of the duplicate check.
    public var contentSHA256: String
    public var receivedAt: Date
}

/// What happened to one inbox file.
public enum InboxOutcome: Sendable, Equatable {
    /// The handler accepted it; the file is now `archive/<archivedAs>`.
    case processed(name: String, kind: String, archivedAs: String, detail: String)
    /// The same content was processed before; archived as `archive/<archivedAs>` without calling a handler.
    case duplicate(name: String, archivedAs: String)
    /// Refused; the file is now `rejected/<movedTo>` next to `rejected/<movedTo>.error.txt` holding `reason`.
    case rejected(name: String, movedTo: String, reason: String)
}

/// The file inbox (`<state>/inbox/`, DESIGN §6, issue 4 §4).
///
/// **Delivery convention (write-then-rename).** A sender writes the file under a name the inbox ignores and
/// renames it into place when complete; rename is atomic within one file system, so the inbox only ever
/// sees whole files. Ignored names: starting with `.` (e.g. `.clearing.json.tmp`), ending in `.tmp`,
/// `.partial`, `.part` or `~`. Every other entry is taken on the next scan, in name order.
///
/// **Kinds.** A file's kind is the longest registered kind that prefixes its name followed by `-`, `_` or `.`
/// (`clearing-2026-11-24.json` → `clearing`; `dr-invitation-7.json` → `dr-invitation`). Failing that, a JSON
/// file whose top-level object has a string `"kind"` naming a registered kind is dispatched to it. Anything
/// else is rejected as of unknown kind — before the duplicate check, so an unknown file is never archived as a
/// "duplicate" of anything.
///
/// **Outcomes.** Accepted files move to `archive/<UTC timestamp>-<name>`; refused ones to
/// `rejected/<UTC timestamp>-<name>` with a sibling `….error.txt` saying why. Files larger than
/// `maxFileBytes`, symlinks, directories and other non-regular entries are refused unread.
///
/// **Idempotence.** The SHA-256 of each processed file's *canonical content* (`InboxCanonicalForm`: the parsed
/// document re-encoded deterministically, so interval order, key order and equivalent unit spellings do not
/// count; the bytes for kinds without a form or files that do not parse) is recorded in the store (inbox
/// ledger) before the file is archived. The same content delivered again (under any name, in any layout) is
/// archived as `<timestamp>-duplicate-<name>` and not handed to a handler again. A crash between the handler's commit and
/// the ledger commit re-offers the file after restart, so handlers must be idempotent on their own natural
/// keys (market day + version, event id); a crash after the ledger commit is caught as a duplicate.
/// Rejected bytes are not remembered: re-delivering them (e.g. after a fix elsewhere) tries again.
///
/// **Bounded errors.** A refusal's reason is cut by `BoundedText` (long quoted values elided, at most
/// `BoundedText.defaultLimit` characters) before it goes to the `.error.txt`, the log and the audit row.
///
/// **Handler errors never lose data**: a throwing handler leaves whatever it committed in the store and the
/// file itself is kept under `rejected/` with the error.
///
/// **Polling, not inotify.** The directory is listed every `pollInterval` (default 500 ms). A listing of an
/// empty directory costs microseconds, it works on every file system (NFS, bind mounts) and under
/// `ProtectSystem=strict`, and half a second is far below any market deadline. File reads block the calling
/// thread briefly (files are ≤ `maxFileBytes`, default 10 MiB); inbox traffic is a few files a day.
public actor Inbox: Service {
    /// A handler: processes the file (persisting what it accepts) and returns a one-line summary, or throws
    /// to reject the file (the error's description becomes the `.error.txt`).
    public typealias Handler = @Sendable (InboxFile) async throws -> String

    public let inboxURL: URL
    public let archiveURL: URL
    public let rejectedURL: URL
    public let pollInterval: Duration
    public let maxFileBytes: Int
    private let store: Store
    private let logger: Logger
    private var handlers: [String: Handler] = [:]
    private var canonicalForms: [String: InboxCanonicalForm.Form] = [:]

    /// Creates `inbox/`, `archive/` and `rejected/` under `stateDirectory` if needed.
    public init(
        stateDirectory: URL, store: Store, pollInterval: Duration = .milliseconds(500),
        maxFileBytes: Int = 10 << 20, logger: Logger = Logger(label: "vppd.inbox")
    ) throws(FileDropError) {
        inboxURL = stateDirectory.appendingPathComponent("inbox", isDirectory: true)
        archiveURL = stateDirectory.appendingPathComponent("archive", isDirectory: true)
        rejectedURL = stateDirectory.appendingPathComponent("rejected", isDirectory: true)
        for dir in [inboxURL, archiveURL, rejectedURL] {
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            } catch {
                throw .io(path: dir.path, operation: "create directory", reason: error.localizedDescription)
            }
        }
        self.pollInterval = pollInterval
        self.maxFileBytes = maxFileBytes
        self.store = store
        self.logger = logger
    }

    /// Registers the handler for `kind` (letters, digits, `-`, `_`), replacing any previous one. Duplicates are
    /// judged by `canonicalForm`, by default `InboxCanonicalForm.standard(kind:)` (bytes for other kinds).
    public func register(
        kind: String, canonicalForm: InboxCanonicalForm.Form? = nil, handler: @escaping Handler
    ) {
        handlers[kind] = handler
        canonicalForms[kind] = canonicalForm ?? InboxCanonicalForm.standard(kind: kind)
    }

    /// The registered kinds.
    public var kinds: [String] { handlers.keys.sorted() }

    /// Scans until cancelled (or graceful shutdown), one pass per `pollInterval`.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await self.scanOnce()
                try? await Task.sleep(for: self.pollInterval)
            }
        }
    }

    /// Takes every complete file present now, in name order, and returns what happened to each.
    @discardableResult
    public func scanOnce(now: @Sendable () -> Date = { Date() }) async -> [InboxOutcome] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: inboxURL.path).sorted()
        } catch {
            logger.error("cannot list inbox \(inboxURL.path): \(error.localizedDescription)")
            return []
        }
        var outcomes: [InboxOutcome] = []
        for name in names where !Self.isIgnored(name) {
            if let outcome = await take(name, at: now()) { outcomes.append(outcome) }
        }
        return outcomes
    }

    /// Whether the write-then-rename convention says `name` is still being written (or not for us).
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix(".partial")
            || name.hasSuffix(".part")
            || name.hasSuffix("~")
    }

    // MARK: one file

    private func take(_ name: String, at now: Date) async -> InboxOutcome? {
        let path = inboxURL.path + "/" + name
        // lstat, not stat: a symlink is refused, never followed (it could point anywhere).
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }  // vanished between listing and now
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            return await reject(
                name, at: now, reason: "not a regular file (symlinks, directories and devices are refused)")
        }
        guard Int(st.st_size) <= maxFileBytes else {
            return await reject(
                name, at: now,
                reason: "file is \(st.st_size) bytes, larger than the limit of \(maxFileBytes) bytes")
        }
        let data: Data
        switch Self.read(path, limit: maxFileBytes) {
        case .success(let d): data = d
        case .failure(let e): return await reject(name, at: now, reason: "cannot read: \(e)")
        }
        // Kind first: an unknown file is refused as unknown, never taken for a duplicate.
        guard let kind = kind(of: name, data: data), let handler = handlers[kind] else {
            let known = handlers.keys.sorted().joined(separator: ", ")
            return await reject(
                name, at: now,
                reason:
                    "unknown file kind: the name must start with a registered kind followed by -, _ or . "
                    + "(or the JSON must carry \"kind\"); registered: \(known.isEmpty ? "none" : known)")
        }
        let sha = Self.hex(SHA256.hash(data: data))
        let content = canonicalForms[kind].flatMap { form in form(data) }.map { Self.hex(SHA256.hash(data: $0)) } ?? sha

        // Already processed: archive as duplicate, do not call a handler.
        do {
            if let seen = try await store.inboxLedger.find(sha256: content) {
                let archived = try archive(name, at: now, tag: "duplicate-")
                logger.info(
                    "inbox: \(name) duplicates \(seen.fileName) (content sha256 \(content.prefix(12))…), archived as \(archived)"
                )
                _ = try? await store.audit.append(
                    AuditEntry(
                        at: now, actor: "inbox", role: "system", action: "inbox.duplicate", target: name,
                        detail:
                            "same content as \(seen.fileName) received \(seen.receivedAt); content sha256 \(content), file sha256 \(sha)",
                        sourceAddress: "inbox"))
                return .duplicate(name: name, archivedAs: archived)
            }
        } catch {
            // Store or file system trouble: leave the file where it is and try again next scan.
            logger.error("inbox: \(name): \(BoundedText.bounded("\(error)"))")
            return nil
        }

        let file = InboxFile(
            name: name, kind: kind, data: data, sha256: sha, contentSHA256: content, receivedAt: now)
        let detail: String
        do {
            detail = try await handler(file)
        } catch {
            return await reject(name, at: now, reason: "\(kind) handler refused the file: \(error)")
        }
        do {
            try await store.inboxLedger.record(
                InboxLedgerEntry(
                    sha256: content, fileName: name, kind: kind, outcome: "processed",
                    detail: BoundedText.bounded(detail), receivedAt: now),
                audit: AuditEntry(
                    at: now, actor: "inbox", role: "system", action: "inbox.accept", target: name,
                    detail: BoundedText.bounded("\(kind): \(detail)")
                        + "; content sha256 \(content), file sha256 \(sha)",
                    sourceAddress: "inbox"))
        } catch {
            // The handler's data is committed; the file stays in the inbox and is re-offered next scan
            // (handlers are idempotent on their natural keys).
            logger.error("inbox: \(name) processed but the ledger write failed: \(error); will retry")
            return nil
        }
        do {
            let archived = try archive(name, at: now, tag: "")
            logger.info("inbox: \(name) processed as \(kind) (\(detail)), archived as \(archived)")
            return .processed(name: name, kind: kind, archivedAs: archived, detail: detail)
        } catch {
            // Recorded in the ledger: the next scan archives it as a duplicate.
            logger.error("inbox: \(name) processed but could not be archived: \(error)")
            return .processed(name: name, kind: kind, archivedAs: "", detail: detail)
        }
    }

    /// The registered kind of a file, or nil (see "Kinds" above).
    func kind(of name: String, data: Data) -> String? {
        Self.kind(of: name, data: data, among: Set(handlers.keys))
    }

    /// Longest of `kinds` that prefixes the name followed by `-`, `_` or `.`; else a JSON `"kind"` field naming
    /// one of `kinds`. Static and public so the classification can be tested and fuzzed without a store.
    public static func kind(of name: String, data: Data, among kinds: Set<String>) -> String? {
        let byName = kinds.filter { k in
            ["-", "_", "."].contains { name.hasPrefix(k + $0) }
        }.max { $0.count < $1.count }
        if let byName { return byName }
        if data.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) == UInt8(ascii: "{"),
            let obj = try? StrictJSON.object(data),
            let k = obj["kind"] as? String,
            kinds.contains(k)
        {
            return k
        }
        return nil
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    private func archive(_ name: String, at now: Date, tag: String) throws(FileDropError) -> String {
        try moveUnique(
            name, into: archiveURL, base: "\(FileNames.timestamp(now))-\(tag)\(FileNames.sanitized(name))"
        )
    }

    /// Moves the file to `rejected/` with its `.error.txt`; if even that fails the file stays in the inbox
    /// (never deleted) and the failure is logged.
    private func reject(_ name: String, at now: Date, reason unbounded: String) async -> InboxOutcome? {
        let reason = BoundedText.bounded(unbounded)
        do {
            let base = "\(FileNames.timestamp(now))-\(FileNames.sanitized(name))"
            var target = base
            var n = 1
            while FileManager.default.fileExists(atPath: rejectedURL.path + "/" + target)
                || FileManager.default.fileExists(atPath: rejectedURL.path + "/" + target + ".error.txt")
            {
                target = "\(base)-\(n)"
                n += 1
            }
            // A file name may hold newlines or control characters: shown escaped so it cannot forge lines.
            let text =
                "file: \(BoundedText.bounded(name, limit: 255))\nrejected at: \(ISO8601DateFormatter().string(from: now))\nreason: \(reason)\n"
            // Move first: if the error note cannot be written the file is still kept (and logged).
            try AtomicFile.move(inboxURL.path + "/" + name, to: rejectedURL.path + "/" + target)
            try AtomicFile.write(
                Data(text.utf8), to: rejectedURL.appendingPathComponent(target + ".error.txt"),
                replace: true)
            logger.warning("inbox: rejected \(BoundedText.bounded(name, limit: 255)): \(reason)")
            let audit = AuditEntry(
                at: now, actor: "inbox", role: "system", action: "inbox.reject", target: name,
                detail: reason,
                sourceAddress: "inbox")
            _ = try? await store.audit.append(audit)
            return .rejected(name: name, movedTo: target, reason: reason)
        } catch {
            logger.error("inbox: cannot move rejected \(name) (\(reason)): \(error)")
            return nil
        }
    }

    private func moveUnique(_ name: String, into dir: URL, base: String) throws(FileDropError)
        -> String
    {
        var target = base
        var n = 1
        while true {
            do {
                try AtomicFile.move(inboxURL.path + "/" + name, to: dir.path + "/" + target)
                return target
            } catch .exists(_) {
                target = "\(base)-\(n)"
                n += 1
                if n > 1000 { throw .exists(path: dir.path + "/" + base) }
            }
        }
    }

    /// Reads at most `limit` bytes without following symlinks; a file that grew past the limit is refused.
    static func read(_ path: String, limit: Int) -> Result<Data, FileDropError> {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return .failure(AtomicFile.io(path, "open")) }
        defer { close(fd) }
        var data = Data()
        var buf = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(AtomicFile.io(path, "read"))
            }
            if n == 0 { break }
            data.append(contentsOf: buf[0..<n])
            if data.count > limit {
                return .failure(
                    .io(path: path, operation: "read", reason: "grew beyond \(limit) bytes while reading"))
            }
        }
        return .success(data)
    }
}
