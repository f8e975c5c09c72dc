import ArgumentParser
import Foundation

/// Options shared by every subcommand: where the daemon is, which token to use, output format.
struct ClientOptions: ParsableArguments {
    @Option(help: "API base URL (default $VPPD_URL or http://127.0.0.1:8080).")
    var url: String?

    @Option(help: "Bearer token (default $VPPD_TOKEN).")
    var token: String?

    @Option(
        name: .customLong("token-file"),
        help: "File whose first line is the bearer token (default $VPPD_TOKEN_FILE).")
    var tokenFile: String?

    @Flag(help: "Print the API's JSON instead of a table.")
    var json = false

    @Option(help: "Request timeout, seconds.")
    var timeout: Double = 10

    /// The client these options describe; fails with a one-line reason when the token file cannot be read.
    func client() throws -> APIClient {
        let env = ProcessInfo.processInfo.environment
        let base = url ?? env["VPPD_URL"] ?? "http://127.0.0.1:8080"
        guard let baseURL = URL(string: base), baseURL.scheme == "http" || baseURL.scheme == "https",
            baseURL.host != nil
        else {
            throw CLIError(code: 2, message: "invalid --url '\(base)': expected http://host:port")
        }
        var bearer = token ?? env["VPPD_TOKEN"]
        if bearer == nil, let path = tokenFile ?? env["VPPD_TOKEN_FILE"] {
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                bearer = text.split(whereSeparator: \.isNewline).first.map {
                    String($0).trimmingCharacters(in: .whitespaces)
                }
            } catch {
                throw CLIError(
                    code: 2, message: "cannot read token file \(path): \(error.localizedDescription)")
            }
        }
        return APIClient(baseURL: baseURL, token: bearer, timeout: timeout)
    }
}

/// A failure reported as one line on stderr with an exit code (see `VPPCtl`).
struct CLIError: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    var description: String { message }
}

/// Runs a subcommand body, turning `CLIError` into "vppctl: reason" on stderr and its exit code.
func runReporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CLIError {
        FileHandle.standardError.write(Data("vppctl: \(error.message)\n".utf8))
        throw ExitCode(error.code)
    }
}
