import Fleet

/// Storage in dispatch: the shared battery behaviour, nothing more (see `BatteryDispatch`).
extension StorageKind: BatteryDispatch {}
