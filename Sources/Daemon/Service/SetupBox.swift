import Synchronization

/// The setup in force, replaced as a whole by a successful reload.
final class SetupBox: Sendable {
    private let state: Mutex<DaemonSetup>
    init(_ setup: DaemonSetup) { state = Mutex(setup) }
    var value: DaemonSetup { state.withLock { $0 } }
    func set(_ setup: DaemonSetup) { state.withLock { $0 = setup } }
}
