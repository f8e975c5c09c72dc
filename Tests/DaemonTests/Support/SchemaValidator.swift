import BenchSupport
import Daemon
import Foundation

/// Checks a JSON value against the subset of OpenAPI 3.0 schema the vppd document uses: `$ref` into
/// `components/schemas`, `type` (object, array, string, number, integer, boolean), `required`, `properties`,
/// `additionalProperties` (a schema), `items`, `enum` and `format: date-time` / `date`.
/// Returns one message per violation, naming the JSON path; empty when the value conforms.
struct SchemaValidator {
    let document: JSONTree

    func validate(_ value: JSONTree, against schema: JSONTree, at path: String = "$") -> [String] {
        if let ref = schema["$ref"]?.stringValue {
            let name = ref.replacingOccurrences(of: "#/components/schemas/", with: "")
            guard let target = document["components"]?["schemas"]?[name] else {
                return ["\(path): unresolved \(ref)"]
            }
            return validate(value, against: target, at: path)
        }
        var errors: [String] = []
        if let type = schema["type"]?.stringValue {
            switch (type, value) {
            case ("object", .object(let members)):
                for case .string(let key) in schema["required"]?.arrayValue ?? [] where members[key] == nil {
                    errors.append("\(path).\(key): required member missing")
                }
                let properties = schema["properties"]?.objectValue ?? [:]
                for (key, member) in members {
                    if let p = properties[key] {
                        errors += validate(member, against: p, at: "\(path).\(key)")
                    } else if let extra = schema["additionalProperties"], extra.objectValue != nil {
                        errors += validate(member, against: extra, at: "\(path).\(key)")
                    } else if schema["properties"] != nil {
                        errors.append("\(path).\(key): member not in the schema")
                    }
                }
            case ("array", .array(let items)):
                if let itemSchema = schema["items"] {
                    for (i, item) in items.enumerated() {
                        errors += validate(item, against: itemSchema, at: "\(path)[\(i)]")
                    }
                }
            case ("string", .string(let s)):
                if let allowed = schema["enum"]?.arrayValue, !allowed.contains(.string(s)) {
                    errors.append("\(path): '\(s)' not in enum")
                }
                switch schema["format"]?.stringValue {
                case "date-time":
                    if (try? Date(s, strategy: .iso8601)) == nil {
                        errors.append("\(path): '\(s)' is not a date-time")
                    }
                case "date":
                    if s.count != 10 || (try? Date(s + "T00:00:00Z", strategy: .iso8601)) == nil {
                        errors.append("\(path): '\(s)' is not a date")
                    }
                default: break
                }
            case ("number", .number):
                break
            case ("integer", .number(let d)):
                if d.rounded() != d { errors.append("\(path): \(d) is not an integer") }
            case ("boolean", .bool):
                break
            default:
                errors.append("\(path): expected \(type), got \(value)")
            }
        }
        return errors
    }

    /// The operation object for `method` on the documented path template matching `path` (query ignored).
    func operation(method: String, path: String) -> (template: String, op: JSONTree)? {
        let bare = String(path.split(separator: "?", maxSplits: 1)[0])
        let segments = bare.split(separator: "/")
        for (template, item) in document["paths"]?.objectValue ?? [:] {
            let t = template.split(separator: "/")
            guard t.count == segments.count, zip(t, segments).allSatisfy({ $0.first == "{" || $0 == $1 })
            else { continue }
            if let op = item[method.lowercased()] { return (template, op) }
        }
        return nil
    }

    /// Checks a real reply against the document: the status must be documented for the operation and the
    /// JSON body must match that response's schema.
    func check(method: String, path: String, reply: HTTPReply) -> [String] {
        guard let (template, op) = operation(method: method, path: path) else {
            return ["\(method) \(path): no such operation in the document"]
        }
        guard let response = op["responses"]?[String(reply.status)] else {
            return ["\(method) \(template): status \(reply.status) not documented"]
        }
        guard let schema = response["content"]?["application/json"]?["schema"] else { return [] }
        guard let json = reply.json else {
            return ["\(method) \(template) \(reply.status): body is not JSON: \(reply.text)"]
        }
        return validate(json, against: schema).map { "\(method) \(template) \(reply.status): \($0)" }
    }
}
