/// One storage scheduling question: a battery, where it stands now, the prices ahead and the site around it.
///
/// The horizon is `pricesYuanPerMWh.count` intervals of `intervalHours` each (96 × 0.25 h for a market day,
/// DOMAIN §2). Prices may be zero or negative (DOMAIN §3, DESIGN §10).
public struct StorageProblem: Sendable {
  /// The grid connection shared by the battery and whatever else sits behind the same meter.
  public struct SiteConnection: Sendable, Equatable {
    /// Largest net injection into the grid, MW (≥ 0).
    public var exportLimitMW: Double
    /// Largest net withdrawal from the grid, MW (≥ 0).
    public var importLimitMW: Double
    /// Net injection of everything else at the site per interval, MW (PV positive, load negative);
    /// empty means nothing else. Must have one value per interval when not empty.
    public var otherNetInjectionMW: [Double]
    /// Penalty per MWh by which the limit is exceeded, yuan/MWh. Far above any price cap, so the limit
    /// is only exceeded when nothing the battery can do avoids it.
    public var violationPenaltyYuanPerMWh: Double

    public init(
      exportLimitMW: Double, importLimitMW: Double, otherNetInjectionMW: [Double] = [],
      violationPenaltyYuanPerMWh: Double = 1_000_000
    ) {
      self.exportLimitMW = exportLimitMW
      self.importLimitMW = importLimitMW
      self.otherNetInjectionMW = otherNetInjectionMW
      self.violationPenaltyYuanPerMWh = violationPenaltyYuanPerMWh
    }
  }

  /// A soft target for the SOC at the end of the horizon (e.g. keep energy for the next day).
  public struct FinalSOCTarget: Sendable, Equatable {
    /// Minimum SOC at the end of the last interval, percent.
    public var minimumPercent: Double
    /// Penalty per MWh of shortfall, yuan/MWh. The default is above every provincial price cap
    /// (DOMAIN §3: the widest floor-cap spread is 5,206 yuan/MWh), so the target is missed only when it
    /// cannot physically be reached.
    public var shortfallPenaltyYuanPerMWh: Double

    public init(minimumPercent: Double, shortfallPenaltyYuanPerMWh: Double = 10_000) {
      self.minimumPercent = minimumPercent
      self.shortfallPenaltyYuanPerMWh = shortfallPenaltyYuanPerMWh
    }
  }

  public var storage: StorageParameters
  /// Measured SOC now, percent (clamped into the SOC window if outside, and reported).
  public var initialSOCPercent: Double
  /// Price per interval, yuan/MWh.
  public var pricesYuanPerMWh: [Double]
  /// Interval length, hours (0.25 for 15-minute market intervals).
  public var intervalHours: Double
  public var finalSOC: FinalSOCTarget?
  public var connection: SiteConnection?

  public init(
    storage: StorageParameters, initialSOCPercent: Double, pricesYuanPerMWh: [Double],
    intervalHours: Double = 0.25, finalSOC: FinalSOCTarget? = nil, connection: SiteConnection? = nil
  ) {
    self.storage = storage
    self.initialSOCPercent = initialSOCPercent
    self.pricesYuanPerMWh = pricesYuanPerMWh
    self.intervalHours = intervalHours
    self.finalSOC = finalSOC
    self.connection = connection
  }
}
