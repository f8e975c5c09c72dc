import Fleet
import VPPCore

extension FleetState {
    /// Devices with the stale timeout of their profile (`timing.staleAfterMs`); devices whose profile is not in
    /// the catalog use the default.
    public convenience init(devices: [DeviceDescriptor], catalog: ProfileCatalog) {
        var stale: [DeviceID: Int] = [:]
        for d in devices { if let p = catalog[d.profile] { stale[d.id] = p.timing.staleAfterMs } }
        self.init(devices: devices, staleAfterMs: stale)
    }
}
