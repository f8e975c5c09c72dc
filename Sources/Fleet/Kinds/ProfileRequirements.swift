import VPPCore

/// What a device profile of a kind must provide (DESIGN §4: a profile is data, its kind says what the rest of
/// vppd will read): the points the kind's envelope cannot do without, and whether it may be controlled at all.
public protocol ProfileRequirements: Sendable {
    /// Points the profile must make readable, each with the sentence that says why when it is missing.
    var requiredPoints: [(point: CanonicalPoint, why: String)] { get }
    /// True for a kind that only measures (a meter): its profile may declare no controls.
    var measuresOnly: Bool { get }
}

extension PVKind: ProfileRequirements {
    public var requiredPoints: [(point: CanonicalPoint, why: String)] { [] }
    public var measuresOnly: Bool { false }
}

extension StorageKind: ProfileRequirements {
    public var requiredPoints: [(point: CanonicalPoint, why: String)] {
        [(.socPercent, "a storage profile needs a readable socPercent point")]
    }
    public var measuresOnly: Bool { false }
}

extension V2GKind: ProfileRequirements {
    public var requiredPoints: [(point: CanonicalPoint, why: String)] {
        [
            (.socPercent, "a v2g profile needs a readable socPercent point"),
            (.connected, "a v2g profile needs a readable connected point (vehicle plugged in)"),
        ]
    }
    public var measuresOnly: Bool { false }
}

extension MeterKind: ProfileRequirements {
    public var requiredPoints: [(point: CanonicalPoint, why: String)] { [] }
    public var measuresOnly: Bool { true }
}
