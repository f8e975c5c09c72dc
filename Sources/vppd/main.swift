// vppd — the virtual power plant daemon. All logic lives in the Daemon module (Service/DaemonCommandLine.swift).
import Daemon
import Foundation

exit(await DaemonCommandLine.main(Array(CommandLine.arguments.dropFirst())))
