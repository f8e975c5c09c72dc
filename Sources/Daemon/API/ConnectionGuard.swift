import CoreMetrics
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Connection limits of the API server (README "API limits").
public struct ConnectionSettings: Sendable, Hashable {
    /// Open connections at most. A new connection beyond it closes the oldest connection that has no request in
    /// progress (one that never finished its headers, or an idle keep-alive one), so a flood of idle or half-open
    /// connections cannot lock out a real client; when every connection has a request in progress, the new one is
    /// closed at once.
    public var maxConnections: Int
    /// Time from accepting a connection to its first complete request head; a connection slower than that is
    /// closed (a client that opens connections and never finishes its headers holds nothing for long).
    public var headerTimeout: Duration
    /// Time a connection may stay without HTTP activity: between requests (keep-alive), or inside a request
    /// body that stops arriving.
    public var idleTimeout: Duration

    public init(
        maxConnections: Int = 16_384, headerTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60)
    ) {
        self.maxConnections = max(maxConnections, 1)
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
    }
}

/// The open connections of the API server, with whether each has a request in progress, and the idle ones in
/// the order they became idle (least recently active first), so that choosing the connection to evict is O(1)
/// amortised even when a flood hits the cap.
final class ConnectionRegistry<Handle: Sendable>: Sendable {
    struct Entry {
        let channel: Handle
        var busy: Bool
        /// Bumped each time the connection becomes idle; a queue item with an older generation is stale.
        var generation: UInt64
    }
    struct State {
        var next: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
        /// Idle connections, least recently active first; may hold stale items (skipped when popped).
        var idle: [(id: UInt64, generation: UInt64)] = []
        var head = 0

        func isCurrent(_ item: (id: UInt64, generation: UInt64)) -> Bool {
            guard let e = entries[item.id] else { return false }
            return !e.busy && e.generation == item.generation
        }

        /// Drops stale items once they outnumber the live connections, and consumed ones once they are most of
        /// the queue, so the queue stays O(connections) however many requests a connection makes.
        mutating func compact() {
            if idle.count - head > 2 * entries.count + 64 {
                let live = idle[head...].filter { isCurrent($0) }
                idle = live
                head = 0
            } else if head > 1024, head * 2 > idle.count {
                idle.removeFirst(head)
                head = 0
            }
        }
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = limit }

    enum Admission {
        /// Admitted; `evicted` is a connection to close to make room.
        case admitted(id: UInt64, evicted: Handle?)
        /// Every connection has a request in progress: refuse this one.
        case refused
    }

    func admit(_ channel: Handle) -> Admission {
        let (admission, count) = state.withLock { s -> (Admission, Int) in
            var evicted: Handle?
            if s.entries.count >= limit {
                var victim: UInt64?
                while s.head < s.idle.count {
                    let item = s.idle[s.head]
                    s.head += 1
                    if s.isCurrent(item) {
                        victim = item.id
                        break
                    }
                }
                s.compact()
                guard let victim, let entry = s.entries.removeValue(forKey: victim) else {
                    return (.refused, s.entries.count)
                }
                evicted = entry.channel
            }
            s.next &+= 1
            s.entries[s.next] = Entry(channel: channel, busy: false, generation: 0)
            s.idle.append((s.next, 0))
            return (.admitted(id: s.next, evicted: evicted), s.entries.count)
        }
        Gauge(label: MetricNames.apiConnections).record(count)
        return admission
    }

    func setBusy(_ id: UInt64, _ busy: Bool) {
        state.withLock { s in
            guard var e = s.entries[id], e.busy != busy else { return }
            e.busy = busy
            if !busy {
                e.generation &+= 1
                s.idle.append((id, e.generation))
            }
            s.entries[id] = e
            s.compact()
        }
    }

    func remove(_ id: UInt64) {
        let count = state.withLock { s -> Int in
            s.entries[id] = nil
            return s.entries.count
        }
        Gauge(label: MetricNames.apiConnections).record(count)
    }

    var count: Int { state.withLock { $0.entries.count } }
    /// Items in the idle queue, consumed or not (bounded by `State.compact`).
    var queueLength: Int { state.withLock { $0.idle.count } }
}

/// Tracks one connection for the registry (request in progress or not) and closes it when its first request head
/// has not arrived within the header timeout.
final class ConnectionTracker: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let id: UInt64
    let registry: ConnectionRegistry<any Channel>
    let headerTimeout: Duration
    private var timer: Scheduled<Void>?
    private var sawHead = false

    init(id: UInt64, registry: ConnectionRegistry<any Channel>, headerTimeout: Duration) {
        self.id = id
        self.registry = registry
        self.headerTimeout = headerTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armHeaderTimer(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        armHeaderTimer(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            sawHead = true
            timer?.cancel()
            timer = nil
            registry.setBusy(id, true)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { registry.setBusy(id, false) }
        context.write(data, promise: promise)
    }

    private func armHeaderTimer(_ context: ChannelHandlerContext) {
        guard timer == nil, !sawHead else { return }
        let amount = GuardedHTTP1Channel.nanoseconds(headerTimeout)
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(amount)) { [weak self] in
            guard let self, !self.sawHead else { return }
            self.timer = nil
            Counter(label: MetricNames.apiConnectionsClosed, dimensions: [("reason", "headerTimeout")]).increment()
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension ConnectionTracker: Sendable {}

/// Hummingbird's HTTP/1 child channel behind the connection limits: every accepted connection is admitted by the
/// registry (evicting the oldest idle one when full) and tracked for the header timeout; the HTTP handling is
/// Hummingbird's own, with its idle timeout set.
struct GuardedHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let settings: ConnectionSettings
    let registry: ConnectionRegistry<any Channel>

    init(responder: @escaping HTTPChannelHandler.Responder, settings: ConnectionSettings) {
        self.responder = responder
        self.settings = settings
        self.registry = ConnectionRegistry<any Channel>(limit: settings.maxConnections)
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let registry = self.registry
        let headerTimeout = settings.headerTimeout
        var refused = false
        var trackedID: UInt64 = 0
        switch registry.admit(channel) {
        case .admitted(let id, let evicted):
            trackedID = id
            channel.closeFuture.whenComplete { _ in registry.remove(id) }
            if let evicted {
                Counter(label: MetricNames.apiConnectionsClosed, dimensions: [("reason", "evicted")]).increment()
                evicted.close(promise: nil)
            }
        case .refused:
            refused = true
            Counter(label: MetricNames.apiConnectionsClosed, dimensions: [("reason", "refused")]).increment()
        }
        let id = trackedID
        let http = HTTP1Channel(
            responder: responder,
            configuration: .init(
                additionalChannelHandlers: [
                    ConnectionTracker(id: id, registry: registry, headerTimeout: headerTimeout)
                ],
                idleTimeout: .nanoseconds(Self.nanoseconds(settings.idleTimeout))))
        let value = http.setup(channel: channel, logger: logger)
        if refused { channel.close(promise: nil) }
        return value
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }

    /// Nanoseconds of `d`, saturated at `Int64.max` (no overflow whatever the configuration).
    static func nanoseconds(_ d: Duration) -> Int64 {
        let (seconds, atto) = d.components
        let n = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !n.overflow else { return seconds < 0 ? 0 : .max }
        let sum = n.partialValue.addingReportingOverflow(atto / 1_000_000_000)
        return sum.overflow ? .max : max(sum.partialValue, 0)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with vppd's connection limits (`ConnectionSettings`).
    static func guardedHTTP1(_ settings: ConnectionSettings) -> HTTPServerBuilder {
        .init { responder in GuardedHTTP1Channel(responder: responder, settings: settings) }
    }
}
