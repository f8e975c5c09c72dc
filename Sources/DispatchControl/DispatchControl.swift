/// The DispatchControl module (DESIGN §2 "Dispatch"; renamed because `Dispatch` is libdispatch's module): fleet targets, allocation across resources, the chain of limits, tracking. See DESIGN §2.
public enum DispatchModule {}
