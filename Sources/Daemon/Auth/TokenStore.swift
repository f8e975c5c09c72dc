import Synchronization

/// The live set of API tokens, replaced as a whole on reload (SIGHUP).
///
/// Authentication hashes the presented token with SHA-256 and compares it with every stored hash in constant
/// time, without stopping at the first match, so the time taken does not reveal which or how many bytes matched.
public final class TokenStore: Sendable {
    private let records: Mutex<[TokenRecord]>

    public init(records: [TokenRecord] = []) {
        self.records = Mutex(records)
    }

    /// Loads the token file at `path`.
    public convenience init(path: String) throws(AuthError) {
        self.init(records: try TokenFile.load(path: path))
    }

    /// Replaces the tokens in force (after a reload that parsed without error).
    public func replace(with records: [TokenRecord]) {
        self.records.withLock { $0 = records }
    }

    /// After a refused reload: revokes every token in force that the token file at `path` no longer lists with
    /// the same name, role and hash, and returns the names revoked. Never grants a token.
    ///
    /// Decision (README "The HTTP API", fail closed): a refused reload keeps the running configuration, but it
    /// must never keep a token the operator removed — deleting a line and sending SIGHUP is how a leaked token
    /// is revoked, and a typo elsewhere in the file or in `vppd.yaml` must not undo that. So the well-formed
    /// lines of the new file are read (`TokenFile.listedEntries`) and only tokens still listed identically stay;
    /// a changed role or hash revokes the old entry too. A file that cannot be read at all (deleted, no
    /// permission) lists nothing: every token is revoked until a good reload. The caller reports the refusal.
    @discardableResult
    public func revokeUnlisted(path: String?) -> [String] {
        let listed: Set<TokenRecord>
        if let path, let text = try? TokenFile.read(path: path) {
            listed = TokenFile.listedEntries(text)
        } else {
            listed = []
        }
        return records.withLock { current in
            let revoked = current.filter { !listed.contains($0) }.map(\.name)
            current.removeAll { !listed.contains($0) }
            return revoked
        }
    }

    /// Number of tokens in force.
    public var count: Int { records.withLock { $0.count } }

    /// The principal whose token is `token`, or nil.
    public func authenticate(token: String) -> Principal? {
        let presented = TokenFile.hashToken(token)
        let current = records.withLock { $0 }
        var found: Principal?
        for record in current where Self.constantTimeEqual(record.hash, presented) {
            found = Principal(name: record.name, role: record.role)
        }
        return found
    }

    /// Compares two byte arrays in time that depends only on their lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
