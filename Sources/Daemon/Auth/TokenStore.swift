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
