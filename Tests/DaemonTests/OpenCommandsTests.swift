import Foundation
import Testing
import VPPCore

@testable import Daemon

/// The dispatch loop's open commands between reads of the store (`OpenCommands`), the wake-up that carries the
/// store's changes to it, and the lane its own records go to the store by.
@Suite("Dispatch loop bookkeeping: open commands, command changes, record lane")
struct OpenCommandsTests {
    let now = Date(timeIntervalSince1970: 1_795_428_000)

    func command(
        _ id: String, start: Double = 0, seconds: Double = 900, status: CommandStatus = .active,
        created: Double = 0
    ) -> OperatorCommand {
        OperatorCommand(
            id: CommandID(id), kind: .curtailPV, target: .fleet, magnitude: .init(value: 50, unit: .percent),
            start: now.addingTimeInterval(start), end: now.addingTimeInterval(start + seconds), author: "op",
            reason: "test", status: status, createdAt: now.addingTimeInterval(created))
    }

    @Test("changes apply in order: finished commands leave, others are added or replaced, repeats change nothing")
    func applyChanges() {
        var open = OpenCommands([command("a"), command("done", status: .completed)])
        #expect(open.count == 1)
        open.apply([command("b", start: 60, status: .pending), command("a", status: .cancelled)])
        #expect(open.inForce(at: now).isEmpty)
        #expect(open.inForce(at: now.addingTimeInterval(61)).map(\.id) == ["b"])
        open.apply([command("b", start: 60, status: .active), command("b", start: 60, status: .active)])
        #expect(open.count == 1)
        #expect(open.inForce(at: now.addingTimeInterval(61)).first?.status == .active)
    }

    @Test("in force: window covers now, ordered by start, then creation, then id (as the store's inForce)")
    func inForceOrder() {
        let open = OpenCommands([
            command("c", start: -10, created: -5), command("b", start: -10, created: -20),
            command("a", start: -10, created: -20), command("z", start: -100), command("late", start: 10),
            command("over", start: -1000, seconds: 100),
        ])
        #expect(open.inForce(at: now).map(\.id.rawValue) == ["z", "a", "b", "c"])
    }

    @Test("a status change is due for a pending command that has begun and for any command that has ended")
    func statusChangeDue() {
        #expect(!OpenCommands([command("a"), command("p", start: 60, status: .pending)]).statusChangeDue(at: now))
        #expect(OpenCommands([command("p", start: -1, status: .pending)]).statusChangeDue(at: now))
        #expect(OpenCommands([command("e", start: -900)]).statusChangeDue(at: now))
        #expect(!OpenCommands([]).statusChangeDue(at: now))
    }

    @Test("the wake-up hands over the store's command changes once, and asks for a re-read when it had to drop some")
    func wakeupCarriesChanges() async {
        let wakeup = DispatchWakeup()
        let observe = wakeup.changeObserver()
        observe(.commands([command("a")]))
        observe(.commands([command("b"), command("a", status: .cancelled)]))
        guard case .changed(let first) = wakeup.takeCommandChanges() else {
            Issue.record("expected changes")
            return
        }
        #expect(first.map(\.id.rawValue) == ["a", "b", "a"])
        guard case .changed(let none) = wakeup.takeCommandChanges() else {
            Issue.record("expected no changes")
            return
        }
        #expect(none.isEmpty)
        // A change wakes the tick.
        #expect(await wakeup.wait(until: .now + .seconds(5)))
        let many = (0...DispatchWakeup.maxBufferedCommandChanges).map { command("m-\($0)") }
        observe(.commands(many))
        guard case .reread = wakeup.takeCommandChanges() else {
            Issue.record("expected a re-read after an overflow")
            return
        }
        guard case .changed(let after) = wakeup.takeCommandChanges() else {
            Issue.record("expected changes again after the re-read")
            return
        }
        #expect(after.isEmpty)
    }

    @Test("the record lane writes in submission order and flush waits for everything submitted before it")
    func laneOrder() async {
        let lane = RecordLane()
        let order = OrderBox()
        for i in 0..<200 {
            #expect(
                lane.submit {
                    if i % 50 == 0 { try? await Task.sleep(for: .milliseconds(5)) }
                    await order.append(i)
                })
        }
        await lane.flush()
        #expect(await order.values == Array(0..<200))
    }

    actor OrderBox {
        var values: [Int] = []
        func append(_ v: Int) { values.append(v) }
    }
}
