/// The Market module: market profiles (`Profiles/`), forecasts, bid building, clearing intake and simulation
/// (`Clearing/`), synthetic prices (`Prices/`). See DESIGN §2.
public enum MarketModule {}
