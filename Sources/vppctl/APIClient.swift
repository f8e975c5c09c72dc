import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A minimal client of the vppd API over URLSession: JSON in, JSON out, errors as one-line `CLIError`s.
struct APIClient {
    var baseURL: URL
    var token: String?
    var timeout: Double

    /// Sends a request and returns the response body of a 2xx answer.
    func send(_ method: String, _ path: String, query: [String: String?] = [:], body: Data? = nil)
        async throws -> Data
    {
        guard
            var components = URLComponents(
                url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        else { throw CLIError(code: 2, message: "cannot build a URL for \(path)") }
        let items = query.compactMap { k, v in v.map { URLQueryItem(name: k, value: $0) } }.sorted {
            $0.name < $1.name
        }
        if !items.isEmpty { components.queryItems = items }
        guard let url = components.url else {
            throw CLIError(code: 2, message: "cannot build a URL for \(path)")
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CLIError(
                code: 3,
                message: "cannot reach vppd at \(baseURL.absoluteString): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else {
            throw CLIError(code: 3, message: "no HTTP response from \(baseURL.absoluteString)")
        }
        guard (200..<300).contains(http.statusCode) else {
            let reason: String
            if let e = try? JSONDecoder().decode(ErrorBody.self, from: data) {
                reason = "\(e.error): \(e.detail)"
            } else {
                reason = String(decoding: data.prefix(200), as: UTF8.self)
            }
            let code: Int32 = (http.statusCode == 401 || http.statusCode == 403) ? 4 : 1
            var hint = ""
            if http.statusCode == 401 && token == nil {
                hint = " (no token given: use --token, $VPPD_TOKEN or --token-file)"
            }
            throw CLIError(code: code, message: "HTTP \(http.statusCode) \(reason)\(hint)")
        }
        return data
    }

    /// Sends a request and decodes the JSON answer as `T`.
    func get<T: Decodable>(_ type: T.Type, _ path: String, query: [String: String?] = [:])
        async throws -> (T, Data)
    {
        let data = try await send("GET", path, query: query)
        return (try decode(T.self, data), data)
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: data)
        } catch {
            throw CLIError(code: 1, message: "unexpected answer from vppd: \(error)")
        }
    }

    struct ErrorBody: Decodable {
        var error: String
        var detail: String
    }
}

/// Prints raw JSON (pretty-printed when it parses).
func printJSON(_ data: Data) {
    if let object = try? JSONSerialization.jsonObject(with: data),
        let pretty = try? JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    {
        print(String(decoding: pretty, as: UTF8.self))
    } else {
        print(String(decoding: data, as: UTF8.self))
    }
}
