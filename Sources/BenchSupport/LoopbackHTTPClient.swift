import Daemon
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One HTTP response as read by `LoopbackHTTPClient`.
public struct HTTPReply: Sendable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]
    public var text: String { String(decoding: body, as: UTF8.self) }
    /// The body parsed as JSON, nil when it is not JSON.
    public var json: JSONTree? { try? JSONDecoder().decode(JSONTree.self, from: Data(body)) }
}

/// Errors of `LoopbackHTTPClient`.
public enum LoopbackHTTPError: Error, CustomStringConvertible, Sendable {
    case connect(String)
    case io(String)
    case malformed(String)
    public var description: String {
        switch self {
        case .connect(let s): return "connect: \(s)"
        case .io(let s): return "I/O: \(s)"
        case .malformed(let s): return "malformed response: \(s)"
        }
    }
}

/// A minimal blocking HTTP/1.1 keep-alive client over a TCP socket, for benchmarks and process-level tests
/// against a daemon on loopback (DESIGN §9: traffic only to 127.0.0.0/8).
///
/// It sends exactly the bytes asked for (paths are not normalised, so `..` reaches the server as written) and
/// reads `Content-Length` or chunked bodies. One instance is one connection, used by one thread at a time;
/// it reconnects when the server closed the connection. Blocking I/O: call it from a dedicated thread, not from
/// Swift's cooperative pool, in anything performance-sensitive.
public final class LoopbackHTTPClient {
    public let host: String
    public let port: Int
    let timeoutSeconds: Double
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    public init(host: String = "127.0.0.1", port: Int, timeoutSeconds: Double = 5) {
        self.host = host
        self.port = port
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { close() }

    public func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
        buffer.removeAll()
    }

    /// Sends one request and reads the reply. `headers` are added after Host and Content-Length.
    public func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) throws(LoopbackHTTPError) -> HTTPReply {
        // A kept-alive connection may have been closed by the server since the last request: retry once.
        let fresh = fd < 0
        do {
            return try attempt(method, path, headers, body)
        } catch {
            close()
            if fresh { throw error }
            return try attempt(method, path, headers, body)
        }
    }

    private func attempt(
        _ method: String, _ path: String, _ headers: [(String, String)], _ body: [UInt8]?
    )
        throws(LoopbackHTTPError) -> HTTPReply
    {
        if fd < 0 { try connect() }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        if let body { head += "Content-Length: \(body.count)\r\n" }
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "\r\n"
        var out = Array(head.utf8)
        if let body { out += body }
        let sendError = sendAll(out)
        // Even if sending failed (the server may answer 413 and close early), try to read its answer.
        do {
            return try readReply(method: method)
        } catch {
            if let sendError { throw sendError }
            throw error
        }
    }

    private func connect() throws(LoopbackHTTPError) {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw .connect("socket: errno \(errno)") }
        var tv = timeval(
            tv_sec: Int(timeoutSeconds),
            tv_usec: Int((timeoutSeconds - Double(Int(timeoutSeconds))) * 1_000_000))
        _ = setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        _ = setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            _ = Glibc.close(s)
            throw .connect("not an IPv4 address: \(host)")
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let e = errno
            _ = Glibc.close(s)
            throw .connect("\(host):\(port): \(String(cString: strerror(e)))")
        }
        fd = s
        buffer.removeAll(keepingCapacity: true)
    }

    private func sendAll(_ bytes: [UInt8]) -> LoopbackHTTPError? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { p -> Int in
                guard let base = p.baseAddress else { return 0 }
                return send(fd, base + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { return .io("send: \(String(cString: strerror(errno)))") }
            offset += n
        }
        return nil
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws(LoopbackHTTPError) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let n = chunk.withUnsafeMutableBytes { p -> Int in
            guard let base = p.baseAddress else { return 0 }
            return recv(fd, base, p.count, 0)
        }
        if n < 0 { throw .io("recv: \(String(cString: strerror(errno)))") }
        if n == 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private func readLine() throws(LoopbackHTTPError) -> String {
        while true {
            if let i = findCRLF() {
                let line = String(decoding: buffer[0..<i], as: UTF8.self)
                buffer.removeFirst(i + 2)
                return line
            }
            guard try fill() else { throw .io("connection closed") }
        }
    }

    private func findCRLF() -> Int? {
        guard buffer.count >= 2 else { return nil }
        for i in 0..<(buffer.count - 1) where buffer[i] == 13 && buffer[i + 1] == 10 { return i }
        return nil
    }

    private func readBytes(_ count: Int) throws(LoopbackHTTPError) -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw .io("connection closed in body") }
        }
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }

    private func readReply(method: String) throws(LoopbackHTTPError) -> HTTPReply {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw .malformed("status line '\(statusLine)'")
        }
        var headers: [String: String] = [:]
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("header '\(line)'") }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        var body: [UInt8] = []
        if method == "HEAD" || status == 204 || status == 304 {
            body = []
        } else if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else {
                    throw .malformed("chunk size '\(sizeLine)'")
                }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                body += try readBytes(size)
                _ = try readLine()
            }
        } else if let length = headers["content-length"].flatMap(Int.init) {
            body = try readBytes(length)
        } else {
            while try fill() {}
            body = buffer
            buffer.removeAll()
        }
        if headers["connection"]?.lowercased() == "close" { close() }
        return HTTPReply(status: status, headers: headers, body: body)
    }
}
