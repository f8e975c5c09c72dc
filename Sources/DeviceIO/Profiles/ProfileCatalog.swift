import Foundation
import VPPCore

/// Every loaded device profile by id (the file name without extension). A value: reloading profiles builds a
/// new catalog, and components holding the old one keep a consistent view until they swap.
public struct ProfileCatalog: Sendable, Hashable {
    public private(set) var profiles: [String: DeviceProfile]

    public init(_ profiles: some Sequence<DeviceProfile> = []) {
        var m: [String: DeviceProfile] = [:]
        for p in profiles { m[p.id] = p }
        self.profiles = m
    }

    /// Loads and validates every profile of a directory (see `ProfileLoader.loadDirectory`).
    public static func load(directory: URL) throws(DeviceIOError) -> ProfileCatalog {
        try ProfileLoader.loadDirectory(directory)
    }

    public subscript(id: String) -> DeviceProfile? { profiles[id] }

    /// Profile ids in sorted order.
    public var ids: [String] { profiles.keys.sorted() }

    public var count: Int { profiles.count }
    public var isEmpty: Bool { profiles.isEmpty }

    /// The profile a device descriptor names, or a `badProfile` error that says which device wants which id.
    public func profile(for device: DeviceDescriptor) throws(DeviceIOError) -> DeviceProfile {
        guard let p = profiles[device.profile] else {
            throw .badProfile(
                file: "\(device.profile).yaml", point: nil,
                reason:
                    "device \(device.id) names profile '\(device.profile)', which is not loaded (known: "
                    + ids.joined(separator: ", ") + ")")
        }
        if p.kind != device.kind {
            throw .badProfile(
                file: "\(device.profile).yaml", point: nil,
                reason: "device \(device.id) is configured as kind \(device.kind.rawValue) but its profile "
                    + "describes a \(p.kind.rawValue) device")
        }
        if p.transport != device.address.transport {
            throw .badProfile(
                file: "\(device.profile).yaml", point: nil,
                reason:
                    "device \(device.id) has a \(device.address.transport.rawValue) address but its profile "
                    + "uses transport \(p.transport.rawValue)")
        }
        return p
    }

    /// Adds or replaces one profile.
    public mutating func insert(_ profile: DeviceProfile) { profiles[profile.id] = profile }
}
