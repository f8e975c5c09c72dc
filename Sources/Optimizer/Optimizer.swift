/// The Optimizer module: the LP solver wrapper (COIN-OR CLP, `LP/`) and the scheduling models
/// (`Storage/`). See DESIGN §2 and §11.
public enum OptimizerModule {}
