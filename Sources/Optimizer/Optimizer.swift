/// The Optimizer module: the LP solver wrapper (COIN-OR CLP) and the scheduling models. See DESIGN §2.
public enum OptimizerModule {}
