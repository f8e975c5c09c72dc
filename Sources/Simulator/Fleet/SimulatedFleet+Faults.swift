import DeviceIO
import Foundation
import VPPCore

extension SimulatedFleet {
    /// Injects a fault into a device at once (see `DeviceFault`). Faults accumulate until `clearFaults(of:)`.
    public func inject(_ fault: DeviceFault, into id: DeviceID) throws(SimulatorError) {
        guard let i = byID[id] else { throw .unknownDevice(id) }
        let f = devices[i].updateFaults { $0.insert(fault) }
        applyTransportFaults(i, f)
    }

    /// Removes every fault of a device: it answers, updates and publishes normally again.
    public func clearFaults(of id: DeviceID) throws(SimulatorError) {
        guard let i = byID[id] else { throw .unknownDevice(id) }
        let f = devices[i].updateFaults { $0 = FaultSet() }
        applyTransportFaults(i, f)
    }

    /// The faults active on a device.
    public func faults(of id: DeviceID) -> FaultSet? { device(id)?.faults }

    private func applyTransportFaults(_ i: Int, _ f: FaultSet) {
        guard let b = bindings[i] else { return }
        let port = portOf[i]
        let gateway = (port?.units.count ?? 1) > 1
        b.applyFaults(f, gateway: gateway)
        guard let port, !gateway else { return }
        if f.dropped {
            port.setOffline(true)
        } else {
            port.setRefusingConnections(f.refusing)
        }
    }
}
