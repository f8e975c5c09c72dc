/// The Optimizer module: the LP solver wrapper (COIN-OR CLP, `LP/`), the single-battery model (`Storage/`),
/// V2G clusters as virtual batteries (`V2G/`) and the fleet day-ahead model (`Fleet/`, one LP for every
/// battery, V2G cluster and PV asset; API summary at the top of `Fleet/FleetProblem.swift`).
/// See DESIGN §2 and §11.
public enum OptimizerModule {}
