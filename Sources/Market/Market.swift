/// The Market module: market profiles, forecasts, bid building, clearing intake and simulation. See DESIGN §2.
public enum MarketModule {}
