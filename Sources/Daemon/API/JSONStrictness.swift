import Foundation

/// Checks a JSON request body against its OpenAPI request schema for what the decoders would silently accept
/// but the document does not allow (README "The HTTP API"): an explicit `null` for a member (an optional member is
/// omitted, never null) and a boolean where the document says number, integer or string. Foundation's
/// `JSONSerialization` bridges booleans to `NSNumber`, so a document parser that reads numbers with `as? Double`
/// takes `true` as 1; this walk refuses them first, naming the member. Members the schema does not declare are
/// ignored (the schemas allow additional members), and bodies that are not JSON pass through so that the decoder
/// reports the syntax error.
enum JSONStrictness {
    /// 400 naming the first offending member of `data` under the schema `schemaName` of the OpenAPI document.
    static func check(_ data: Data, schema schemaName: String) throws {
        guard let root = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
            let schema = OpenAPIDocument.document["components"]?["schemas"]?[schemaName]
        else { return }
        if let problem = find(root, schema: schema, path: "") {
            throw APIError.badRequest(problem)
        }
    }

    /// The first offending value as "path: reason", depth-first; nil when there is none.
    static func find(_ value: Any, schema: JSONTree, path: String, depth: Int = 0) -> String? {
        let here = path.isEmpty ? "body" : path
        guard depth < 32 else { return nil }
        if let ref = schema["$ref"]?.stringValue {
            let name = ref.replacingOccurrences(of: "#/components/schemas/", with: "")
            guard let target = OpenAPIDocument.document["components"]?["schemas"]?[name] else { return nil }
            return find(value, schema: target, path: path, depth: depth + 1)
        }
        let type = schema["type"]?.stringValue
        if value is NSNull { return "\(here): null is not allowed (omit an optional member)" }
        if let n = value as? NSNumber, isBoolean(n), let type, type != "boolean" {
            return "\(here): expected \(type == "integer" ? "an integer" : "a \(type)"), got a boolean"
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"]?.objectValue ?? [:]
            for key in object.keys.sorted() {
                let member = path.isEmpty ? key : "\(path).\(key)"
                if let sub = properties[key] {
                    if let p = find(object[key] as Any, schema: sub, path: member, depth: depth + 1) { return p }
                } else if let extra = schema["additionalProperties"], extra.objectValue != nil {
                    if let p = find(object[key] as Any, schema: extra, path: member, depth: depth + 1) { return p }
                }
            }
        } else if let array = value as? [Any], let items = schema["items"] {
            for (i, item) in array.enumerated() {
                if let p = find(item, schema: items, path: "\(here)[\(i)]", depth: depth + 1) { return p }
            }
        }
        return nil
    }

    /// A JSON boolean comes back as a boolean NSNumber (type `__NSCFBoolean`, Objective-C type "c"); JSON
    /// integers are "q"/"i" and reals "d", so nothing else matches.
    static func isBoolean(_ n: NSNumber) -> Bool {
        String(describing: type(of: n)) == "__NSCFBoolean" || String(cString: n.objCType) == "c"
    }
}
