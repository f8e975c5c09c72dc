/// Cars that share a plug window, planned as one virtual battery whose every schedule can be split back onto
/// the cars without breaking any car's SOC window or departure SOC (DOMAIN §8: an *inner* approximation —
/// summing the cars' bounds would over-promise).
///
/// Construction (proportional disaggregation): car i takes the fixed share wᵢ = Eᵢ / Σ E of the cluster's
/// charge and discharge power, so every car's SOC moves by the same number of percentage points. With a common efficiency η, its stored energy is then
/// Eᵢ·sᵢ + wᵢ·y(t), where y(t) is the cluster's stored-energy change since plug-in. Each car's limits become
/// bounds on the one variable y:
///
///     (loᵢ − sᵢ)·Eᵢ / wᵢ ≤ y(t) ≤ (hiᵢ − sᵢ)·Eᵢ / wᵢ     (SOC window, every interval)
///     y(departure) ≥ (rᵢ − sᵢ)·Eᵢ / wᵢ                    (departure SOC)
///     c ≤ P_ch,i / wᵢ,  d ≤ P_dis,i / wᵢ                  (power)
///
/// and the cluster keeps the tightest of each. Idling (y = 0) always satisfies the window bounds of cars that
/// arrive inside their window; the bounds are soft in the LP with a high penalty, so a car that arrives outside
/// its window or cannot reach its departure SOC shows up as a reported `Relaxation` instead of a failed plan.
/// The price of safety: the cluster's power is limited by its slowest car per kWh (Σ E · minᵢ Pᵢ/Eᵢ) and its
/// SOC range by the car closest to each edge, so cars with very different SOCs or C-rates make the bounds tight:
/// cluster by plug window, SOC band and charger size.
///
/// `Split.need` uses wᵢ = Eᵢ·nᵢ / Σ Eⱼ·nⱼ instead (nᵢ = rᵢ − sᵢ > 0, the charge each car needs): every car's
/// departure bound becomes the same Σ Eⱼ·nⱼ, so cars at any arrival SOC that all need charge can share a
/// cluster (with energy shares, a car that must end at its ceiling only fits with cars of the same arrival
/// SOC). Cars then move in proportion to their needs; the slowest car per need limits the power.
/// `Split.room` (wᵢ ∝ Eᵢ·(sᵢ − loᵢ)) does the same for cars that need no charge: every window floor becomes
/// the same −Σ Eⱼ·(sⱼ − loⱼ), so they share a cluster at any arrival SOC and all reach their floor together.
public struct V2GCluster: Sendable {
    /// How the cluster's power is shared among its cars (see the type comment).
    public enum Split: String, Sendable, Equatable {
        /// wᵢ ∝ battery energy: every car's SOC moves by the same percentage points.
        case energy
        /// wᵢ ∝ required charge Eᵢ·(departure − arrival): every car reaches its departure SOC together.
        /// Every car must need charge (departure above arrival).
        case need
        /// wᵢ ∝ discharge room Eᵢ·(arrival − min SOC): every car reaches its SOC floor together. For cars
        /// that need no charge (departure at or below arrival) and have room (arrival above min SOC).
        case room
    }

    public let name: String
    public let cars: [V2GCar]
    /// Horizon intervals (0-based) during which the cars are plugged; they leave at the end of the last one.
    public let plugged: Range<Int>
    /// Share of cluster power per car, in `cars` order; sums to 1.
    public let weights: [Double]
    public let split: Split

    public init(name: String, cars: [V2GCar], plugged: Range<Int>, split: Split = .energy)
        throws(StorageModelError)
    {
        guard let first = cars.first else {
            throw .invalidInput(storage: name, field: "cars", detail: "a cluster needs at least one car")
        }
        guard !plugged.isEmpty, plugged.lowerBound >= 0 else {
            throw .invalidInput(
                storage: name, field: "plugged", detail: "plug window \(plugged) is empty or negative")
        }
        for car in cars {
            func bad(_ field: String, _ rule: String) -> StorageModelError {
                .invalidInput(storage: name, field: "car \(car.id).\(field)", detail: rule)
            }
            let numbers = [
                car.batteryKWh, car.chargeKW, car.dischargeKW, car.socMinPercent, car.socMaxPercent,
                car.arrivalSOCPercent, car.departureSOCPercent, car.efficiency,
            ]
            guard numbers.allSatisfy(\.isFinite) else {
                throw bad("values", "every number must be finite")
            }
            guard car.batteryKWh > 0 else { throw bad("batteryKWh", "must be > 0 kWh") }
            guard car.chargeKW > 0, car.dischargeKW >= 0 else {
                throw bad("chargeKW", "charge power must be > 0 kW and discharge power ≥ 0 kW")
            }
            guard 0 <= car.socMinPercent, car.socMinPercent <= car.socMaxPercent, car.socMaxPercent <= 100
            else {
                throw bad("socMinPercent", "SOC window must satisfy 0 ≤ min ≤ max ≤ 100 %")
            }
            guard car.efficiency > 0, car.efficiency <= 1 else {
                throw bad("efficiency", "must be in (0, 1]")
            }
            guard car.efficiency == first.efficiency else {
                throw bad(
                    "efficiency",
                    "differs from car \(first.id) (\(first.efficiency)); cluster cars by efficiency")
            }
        }
        if split == .need, let car = cars.first(where: { $0.departureSOCPercent <= $0.arrivalSOCPercent }) {
            throw .invalidInput(
                storage: name, field: "car \(car.id).departureSOCPercent",
                detail: "a need-split cluster needs every car to need charge; \(car.id) departs at "
                    + "\(car.departureSOCPercent) % from \(car.arrivalSOCPercent) %")
        }
        if split == .room,
            let car = cars.first(where: {
                $0.departureSOCPercent > $0.arrivalSOCPercent || $0.arrivalSOCPercent <= $0.socMinPercent
            })
        {
            throw .invalidInput(
                storage: name, field: "car \(car.id).arrivalSOCPercent",
                detail: "a room-split cluster needs every car above its min SOC and needing no charge; \(car.id) "
                    + "arrives at \(car.arrivalSOCPercent) % (min \(car.socMinPercent) %, departure \(car.departureSOCPercent) %)"
            )
        }
        let share = cars.map { car in
            switch split {
            case .energy: car.batteryKWh
            case .need: car.batteryKWh * (car.departureSOCPercent - car.arrivalSOCPercent)
            case .room: car.batteryKWh * (car.arrivalSOCPercent - car.socMinPercent)
            }
        }
        let total = share.reduce(0, +)
        self.name = name
        self.cars = cars
        self.plugged = plugged
        self.split = split
        self.weights = share.map { $0 / total }
    }

    /// Σ battery energy, MWh.
    public var capacityMWh: Double { cars.map(\.batteryKWh).reduce(0, +) / 1000 }
    /// Σ Eᵢ·sᵢ at plug-in, MWh.
    public var arrivalEnergyMWh: Double {
        cars.map { $0.batteryKWh * $0.arrivalSOCPercent / 100 }.reduce(0, +) / 1000
    }

    /// The storage problem for a horizon of `prices.count` intervals (the plug window must fit inside).
    public func problem(pricesYuanPerMWh prices: [Double], intervalHours: Double = 0.25)
        throws(StorageModelError)
        -> StorageProblem
    {
        let battery = try virtualBattery(intervals: prices.count)
        return StorageProblem(
            storage: battery.storage, initialSOCPercent: battery.initialSOCPercent, pricesYuanPerMWh: prices,
            intervalHours: intervalHours, envelope: battery.envelope)
    }

    /// The cluster as one battery of a fleet plan over `intervals` intervals (the plug window must fit
    /// inside); `group` ties it to a site connection or group bound.
    public func fleetBattery(intervals: Int, group: String? = nil) throws(StorageModelError) -> FleetBattery {
        var battery = try virtualBattery(intervals: intervals)
        battery.group = group
        return battery
    }

    /// The virtual battery: Σ capacity, the tightest per-car power and SOC bounds (see the type comment),
    /// unplugged intervals capped at 0 MW, soft energy floors/ceilings from every car's window and the
    /// departure SOC at the last plugged interval.
    private func virtualBattery(intervals n: Int) throws(StorageModelError) -> FleetBattery {
        guard plugged.upperBound <= n else {
            throw .invalidInput(
                storage: name, field: "plugged",
                detail: "plug window \(plugged) exceeds the \(n)-interval horizon")
        }
        var lowY = -Double.infinity
        var highY = Double.infinity
        var departY = -Double.infinity
        var chargeCapMW = Double.infinity
        var dischargeCapMW = Double.infinity
        for (car, w) in zip(cars, weights) {
            let e = car.batteryKWh / 1000
            lowY = max(lowY, (car.socMinPercent - car.arrivalSOCPercent) / 100 * e / w)
            highY = min(highY, (car.socMaxPercent - car.arrivalSOCPercent) / 100 * e / w)
            departY = max(departY, (car.departureSOCPercent - car.arrivalSOCPercent) / 100 * e / w)
            chargeCapMW = min(chargeCapMW, car.chargeKW / 1000 / w)
            dischargeCapMW = min(dischargeCapMW, car.dischargeKW / 1000 / w)
        }
        let e0 = arrivalEnergyMWh
        let capacity = capacityMWh
        let storage = StorageParameters(
            name: name, chargePowerMaxMW: chargeCapMW, dischargePowerMaxMW: dischargeCapMW,
            energyCapacityMWh: capacity,
            socMinPercent: 0, socMaxPercent: 100, chargeEfficiency: cars[0].efficiency,
            dischargeEfficiency: cars[0].efficiency)
        var envelope = StorageProblem.Envelope(
            chargeMaxMW: (0..<n).map { plugged.contains($0) ? nil : 0 },
            dischargeMaxMW: (0..<n).map { plugged.contains($0) ? nil : 0 },
            energyMinMWh: (0..<n).map { plugged.contains($0) ? e0 + lowY : nil },
            energyMaxMWh: (0..<n).map { plugged.contains($0) ? e0 + highY : nil })
        let last = plugged.upperBound - 1
        envelope.energyMinMWh[last] = e0 + max(lowY, departY)
        // Far above any price cap and any round-trip gain: a car's limit gives way only when nothing else can.
        envelope.energyPenaltyYuanPerMWh = 100_000
        return FleetBattery(storage: storage, initialSOCPercent: e0 / capacity * 100, envelope: envelope)
    }

    /// Splits a cluster schedule onto the cars by their fixed shares: per car, charge and discharge kW per interval.
    public func disaggregate(_ schedule: StorageSchedule) -> [(
        id: String, chargeKW: [Double], dischargeKW: [Double]
    )] {
        disaggregate(chargeMW: schedule.steps.map(\.chargeMW), dischargeMW: schedule.steps.map(\.dischargeMW))
    }

    /// Splits the cluster's plan in a fleet schedule onto the cars (see `disaggregate(chargeMW:dischargeMW:)`).
    public func disaggregate(_ plan: FleetSchedule.BatteryPlan) -> [(
        id: String, chargeKW: [Double], dischargeKW: [Double]
    )] {
        disaggregate(chargeMW: plan.chargeMW, dischargeMW: plan.dischargeMW)
    }

    /// Splits cluster charge and discharge MW per interval onto the cars by their fixed shares: per car,
    /// charge and discharge kW per interval.
    public func disaggregate(chargeMW: [Double], dischargeMW: [Double]) -> [(
        id: String, chargeKW: [Double], dischargeKW: [Double]
    )] {
        zip(cars, weights).map { car, w in
            (car.id, chargeMW.map { $0 * 1000 * w }, dischargeMW.map { $0 * 1000 * w })
        }
    }
}
