import Foundation

/// Recognises the errors NIO's HTTP/1 parser raises while a handler reads a request body: a body shorter than
/// its `Content-Length` followed by the end of the stream, a chunk size that is not hexadecimal, a chunk that
/// ends early. They surface from `Request.collectBody` as `NIOHTTP1.HTTPParserError`; the Daemon target does not
/// link NIOHTTP1 directly, so they are recognised by type name (a renamed type shows up as a 500 in the
/// framing tests, not as silent acceptance).
enum BodyErrors {
    static func isFraming(_ error: any Error) -> Bool {
        let name = String(reflecting: type(of: error))
        return name.hasSuffix(".HTTPParserError")
    }

    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        return text.count <= 120 ? text : String(text.prefix(120)) + "…"
    }
}
