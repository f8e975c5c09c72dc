import Foundation
import Logging
import Synchronization

/// The `vppd` command line (no argument-parser dependency in the daemon: the grammar is four forms).
///
/// ```
/// vppd [--config PATH]                 run (default /etc/vppd/vppd.yaml)
/// vppd --check-config [--config PATH]  load and validate config, profiles and tokens; exit 0 or 2
/// vppd token create --name N --role R --file F   create a token, print it once, append its hash to F
/// vppd --version | --help
/// ```
/// Exit codes: 0 ok (including a graceful shutdown), 1 runtime failure (store, listen), 2 bad configuration
/// or usage; the reason is one line on stderr.
public enum DaemonCommandLine {
    public static let defaultConfigPath = "/etc/vppd/vppd.yaml"

    static let usage = """
        usage: vppd [--config PATH] [--check-config]
               vppd token create --name NAME --role viewer|trader|operator|admin --file TOKENFILE
               vppd --version | --help
        """

    /// Runs vppd with `arguments` (without the program name) and returns the exit code.
    public static func main(_ arguments: [String]) async -> Int32 {
        if arguments.first == "token" { return tokenCommand(Array(arguments.dropFirst())) }
        var configPath = defaultConfigPath
        var checkOnly = false
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--config", "-c":
                guard i + 1 < arguments.count else {
                    return fail(.usage("--config needs a path\n\(usage)"))
                }
                configPath = arguments[i + 1]
                i += 1
            case "--check-config":
                checkOnly = true
            case "--version":
                print("vppd \(VPPVersion.current)")
                return 0
            case "--help", "-h":
                print(usage)
                return 0
            default:
                if arguments[i].hasPrefix("--config=") {
                    configPath = String(arguments[i].dropFirst("--config=".count))
                } else {
                    return fail(.usage("unknown argument '\(arguments[i])'\n\(usage)"))
                }
            }
            i += 1
        }

        let setup: DaemonSetup
        do {
            setup = try DaemonSetup.load(configPath: configPath)
        } catch {
            return fail(error)
        }
        if checkOnly {
            print(
                "vppd: configuration OK: \(configPath): \(setup.config.sites.count) sites, \(setup.descriptors.count) devices, \(setup.profiles.count) profiles, \(setup.tokens.count) tokens"
            )
            return 0
        }
        let level = Logger.Level(rawValue: setup.config.logLevel) ?? .info
        bootstrapLogging(level: level)
        let logger = Logger(label: "vppd")
        do {
            let daemon = try VPPDaemon(configPath: configPath, setup: setup, logger: logger)
            try await daemon.run()
            return 0
        } catch let error as DaemonError {
            return fail(error)
        } catch {
            logger.critical("vppd failed", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("vppd: \(error)\n".utf8))
            return 1
        }
    }

    /// `token create --name N --role R --file F`.
    static func tokenCommand(_ args: [String]) -> Int32 {
        guard args.first == "create" else { return fail(.usage(usage)) }
        var name: String?
        var role: String?
        var file: String?
        var i = 1
        while i < args.count {
            guard i + 1 < args.count else { return fail(.usage("\(args[i]) needs a value\n\(usage)")) }
            switch args[i] {
            case "--name": name = args[i + 1]
            case "--role": role = args[i + 1]
            case "--file": file = args[i + 1]
            default: return fail(.usage("unknown argument '\(args[i])'\n\(usage)"))
            }
            i += 2
        }
        guard let name, let roleText = role, let file else {
            return fail(.usage("token create needs --name, --role and --file\n\(usage)"))
        }
        guard let role = Role(rawValue: roleText) else {
            return fail(
                .usage(
                    "unknown role '\(roleText)' (one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")))"
                ))
        }
        do {
            let token = try TokenFile.createToken(name: name, role: role, path: file)
            print(token)
            FileHandle.standardError.write(
                Data(
                    "vppd: token '\(name)' (\(role)) added to \(file); it is shown only now. Send SIGHUP to a running vppd to load it.\n"
                        .utf8))
            return 0
        } catch {
            return fail(.tokens(error))
        }
    }

    /// Prints the reason as one line on stderr (journald keeps it as one entry) and returns the exit code.
    static func fail(_ error: DaemonError) -> Int32 {
        let line = "\(error)".split(whereSeparator: \.isNewline).joined(separator: " | ")
        FileHandle.standardError.write(Data("vppd: \(line)\n".utf8))
        return error.exitCode
    }

    /// Installs the single-line stderr handler once per process.
    static func bootstrapLogging(level: Logger.Level) {
        LoggingOnce.bootstrap(level: level)
    }
}

/// `LoggingSystem.bootstrap` may run only once per process.
enum LoggingOnce {
    private static let done = Mutex(false)
    static func bootstrap(level: Logger.Level) {
        done.withLock { done in
            guard !done else { return }
            LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level) }
            done = true
        }
    }
}
