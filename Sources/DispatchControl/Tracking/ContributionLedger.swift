import Foundation
import VPPCore

/// Each device's energy within one market interval (issue 6 §5: "each device's contribution"), integrated the
/// same way as `EnergyTracker` (trapezoids between a device's consecutive measurements, clipped to the interval),
/// so the contributions add up to what the tracker saw when it was fed the sum of the same devices.
/// Feeds settlement down to each owner (结算到户, DOMAIN §1).
public struct ContributionLedger: Sendable, Hashable {
    public let start: Date
    public let end: Date
    /// Energy per device so far, kWh (positive = export).
    public private(set) var energyKWh: [DeviceID: Double] = [:]
    private var last: [DeviceID: EnergyTracker.TimedSample] = [:]

    public init(start: Date, end: Date) {
        self.start = start
        self.end = max(start.addingTimeInterval(1), end)
    }

    /// Adds one device's measured power. Out-of-order and non-finite samples are ignored.
    public mutating func record(_ device: DeviceID, powerKW: Double, at time: Date) {
        guard powerKW.isFinite else { return }
        let sample = EnergyTracker.TimedSample(at: time, kW: powerKW)
        if let l = last[device] {
            guard time > l.at else { return }
            energyKWh[device, default: 0] += EnergyTracker.overlapKWh(
                from: l, to: sample, start: start, end: end)
        }
        last[device] = sample
    }

    /// Total over all devices, kWh.
    public var totalKWh: Double { energyKWh.values.reduce(0, +) }

    /// Energy per owner, kWh, given each device's owner (devices without an owner are left out).
    public func byOwner(_ ownerOf: [DeviceID: OwnerID]) -> [OwnerID: Double] {
        var out: [OwnerID: Double] = [:]
        for (d, e) in energyKWh { if let o = ownerOf[d] { out[o, default: 0] += e } }
        return out
    }
}
