import Foundation
import Testing

@testable import Daemon

/// The control thread's executor: jobs run on it in order, and its own timer wakes sleepers no sooner than their
/// deadline and at once when they are cancelled.
@Suite("Control executor: own thread, own timer")
struct ControlExecutorTests {
    actor Counter {
        var values: [Int] = []
        func add(_ v: Int) { values.append(v) }
    }

    @Test("a sleep ends at its deadline, not before; sleeps with earlier deadlines end first")
    func sleepDeadlines() async {
        let executor = ControlExecutor.shared
        let order = Counter()
        let t0 = ContinuousClock.now
        await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Void.self) { group in
                for (i, ms) in [(2, 150), (0, 30), (1, 90)] {
                    group.addTask {
                        await executor.sleep(until: t0 + .milliseconds(ms))
                        #expect(ContinuousClock.now - t0 >= .milliseconds(ms))
                        await order.add(i)
                    }
                }
            }
        }
        #expect(await order.values == [0, 1, 2])
        // Generous: only that it did not hang.
        #expect(ContinuousClock.now - t0 < .seconds(10))
    }

    @Test("a cancelled sleep returns at once; one whose deadline has passed does not wait")
    func sleepCancelled() async {
        let executor = ControlExecutor.shared
        let t0 = ContinuousClock.now
        let sleeper = Task(executorPreference: executor) { await executor.sleep(until: t0 + .seconds(3600)) }
        try? await Task.sleep(for: .milliseconds(20))
        sleeper.cancel()
        await sleeper.value
        #expect(ContinuousClock.now - t0 < .seconds(60))
        let t1 = ContinuousClock.now
        await executor.sleep(until: t1 - .seconds(1))
        #expect(ContinuousClock.now - t1 < .seconds(60))
    }

    @Test("the control thread reports the priority it got")
    func priorityReported() async {
        await withTaskExecutorPreference(ControlExecutor.shared) {}
        #expect(ControlExecutor.shared.priority != nil)
    }
}
