import ArgumentParser

/// `vppctl`: the operator's command line over the vppd HTTP API (DESIGN §6).
///
/// Exit codes: 0 success; 1 the API refused the request (4xx/5xx, the one-line reason on stderr); 2 usage error;
/// 3 the daemon is unreachable; 4 authentication or authorization failed (401/403).
@main
struct VPPCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vppctl",
        abstract: "Operate a vppd virtual power plant daemon over its HTTP API.",
        discussion: """
            The API address comes from --url, else $VPPD_URL, else http://127.0.0.1:8080. The bearer token comes \
            from --token, else $VPPD_TOKEN, else the first line of --token-file (or $VPPD_TOKEN_FILE). \
            `vppctl scan` is the exception: it talks Modbus to a device directly, to onboard it.
            """,
        subcommands: [
            StatusCommand.self, DevicesCommand.self, DeviceCommand.self, FleetCommand.self,
            CommandsCommand.self,
            CommandGroup.self, DispatchGroup.self, ScheduleCommand.self, DeviationCommand.self, AuditCommand.self,
            BidGroup.self, ClearingGroup.self,
            BacktestCommand.self,
            SettleCommand.self, StatementCommand.self,
            DRGroup.self,
            ScanCommand.self,
        ])
}
