import CMosquitto
import Foundation
import Synchronization

/// The network thread of one `MQTTClient`: a `poll(2)` loop over libmosquitto's external-loop API
/// (`mosquitto_loop_read` / `_write` / `_misc`) with reconnect and exponential back-off.
///
/// Why not `mosquitto_loop_start`: libmosquitto 2.0's own loop uses `select(2)`, which cannot watch a descriptor
/// numbered 1024 or above. Its loop then fails with MOSQ_ERR_INVAL and the client silently never connects. A
/// daemon or simulator holding 1,000 Modbus TCP connections opens more than 1,024 descriptors, so the MQTT socket
/// lands above the limit (verified: no CONNACK with 1,100 descriptors open). `poll` has no such limit.
///
/// Threading: the handle is marked `mosquitto_threaded_set(true)`, so `mosquitto_publish` and friends from other
/// threads only queue packets (under libmosquitto's mutexes) and every socket read and write happens on this
/// thread. That matters for TLS: an OpenSSL connection must not be read and written from two threads at once.
/// A publisher wakes the loop through a self-pipe only when the loop is asleep in `poll` (`sleeping`), so a burst
/// of publishes costs one wake-up, and the loop writes the whole queue in one `mosquitto_loop_write`.
/// Callbacks run on this thread.
final class MQTTNetworkLoop: Sendable {
    private let mosq: MosquittoHandle
    private let core: MQTTClientCore
    private let stopping = Atomic<Bool>(false)
    /// True while the loop is about to sleep or sleeps in `poll`; cleared by the first publisher that wakes it.
    private let sleeping = Atomic<Bool>(false)
    /// Self-pipe that wakes `poll` for `stop()` and for publishes that could not be written inline.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let finished = DispatchSemaphore(value: 0)

    init(mosq: MosquittoHandle, core: MQTTClientCore) throws(DeviceIOError) {
        self.mosq = mosq
        self.core = core
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw .mqtt(reason: "cannot create wake pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Starts the thread. `connected` says whether the first `mosquitto_connect_async` got a socket.
    func start(name: String) {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Tells the loop that output was queued: wakes it if it sleeps in `poll` (at most once per sleep).
    /// Dekker-style handshake with `run`: the loop publishes `sleeping = true` before it checks
    /// `mosquitto_want_write`; a publisher queues its packet before it reads `sleeping`. Both are sequentially
    /// consistent, so either the loop sees the packet or the publisher sees the sleeper.
    func wake() {
        guard sleeping.exchange(false, ordering: .sequentiallyConsistent) else { return }
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
    }

    private func forceWake() {
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
    }

    /// Ends the loop and waits for the thread to exit.
    func stopAndJoin() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        forceWake()
        finished.wait()
    }

    private func run() {
        let o = core.options
        let base = max(1, o.reconnectDelayS)
        let maxDelay = max(base, o.reconnectDelayMaxS)
        var delay = base
        var seenConnects = core.connects.load(ordering: .relaxed)
        var lastMisc = ContinuousClock.now
        var fds = [pollfd(fd: -1, events: 0, revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        while !stopping.load(ordering: .relaxed) {
            let connects = core.connects.load(ordering: .relaxed)
            if connects != seenConnects {
                seenConnects = connects
                delay = base
            }
            let sock = mosquitto_socket(mosq.raw)
            if sock < 0 {
                // Not connected: wait the back-off (interruptible by stop), then try again.
                fds[0].fd = -1
                _ = poll(&fds, 2, Int32(delay * 1000))
                drainWake()
                if stopping.load(ordering: .relaxed) { break }
                delay = min(delay * 2, maxDelay)
                let rc = mosquitto_reconnect_async(mosq.raw)
                if rc != Int32(MOSQ_ERR_SUCCESS.rawValue) {
                    core.noteConnectFailure(rc)
                }
                continue
            }
            sleeping.store(true, ordering: .sequentiallyConsistent)
            fds[0].fd = sock
            // Reading libmosquitto's queue pointers without its mutex is a benign race: a stale "empty" is covered
            // by the wake handshake above.
            fds[0].events = Int16(POLLIN) | (mosquitto_want_write(mosq.raw) ? Int16(POLLOUT) : 0)
            fds[0].revents = 0
            fds[1].revents = 0
            let n = poll(&fds, 2, 1000)
            sleeping.store(false, ordering: .sequentiallyConsistent)
            if n < 0 && errno != EINTR { usleep(10_000) }
            if fds[1].revents != 0 { drainWake() }
            if stopping.load(ordering: .relaxed) {
                flushBeforeExit()
                break
            }
            let r = fds[0].revents
            if r & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                // Read what is there: libmosquitto reads one packet per call for QoS 0 traffic.
                for _ in 0..<512 {
                    errno = 0
                    let rc = mosquitto_loop_read(mosq.raw, 1)
                    if rc != Int32(MOSQ_ERR_SUCCESS.rawValue) || errno == EAGAIN || mosquitto_socket(mosq.raw) < 0 {
                        break
                    }
                }
            }
            if mosquitto_socket(mosq.raw) >= 0 && (r & Int16(POLLOUT) != 0 || mosquitto_want_write(mosq.raw)) {
                _ = mosquitto_loop_write(mosq.raw, 1)
            }
            let now = ContinuousClock.now
            if now - lastMisc >= .milliseconds(250), mosquitto_socket(mosq.raw) >= 0 {
                lastMisc = now
                _ = mosquitto_loop_misc(mosq.raw)  // keep-alive PINGREQ and its timeout
            }
        }
    }

    /// Sends what is queued (the DISCONNECT from `stop()`, so the broker discards the will) for at most ~200 ms.
    private func flushBeforeExit() {
        for _ in 0..<40 {
            let sock = mosquitto_socket(mosq.raw)
            guard sock >= 0, mosquitto_want_write(mosq.raw) else { return }
            _ = mosquitto_loop_write(mosq.raw, 1)
            guard mosquitto_socket(mosq.raw) >= 0, mosquitto_want_write(mosq.raw) else { return }
            var p = pollfd(fd: sock, events: Int16(POLLOUT), revents: 0)
            _ = poll(&p, 1, 5)
        }
    }

    private func drainWake() {
        var buf = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buf, buf.count) > 0 {}
    }
}
