import Foundation
import Hummingbird

/// The operator's page (DESIGN §6, §14): static files read from a folder of the installation, with no build
/// step. The folder is `Dashboard/` beside the device profiles folder (the repository's `DeviceProfiles/` has
/// the repository's `Dashboard/` beside it; `make install` puts both under `share/vppd/`), so the page is found
/// the way the profiles are, with no configuration key of its own.
///
/// Only flat names of the listed kinds are served (no sub-folders, no dot files), so a request can never
/// reach outside the folder. Every reply carries a strict Content-Security-Policy: scripts, styles and
/// connections from this origin only, nothing inline, no frames, no forms, so an injected string can neither
/// run nor send anything elsewhere. The page keeps its token in sessionStorage and sends it as a bearer
/// header: no cookie is ever set, so there is no CSRF surface.
public struct DashboardFiles: Sendable {
    /// The folder the files are read from.
    public let directory: URL

    /// The policy every page reply carries (README "Dashboard").
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// Largest file served, bytes (the whole page is far below it; a larger file is a packaging mistake).
    static let maxFileBytes = 1 << 20

    /// Content types by file extension; anything else is not served.
    static let types: [String: String] = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "css": "text/css; charset=utf-8", "svg": "image/svg+xml", "png": "image/png",
        "json": "application/json; charset=utf-8",
    ]

    public init(directory: URL) { self.directory = directory }

    /// `Dashboard/` beside the device profiles folder `profilesDirectory`.
    public static func beside(profilesDirectory: String) -> DashboardFiles {
        DashboardFiles(
            directory: URL(fileURLWithPath: profilesDirectory, isDirectory: true).standardizedFileURL
                .deletingLastPathComponent().appendingPathComponent("Dashboard", isDirectory: true))
    }

    /// The reply for file `name`: 404 (JSON error) for a name that is not a flat file of a served kind or is
    /// missing, 503 when the folder itself is missing (the page is not installed).
    func response(_ name: String) throws -> Response {
        let bytes = Array(name.utf8)
        let allowed = bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
                || b == 0x5F || b == 0x2E
        }
        let ext = name.split(separator: ".").last.map(String.init) ?? ""
        guard allowed, bytes.count <= 64, bytes.first != 0x2E, let type = Self.types[ext] else {
            throw APIError.notFound("no dashboard file '\(name)'")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw APIError.unavailable("the dashboard is not installed: no folder \(directory.path)")
        }
        let url = directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path), data.count <= Self.maxFileBytes else {
            throw APIError.notFound("no dashboard file '\(name)'")
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: type, .contentSecurityPolicy: Self.contentSecurityPolicy,
                .xContentTypeOptions: "nosniff", .cacheControl: "no-cache",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
