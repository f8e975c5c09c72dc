import ArgumentParser
import DeviceIO
import Foundation

/// `vppctl scan HOST[:PORT] [--unit N | --units 1-32] [--rtu DEVICE --baud B]`: identifies the Modbus device(s)
/// at an address for onboarding (README "vppctl scan"), talking to them directly (no daemon). Walks the SunSpec
/// chain or matches the profiles' identification signatures, checks a few values, and prints a draft `devices:`
/// entry for vppd.yaml, or for an unknown device what answered where.
///
/// Exit codes: 0 at least one unit identified; 1 none identified (the report says why); 2 usage error;
/// 3 the endpoint could not be reached.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan", abstract: "Identify a Modbus device and draft its vppd.yaml entry.",
        discussion: """
            Reads only (function 3 and 4), never writes. Bounded: at most --max-requests requests in all and \
            --max-requests-per-unit per unit, --unit-timeout and --total-timeout seconds (a request is only \
            started before the deadline, so the end may come one response timeout later). A unit whose first \
            --silent-after requests time out is reported silent. The draft entry is printed on stdout (with --json the whole \
            report instead); the report goes to stderr.
            """)

    @Argument(help: "Modbus TCP address HOST[:PORT] (port 502 by default); omit with --rtu.")
    var address: String?

    @Option(help: "Unit id to scan (default 1).") var unit: Int?
    @Option(help: "Unit ids to scan: N, N-M or a comma list (e.g. 1-32).") var units: String?
    @Option(help: "Serial device for Modbus RTU, e.g. /dev/ttyUSB0.") var rtu: String?
    @Option(help: "RTU baud rate.") var baud: Int = 9600
    @Option(help: "RTU parity: N, E or O.") var parity: String = "N"
    @Option(
        help:
            "Directory of device profiles (default $VPPD_PROFILES, /usr/share/vppd/DeviceProfiles or ./DeviceProfiles)."
    )
    var profiles: String?
    @Option(help: "Site id written into the draft entry.") var site: String = "site-1"
    @Option(help: "Device id prefix of the draft entry (default the profile id; the unit id is appended).")
    var id: String?
    @Option(help: "Response timeout per request, milliseconds.") var timeoutMs: Int = 1000
    @Option(help: "Pause between requests, milliseconds (RS-485, loggers).") var gapMs: Int = 0
    @Option(help: "Time limit per unit, seconds.") var unitTimeout: Double = 15
    @Option(help: "Time limit of the whole scan, seconds.") var totalTimeout: Double = 120
    @Option(help: "Requests per unit at most.") var maxRequestsPerUnit: Int = 64
    @Option(help: "Requests in all at most.") var maxRequests: Int = 1024
    @Option(help: "A unit whose first N requests time out is silent and skipped.") var silentAfter: Int = 3
    @Flag(help: "Print the machine-readable report (JSON) on stdout.") var json = false

    func run() async throws {
        try await runReporting {
            let (endpoint, draftAddress) = try target()
            var options = ScanOptions()
            if let units {
                switch ScanOptions.parseUnits(units) {
                case .success(let list): options.units = list
                case .failure(let e): throw CLIError(code: 2, message: "--units: \(e)")
                }
                if unit != nil { throw CLIError(code: 2, message: "give --unit or --units, not both") }
            } else if let unit {
                options.units = [unit]
            }
            guard unitTimeout.isFinite, totalTimeout.isFinite, unitTimeout > 0, totalTimeout > 0,
                unitTimeout <= 3600, totalTimeout <= 86_400
            else {
                throw CLIError(code: 2, message: "--unit-timeout and --total-timeout must be 0…3600 / 0…86400 seconds")
            }
            options.responseTimeoutMs = timeoutMs
            options.minRequestGapMs = gapMs
            options.unitTimeoutMs = Int(unitTimeout * 1000)
            options.totalTimeoutMs = Int(totalTimeout * 1000)
            options.maxRequestsPerUnit = maxRequestsPerUnit
            options.maxRequests = maxRequests
            options.silentAfterTimeouts = silentAfter
            if let e = options.validate() { throw CLIError(code: 2, message: e.message) }
            // Unit 0 is the RTU broadcast address: nobody answers it, and the config loader refuses it there.
            if case .rtu = endpoint, options.units.contains(0) {
                throw CLIError(code: 2, message: "unit 0 is the RTU broadcast address; scan units 1…247")
            }

            let catalog = try loadProfiles()
            let report = await DeviceScanner(catalog: catalog, options: options).scan(endpoint: endpoint)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let data = try encoder.encode(report)
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            } else {
                FileHandle.standardError.write(Data(report.text.utf8))
            }
            if !json && report.units.contains(where: { $0.status == .identified }) {
                let draft = DraftDeviceEntry.yaml(
                    for: report, catalog: catalog, address: draftAddress, site: site, idPrefix: id)
                FileHandle.standardOutput.write(Data(draft.utf8))
            }
            if report.connectError != nil && report.units.isEmpty {
                throw CLIError(code: 3, message: "cannot reach \(endpoint): \(report.connectError ?? "")")
            }
            if !report.units.contains(where: { $0.status == .identified }) {
                throw CLIError(code: 1, message: "no unit identified")
            }
        }
    }

    /// The endpoint to scan and the address the draft entry names.
    private func target() throws -> (ModbusEndpoint, DraftDeviceEntry.Address) {
        if let rtu {
            guard address == nil else { throw CLIError(code: 2, message: "give HOST[:PORT] or --rtu, not both") }
            guard rtu.hasPrefix("/dev/"), !rtu.contains("..") else {
                throw CLIError(code: 2, message: "--rtu must be a path under /dev/, got '\(ScanText.printable(rtu))'")
            }
            guard (300...4_000_000).contains(baud) else {
                throw CLIError(code: 2, message: "--baud must be 300…4000000, got \(baud)")
            }
            guard let p = ModbusEndpoint.Parity(rawValue: parity.uppercased()) else {
                throw CLIError(code: 2, message: "--parity must be N, E or O, got '\(ScanText.printable(parity))'")
            }
            return (.rtu(device: rtu, baud: baud, parity: p), .rtu(device: rtu, baud: baud, parity: p.rawValue))
        }
        guard let address else { throw CLIError(code: 2, message: "give HOST[:PORT] or --rtu DEVICE") }
        var host = address
        var port = 502
        // [v6]:port, v4:port or a bare host (a bare IPv6 address has several colons and no port).
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            host = String(address[address.index(after: address.startIndex)..<close])
            let rest = address[address.index(after: close)...]
            if rest.hasPrefix(":") {
                guard let p = Int(rest.dropFirst()) else {
                    throw CLIError(code: 2, message: "bad port in '\(ScanText.printable(address))'")
                }
                port = p
            } else if !rest.isEmpty {
                throw CLIError(code: 2, message: "bad address '\(ScanText.printable(address))'")
            }
        } else if address.filter({ $0 == ":" }).count == 1, let colon = address.firstIndex(of: ":") {
            host = String(address[..<colon])
            guard let p = Int(address[address.index(after: colon)...]) else {
                throw CLIError(code: 2, message: "bad port in '\(ScanText.printable(address))'")
            }
            port = p
        }
        guard (1...65535).contains(port) else { throw CLIError(code: 2, message: "port \(port) is outside 1…65535") }
        guard !host.isEmpty, host.count <= 253, !host.contains(" "), !host.contains("/") else {
            throw CLIError(code: 2, message: "not a host name or address: '\(ScanText.printable(host))'")
        }
        return (.tcp(host: host, port: port), .tcp(host: host, port: port))
    }

    private func loadProfiles() throws -> ProfileCatalog {
        let env = ProcessInfo.processInfo.environment
        let candidates =
            profiles.map { [$0] }
            ?? [env["VPPD_PROFILES"], "/usr/share/vppd/DeviceProfiles", "DeviceProfiles"]
            .compactMap { $0 }
        let fm = FileManager.default
        guard let dir = candidates.first(where: { fm.fileExists(atPath: $0) }) else {
            throw CLIError(
                code: 2,
                message: "no profile directory (tried \(candidates.joined(separator: ", "))); give --profiles DIR")
        }
        do {
            return try ProfileCatalog.load(directory: URL(fileURLWithPath: dir))
        } catch {
            throw CLIError(code: 2, message: "profiles in \(dir): \(error)")
        }
    }
}
