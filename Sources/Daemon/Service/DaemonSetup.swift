import DeviceIO
import Foundation
import VPPCore

/// Everything the daemon builds from one configuration file before it touches the store or the network:
/// the parsed config, the device profiles, the device descriptors and the API tokens. Loading is all-or-nothing,
/// so a reload either yields a complete new setup or an error that leaves the running one in force.
public struct DaemonSetup: Sendable {
    public var config: VPPConfig
    public var profiles: ProfileCatalog
    public var descriptors: [DeviceDescriptor]
    public var tokens: [TokenRecord]

    /// Loads and cross-checks the config at `path`, the profiles it names and its token file.
    public static func load(configPath path: String) throws(DaemonError) -> DaemonSetup {
        let config: VPPConfig
        do {
            config = try VPPConfig.load(path: path)
        } catch {
            throw .config(error)
        }
        let profiles: ProfileCatalog
        let directory = URL(fileURLWithPath: config.profilesDirectory, isDirectory: true)
        if config.devices.isEmpty && !FileManager.default.fileExists(atPath: directory.path) {
            profiles = ProfileCatalog()
        } else {
            do {
                profiles = try ProfileCatalog.load(directory: directory)
            } catch {
                throw .profiles(error)
            }
        }
        let descriptors: [DeviceDescriptor]
        do {
            descriptors = try config.deviceDescriptors(profile: { profiles[$0] })
        } catch {
            throw .config(error)
        }
        var tokens: [TokenRecord] = []
        if let file = config.api.tokenFile {
            do {
                tokens = try TokenFile.load(path: file)
            } catch {
                throw .tokens(error)
            }
        }
        return DaemonSetup(config: config, profiles: profiles, descriptors: descriptors, tokens: tokens)
    }

    /// Stale timeout of each device, milliseconds: the larger of the config's `poll.staleAfterMs` and the
    /// profile's `timing.staleAfterMs`, so that neither a fast global setting nor a fast profile makes a slow
    /// device flap.
    public var staleAfterMs: [DeviceID: Int] {
        var m: [DeviceID: Int] = [:]
        for d in descriptors {
            m[d.id] = max(config.poll.staleAfterMs, profiles[d.profile]?.timing.staleAfterMs ?? 0)
        }
        return m
    }

    /// The summary `/v1/status` shows.
    public var summary: ConfigSummaryView {
        ConfigSummaryView(
            path: config.sourcePath ?? "-", apiListen: "\(config.api.host):\(config.api.port)",
            stateDirectory: config.stateDirectory, controlPeriodMs: config.control.periodMs,
            sites: config.sites.count,
            devices: descriptors.count, tokens: tokens.count, marketProfile: config.market.profile,
            mqttBroker: config.mqtt.map { "\($0.host):\($0.port)" })
    }
}
