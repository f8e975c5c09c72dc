import DeviceIO
import Fleet
import VPPCore

extension VPPConfig {
    /// Maps the configured devices onto `DeviceDescriptor`s once the profiles are loaded (DeviceIO's
    /// `ProfileLoader`). `profile` looks a profile up by id. Fails, naming the device's key path, on an
    /// unknown profile, a transport that does not match the profile, or storage/V2G without `ratedEnergyKWh`.
    public func deviceDescriptors(profile: (String) -> DeviceProfile?) throws(ConfigError)
        -> [DeviceDescriptor]
    {
        let file = sourcePath ?? "vppd.yaml"
        return try devices.map { d throws(ConfigError) in
            guard let p = profile(d.profile) else {
                throw .invalid(
                    file: file, path: "\(d.origin).profile",
                    problem: "unknown device profile \"\(d.profile)\"")
            }
            guard p.transport == d.address.transport else {
                throw .invalid(
                    file: file, path: "\(d.origin).address",
                    problem:
                        "profile \"\(p.id)\" talks \(p.transport.rawValue) but the address is \(d.address.transport.rawValue)"
                )
            }
            if ResourceKinds.storesEnergy(p.kind) && d.ratedEnergyKWh == nil {
                throw .invalid(
                    file: file, path: "\(d.origin).ratedEnergyKWh",
                    problem: "required for a \(p.kind.rawValue) device")
            }
            return DeviceDescriptor(
                id: d.id, profile: d.profile, kind: p.kind, site: d.site, owner: d.owner,
                ratedPowerKW: d.ratedPowerKW,
                ratedEnergyKWh: d.ratedEnergyKWh, address: d.address, installerLimitKW: d.installerLimitKW)
        }
    }
}
